"""ETag, Last-Modified, 304s and the server-side page cache."""

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone
from django.utils.http import http_date

from releases.models import Agency, ArchiveState, Release

PUBLIC_URLS = ["/", "/releases/", "/agencies/", "/api/releases/"]


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_public_responses_are_cacheable(client, release, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["ETag"].startswith('"')
    assert "public" in response["Cache-Control"]
    assert "max-age=60" in response["Cache-Control"]
    assert "stale-while-revalidate=600" in response["Cache-Control"]
    assert response["Last-Modified"].endswith("GMT")


def test_if_none_match_gets_304_without_rendering(client, release, django_assert_num_queries):
    etag = client.get(release.get_absolute_url())["ETag"]
    with django_assert_num_queries(1):
        response = client.get(release.get_absolute_url(), headers={"if-none-match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag


def test_if_modified_since_gets_304(client, release):
    last_modified = client.get("/releases/")["Last-Modified"]
    response = client.get("/releases/", headers={"if-modified-since": last_modified})
    assert response.status_code == 304


def test_cached_page_costs_one_query(client, release, django_assert_num_queries):
    first = client.get("/releases/")
    with django_assert_num_queries(1):
        second = client.get("/releases/")
    assert second.content == first.content


@pytest.mark.parametrize(
    "change",
    [
        lambda r: Release.objects.filter(pk=r.pk).update(title="Retitled by update()"),
        lambda r: r.agencies.add("Ministry of Digital Development and Information"),
        lambda r: Agency.objects.filter(slug="imda").update(name="IMDA renamed"),
        lambda r: r.delete(),
    ],
    ids=["queryset-update", "tag-added", "tag-renamed", "deleted"],
)
def test_any_change_gives_a_new_etag_and_fresh_page(client, release, change):
    before = client.get("/releases/")
    change(release)
    after = client.get("/releases/")
    assert after["ETag"] != before["ETag"]
    assert client.get("/releases/", headers={"if-none-match": before["ETag"]}).status_code == 200


def test_page_cache_is_refreshed_after_an_edit(client, release):
    client.get(release.get_absolute_url())
    release.title = "A corrected title"
    release.save()
    assert "A corrected title" in client.get(release.get_absolute_url()).content.decode()


def test_a_release_scheduled_for_today_changes_last_modified(client, make_release):
    make_release(published_on=datetime.date(2020, 1, 1))
    make_release(published_on=timezone.localdate())
    # As if both were saved long ago: the second became public at midnight, with no write.
    ArchiveState.objects.update(changed_at=timezone.now() - datetime.timedelta(days=3))
    midnight = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time()))
    assert client.get("/releases/")["Last-Modified"] == http_date(midnight.timestamp())


def test_errors_are_not_cached(client, db):
    assert client.get("/releases/?year=abc").status_code == 400
    assert not client.get("/releases/?year=abc").has_header("ETag")


def test_staff_pages_are_never_cached_publicly(admin_client, release):
    response = admin_client.get(release.get_absolute_url())
    assert "public" not in response.get("Cache-Control", "")
    admin = admin_client.get("/admin/")
    assert "private" in admin["Cache-Control"] or "no-cache" in admin["Cache-Control"]


def test_healthz_is_not_cached(client, db):
    assert not client.get("/healthz").has_header("ETag")


def test_cache_holds_rendered_pages(client, release):
    cache.clear()
    client.get("/agencies/")
    assert any(key for key in cache._cache if "page:GET" in key)


@pytest.mark.django_db(transaction=True)
def test_flush_keeps_the_data_version_row(client):
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)
    assert ArchiveState.objects.filter(id=1).exists()
    assert client.get("/releases/").has_header("ETag")
