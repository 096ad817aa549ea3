"""/sitemap.xml (an index of sections) and /robots.txt."""

import datetime
import xml.etree.ElementTree as ET

from django.utils import timezone

from releases.models import Release

from .editing import edit

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def parse(response, root_tag):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    root = ET.fromstring(response.content)
    assert root.tag == f"{SITEMAP}{root_tag}"
    return root


def local_date(moment):
    return timezone.localtime(moment).date().isoformat()


def urls(client, section):
    root = parse(client.get(f"/sitemap-{section}.xml"), "urlset")
    return {
        url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod")
        for url in root.findall(f"{SITEMAP}url")
    }


def test_index_lists_every_section(client, release):
    root = parse(client.get("/sitemap.xml"), "sitemapindex")
    locations = [s.findtext(f"{SITEMAP}loc") for s in root.findall(f"{SITEMAP}sitemap")]
    assert locations == [
        f"http://testserver/sitemap-{section}.xml"
        for section in ("pages", "releases", "agencies", "programmes", "figures")
    ]


def test_releases_section_has_published_releases_with_lastmod(client, release, make_release):
    make_release(slug="secret", status=Release.Status.DRAFT)
    found = urls(client, "releases")
    # Never changed since it was issued: its one version is as old as the release.
    assert found == {"http://testserver/releases/singapore-shenzhen-mous/": "2022-12-02"}


def correct(release, at):
    """Version 2 of the release, a correction saved at `at`."""
    edit(release, kind="correction", at=at, title="Corrected")


def test_lastmod_follows_public_versions_not_every_save(client, release, make_release):
    Release.objects.update(updated_at=timezone.now())  # saves readers cannot see
    assert set(urls(client, "releases").values()) == {"2022-12-02"}
    correct(release, timezone.make_aware(datetime.datetime(2023, 1, 9, 9)))
    assert set(urls(client, "releases").values()) == {"2023-01-09"}
    assert section_dates(client)["releases.xml"] == "2023-01-09T09:00:00+08:00"


def test_tag_sections_list_tags_in_use_with_their_newest_release(client, release, tradetrust):
    assert list(urls(client, "agencies")) == ["http://testserver/agencies/imda/"]
    programmes = urls(client, "programmes")
    # TradeTrust has no releases, so it has no page worth crawling.
    assert list(programmes) == ["http://testserver/programmes/smart-city-initiative/"]
    assert programmes["http://testserver/programmes/smart-city-initiative/"] == (
        local_date(release.updated_at)
    )
    assert list(urls(client, "figures")) == ["http://testserver/figures/8-mous-signed/"]


def test_pages_section_lists_the_static_pages(client, db):
    assert set(urls(client, "pages")) == {
        "http://testserver/",
        "http://testserver/releases/",
        "http://testserver/agencies/",
        "http://testserver/programmes/",
        "http://testserver/figures/",
    }


def test_unknown_section_is_404(client, db):
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_out(client, db):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    for path in ("/admin/", "/search/", "/releases/export.csv", "/releases/export.jsonl"):
        assert f"Disallow: {path}" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


def test_releases_section_is_split_into_pages(client, make_release, monkeypatch):
    from releases.sitemaps import ReleaseSitemap

    monkeypatch.setattr(ReleaseSitemap, "limit", 2)
    for n in range(3):
        make_release(slug=f"release-{n}")
    root = parse(client.get("/sitemap.xml"), "sitemapindex")
    locations = [s.findtext(f"{SITEMAP}loc") for s in root.findall(f"{SITEMAP}sitemap")]
    assert "http://testserver/sitemap-releases.xml?p=2" in locations
    first = parse(client.get("/sitemap-releases.xml"), "urlset")
    second = parse(client.get("/sitemap-releases.xml?p=2"), "urlset")
    assert len(first.findall(f"{SITEMAP}url")) == 2
    assert len(second.findall(f"{SITEMAP}url")) == 1


