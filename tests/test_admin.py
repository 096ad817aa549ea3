import datetime

import pytest
from django.urls import reverse

from releases.models import Agency, Figure, Release


def test_changelist_shows_columns_and_filters(admin_client, release):
    response = admin_client.get(reverse("admin:releases_release_changelist"))
    text = response.content.decode()
    assert response.status_code == 200
    assert "Singapore and Shenzhen sign eight MoUs" in text
    assert "IMDA" in text  # agency column uses the acronym
    for heading in ("By status", "By kind", "By year", "By agencies", "By programmes"):
        assert heading in text


@pytest.mark.parametrize(
    "query", ["status__exact=published", "kind__exact=press-release", "year=2022", "q=Shenzhen"]
)
def test_changelist_filters_and_search(admin_client, release, make_release, query):
    make_release(
        title="Unrelated draft",
        status="draft",
        kind="speech",
        published_on=datetime.date(2019, 1, 1),
    )
    url = reverse("admin:releases_release_changelist") + "?" + query
    text = admin_client.get(url).content.decode()
    assert "Singapore and Shenzhen sign eight MoUs" in text
    assert "Unrelated draft" not in text


def test_add_release_with_tags(admin_client, imda):
    response = admin_client.post(
        reverse("admin:releases_release_add"),
        {
            "title": "New release",
            "slug": "new-release",
            "kind": "factsheet",
            "summary": "Short.",
            "body": "Some *text*.",
            "agencies": "IMDA, Infocomm Media Development Authority",
            "programmes": "TradeTrust",
            "figures": "14 new joint projects",
            "status": "published",
            "published_on": "2023-01-05",
            "language": "en",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    release = Release.objects.get(slug="new-release")
    assert release.body_html == "<p>Some <em>text</em>.</p>"
    assert sorted(a.name for a in release.agencies.all()) == [
        "IMDA",
        "Infocomm Media Development Authority",
    ]
    assert Figure.objects.get().value == 14


def test_change_form_has_view_on_site_link(admin_client, release):
    response = admin_client.get(reverse("admin:releases_release_change", args=[release.pk]))
    assert response.status_code == 200
    assert "View on site" in response.content.decode()


@pytest.mark.parametrize("model", ["agency", "programme", "figure"])
def test_tag_admins_show_release_counts(admin_client, release, model):
    response = admin_client.get(reverse(f"admin:releases_{model}_changelist"))
    assert response.status_code == 200
    assert 'class="field-release_count">1<' in response.content.decode()


def test_agency_admin_edits_acronym(admin_client, imda):
    response = admin_client.post(
        reverse("admin:releases_agency_change", args=[imda.pk]),
        {"name": imda.name, "slug": imda.slug, "acronym": "IMDA-SG"},
    )
    assert response.status_code == 302
    assert Agency.objects.get().acronym == "IMDA-SG"
