import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from releases.models import Agency, Release
from releases.templatetags.archive_tags import long_date


def test_home_lists_latest_releases_and_browse_links(client, release):
    response = client.get("/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Singapore and Shenzhen sign eight MoUs" in text
    assert "Infocomm Media Development Authority" in text
    assert "Singapore-China (Shenzhen) Smart City Initiative" in text


def test_list_shows_published_releases_newest_first(client, make_release, tomorrow):
    make_release(title="Older one", published_on=datetime.date(2020, 1, 1))
    make_release(title="Newer one", published_on=datetime.date(2023, 1, 1))
    make_release(title="Secret draft", status=Release.Status.DRAFT)
    make_release(title="Embargoed", published_on=tomorrow)

    text = client.get("/releases/").content.decode()
    assert text.index("Newer one") < text.index("Older one")
    assert "Secret draft" not in text
    assert "Embargoed" not in text
    assert "2 releases" in text


def test_detail_shows_release_with_tags_and_share_links(client, release):
    response = client.get(release.get_absolute_url())
    assert response.status_code == 200
    text = response.content.decode()
    assert "<h1>Singapore and Shenzhen sign eight MoUs</h1>" in text
    assert '<time datetime="2022-12-02">2 December 2022</time>' in text
    assert "<strong>MoUs</strong>" in text
    assert 'href="/agencies/imda/"' in text
    assert 'href="/programmes/smart-city-initiative/"' in text
    assert (
        '<span class="figure__value">8</span> <span class="figure__label">MoUs signed</span>'
        in text
    )
    assert "Send this to a friend" in text
    assert "mailto:?subject=Singapore%20and%20Shenzhen" in text


def test_detail_links_previous_and_next(client, make_release):
    first = make_release(title="First", published_on=datetime.date(2020, 1, 1))
    middle = make_release(title="Middle", published_on=datetime.date(2020, 6, 1))
    last = make_release(title="Last", published_on=datetime.date(2021, 1, 1))
    text = client.get(middle.get_absolute_url()).content.decode()
    assert f'rel="prev" href="{first.get_absolute_url()}"' in text
    assert f'rel="next" href="{last.get_absolute_url()}"' in text


@pytest.mark.parametrize("status", ["draft", "future"])
def test_unpublished_release_is_404_for_the_public(client, make_release, tomorrow, status):
    if status == "draft":
        hidden = make_release(status=Release.Status.DRAFT)
    else:
        hidden = make_release(published_on=tomorrow)
    assert client.get(hidden.get_absolute_url()).status_code == 404
    assert client.get(f"/api/releases/{hidden.slug}/").status_code == 404


def test_staff_see_a_draft_with_a_banner(admin_client, make_release):
    draft = make_release(title="Work in progress", status=Release.Status.DRAFT)
    response = admin_client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert "only staff can see this page" in response.content.decode()


def test_drafts_do_not_count_towards_tag_pages(client, make_release, imda):
    make_release(title="Public", agencies=[imda])
    make_release(title="Hidden", agencies=[imda], status=Release.Status.DRAFT)
    text = client.get("/agencies/").content.decode()
    assert "1 release<" in text
    page = client.get("/agencies/imda/").content.decode()
    assert "Public" in page
    assert "Hidden" not in page


def test_tag_index_lists_tags_a_to_z_with_their_counts(client, make_release, db):
    zeta, alpha, mid = (
        Agency.objects.create(name=name, slug=name.lower()) for name in ("Zeta", "Alpha", "Mid")
    )
    make_release(agencies=[zeta])
    make_release(agencies=[zeta, mid])
    make_release(agencies=[alpha])
    text = client.get("/agencies/").content.decode()
    listed = re.findall(
        r'<a href="/agencies/[^/]+/">([^<]*)</a> <span class="count">([^<]*)<', text
    )
    assert listed == [("Alpha", "1 release"), ("Mid", "1 release"), ("Zeta", "2 releases")]


def test_tag_page_counts_only_public_releases_with_and_without_filters(
    client, make_release, imda, tomorrow
):
    make_release(agencies=[imda], kind=Release.Kind.SPEECH, published_on=datetime.date(2023, 5, 1))
    make_release(agencies=[imda], published_on=datetime.date(2024, 5, 1))
    make_release(agencies=[imda], status=Release.Status.DRAFT)
    make_release(agencies=[imda], published_on=tomorrow)
    make_release()  # another agency's

    def count(url):
        text = client.get(url).content.decode()
        return re.search(r'class="result-count">([^<]*)<', text).group(1)

    assert count("/agencies/imda/") == "2 releases"
    assert count("/agencies/imda/?year=2024") == "1 release"
    assert count("/agencies/imda/?kind=speech") == "1 release"
    assert count("/agencies/imda/?year=2030") == "0 releases"


@pytest.mark.parametrize(
    ("url", "text"),
    [
        ("/agencies/", "Infocomm Media Development Authority (IMDA)"),
        ("/programmes/", "Singapore-China (Shenzhen) Smart City Initiative"),
        ("/figures/", "8 MoUs signed"),
        ("/agencies/imda/", "Singapore and Shenzhen sign eight MoUs"),
        ("/programmes/smart-city-initiative/", "Singapore and Shenzhen sign eight MoUs"),
        ("/figures/8-mous-signed/", "Singapore and Shenzhen sign eight MoUs"),
    ],
)
def test_tag_pages(client, release, url, text):
    response = client.get(url)
    assert response.status_code == 200
    assert text in response.content.decode()


@pytest.mark.parametrize(
    "url",
    ["/agencies/nobody/", "/programmes/nothing/", "/figures/0-things/", "/releases/no-such-slug/"],
)
def test_unknown_slugs_are_404(client, db, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


# --- Tags of unpublished releases ---------------------------------------------------

UNPUBLISHED = pytest.mark.parametrize("state", ["draft", "scheduled"])
SECRET_TAGS = pytest.mark.parametrize(
    ("field", "name", "url"),
    [
        ("agencies", "Secret Agency", "/agencies/secret-agency/"),
        ("programmes", "Secret Programme", "/programmes/secret-programme/"),
        ("figures", "99 secret widgets", "/figures/99-secret-widgets/"),
    ],
)


def unpublished(state, tomorrow) -> dict:
    if state == "draft":
        return {"status": Release.Status.DRAFT}
    return {"published_on": tomorrow}


def answers_alike(client, secret_url, never_url):
    """The same status and page for both addresses, as far as each names itself."""
    secret, never = client.get(secret_url), client.get(never_url)
    assert secret.status_code == never.status_code
    secret_path, never_path = secret_url.encode(), never_url.encode()
    assert secret.content.replace(secret_path, never_path) == never.content
    return secret


def clock_at(monkeypatch, day):
    """Make `day` today for the archive, as midnight would."""
    localdate = timezone.localdate
    monkeypatch.setattr(
        timezone, "localdate", lambda value=None, tz=None: localdate(value, tz) if value else day
    )


@UNPUBLISHED
@SECRET_TAGS
def test_a_tag_only_unpublished_releases_carry_is_not_found(
    client, release, make_release, tomorrow, state, field, name, url
):
    make_release(title="Embargoed", **{field: [name]}, **unpublished(state, tomorrow))
    assert answers_alike(client, url, url.replace("secret", "never")).status_code == 404
    index = client.get(url.rsplit("/", 2)[0] + "/").content.decode()
    assert name not in index


@UNPUBLISHED
def test_the_old_address_of_a_tag_only_unpublished_releases_carry_is_not_found(
    client, make_release, tomorrow, state
):
    make_release(agencies=["Secret Agency"], **unpublished(state, tomorrow))
    agency = Agency.objects.get(slug="secret-agency")
    agency.slug = "secret-renamed"
    agency.save()
    secret = answers_alike(client, "/agencies/secret-agency/", "/agencies/never-agency/")
    assert secret.status_code == 404


def test_a_tag_of_a_withdrawn_release_keeps_its_page_but_leaves_the_lists(
    client, make_release, release
):
    make_release(agencies=["Withdrawn Agency"], status=Release.Status.WITHDRAWN)
    response = client.get("/agencies/withdrawn-agency/")
    assert response.status_code == 200
    assert 'class="result-count">0 releases<' in response.content.decode()
    assert "Withdrawn Agency" not in client.get("/agencies/").content.decode()


@SECRET_TAGS
def test_tag_pages_follow_their_release_being_due_then_unpublished(
    client, release, make_release, tomorrow, monkeypatch, field, name, url
):
    embargoed = make_release(title="Embargoed", **{field: [name]}, published_on=tomorrow)
    index = url.rsplit("/", 2)[0] + "/"
    assert client.get(url).status_code == 404
    clock_at(monkeypatch, tomorrow)
    assert "Embargoed" in client.get(url).content.decode()
    assert name in client.get(index).content.decode()
    Release.objects.filter(pk=embargoed.pk).update(status=Release.Status.DRAFT)
    assert client.get(url).status_code == 404
    assert name not in client.get(index).content.decode()


def test_healthz(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_user_text_is_escaped(client, make_release):
    release = make_release(title="Tom & <b>Jerry</b>", summary="<script>alert(1)</script>")
    text = client.get(release.get_absolute_url()).content.decode()
    assert "Tom &amp; &lt;b&gt;Jerry&lt;/b&gt;" in text
    assert "<script>alert(1)</script>" not in text


def test_list_query_count_does_not_grow_with_releases(
    client, make_release, imda, smart_city, django_assert_max_num_queries
):
    for n in range(25):
        make_release(agencies=[imda], programmes=[smart_city], figures=[f"{n + 1} things"])
    with django_assert_max_num_queries(8):
        response = client.get(reverse("releases:list"))
    assert response.status_code == 200
    assert response.content.decode().count('class="card"') == 20


def test_home_and_detail_query_counts_are_bounded(client, release, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        assert client.get("/").status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(release.get_absolute_url()).status_code == 200


def test_listed_dates_read_as_day_month_year(client, make_release):
    make_release(title="Dated", published_on=datetime.date(2022, 12, 2))
    text = client.get("/releases/").content.decode()
    assert '<time datetime="2022-12-02">2 December 2022</time>' in text
    assert long_date(datetime.date(2021, 3, 9)) == "9 March 2021"
    assert long_date(None) == ""


def test_kind_menu_offers_every_kind_and_keeps_the_choice(client, release):
    text = client.get("/releases/", {"kind": "speech"}).content.decode()
    assert '<option value="speech" selected>Speech</option>' in text
    assert '<option value="">Any kind</option>' in text
    assert all(f'<option value="{value}"' in text for value, _ in Release.Kind.choices)
    assert (
        '<option value="" selected>Any kind</option>' in client.get("/releases/").content.decode()
    )