def test_index_dates_the_releases_section_by_its_newest_public_version(client, make_release):
    older = make_release(slug="older", published_on=datetime.date(2020, 5, 1))
    make_release(slug="newer", published_on=datetime.date(2021, 3, 1))
    Release.objects.filter(pk=older.pk).update(updated_at=timezone.now())  # not a version
    make_release(slug="draft", status=Release.Status.DRAFT, published_on=datetime.date(2024, 1, 1))
    assert section_dates(client)["releases.xml"] == "2021-03-01T00:00:00+08:00"
    correct(older, timezone.make_aware(datetime.datetime(2022, 6, 1, 12)))
    assert section_dates(client)["releases.xml"] == "2022-06-01T12:00:00+08:00"


def test_every_file_of_a_section_carries_its_date_in_local_w3c_time(
    client, make_release, monkeypatch
):
    from releases.sitemaps import ReleaseSitemap

    monkeypatch.setattr(ReleaseSitemap, "limit", 2)
    releases = [make_release(slug=f"release-{n}") for n in range(3)]
    newest = max(release.published_on for release in releases)
    dates = section_dates(client)
    expected = f"{newest.isoformat()}T00:00:00+08:00"
    assert dates["releases.xml"] == dates["releases.xml?p=2"] == expected


def section_dates(client) -> dict:
    root = parse(client.get("/sitemap.xml"), "sitemapindex")
    return {
        s.findtext(f"{SITEMAP}loc").removeprefix("http://testserver/sitemap-"): s.findtext(
            f"{SITEMAP}lastmod"
        )
        for s in root.findall(f"{SITEMAP}sitemap")
    }


def test_index_dates_each_tag_section_by_its_newest_published_edit(
    client, make_release, imda, figure
):
    tagged = make_release(agencies=[imda], figures=[figure])
    untagged = make_release()  # edited last, but carries no tag
    draft = make_release(agencies=[imda], figures=[figure], status=Release.Status.DRAFT)
    Release.objects.filter(pk=tagged.pk).update(updated_at=timezone.now().replace(year=2024))
    Release.objects.filter(pk=untagged.pk).update(updated_at=timezone.now().replace(year=2025))
    Release.objects.filter(pk=draft.pk).update(updated_at=timezone.now().replace(year=2030))

    dates = section_dates(client)

    assert dates["agencies.xml"].startswith("2024-")
    assert dates["figures.xml"].startswith("2024-")
    # Releases follow their public versions, not saves: the newest issued is the newest.
    newest = max(tagged.published_on, untagged.published_on)
    assert dates["releases.xml"].startswith(newest.isoformat())
    assert "programmes.xml" in dates and dates["programmes.xml"] is None  # none in use


def test_index_costs_the_same_however_many_tags(
    client, make_release, django_assert_max_num_queries
):
    for n in range(30):
        make_release(agencies=[f"Agency {n}"], programmes=[f"Programme {n}"])
    with django_assert_max_num_queries(9):
        assert client.get("/sitemap.xml").status_code == 200


def test_index_counts_each_section_once_until_the_data_changes(
    client, make_release, monkeypatch, settings, django_assert_num_queries
):
    from releases.sitemaps import ReleaseSitemap

    settings.PAGE_CACHE_ENABLED = False  # the index itself is rendered each time
    monkeypatch.setattr(ReleaseSitemap, "limit", 2)
    for n in range(2):
        make_release(slug=f"release-{n}")
    second_page = "http://testserver/sitemap-releases.xml?p=2"

    def locations():
        root = parse(client.get("/sitemap.xml"), "sitemapindex")
        return [s.findtext(f"{SITEMAP}loc") for s in root.findall(f"{SITEMAP}sitemap")]

    assert second_page not in locations()
    # Seen again: the data version and each section's newest edit, no counts.
    with django_assert_num_queries(1 + 4):
        assert second_page not in locations()
    make_release(slug="release-2")
    assert second_page in locations()


def test_tag_sections_leave_out_tags_only_unpublished_releases_carry(
    client, release, make_release, tomorrow
):
    make_release(agencies=["Secret Agency"], status=Release.Status.DRAFT)
    make_release(
        programmes=["Secret Programme"], figures=["99 secret widgets"], published_on=tomorrow
    )
    for section in ("agencies", "programmes", "figures"):
        assert not [url for url in urls(client, section) if "secret" in url], section
    for section in ("sitemap.xml", "sitemap-pages.xml", "sitemap-releases.xml"):
        assert "secret" not in client.get(f"/{section}").content.decode()
