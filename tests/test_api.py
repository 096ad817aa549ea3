"""The read-only JSON API: shapes, errors, query counts and public versions."""

import pytest

from releases import withdrawal
from releases.models import Release
from tests.test_versions import correct_then_update, edit


def test_list_shape(client, release):
    data = client.get("/api/releases/").json()
    assert data["count"] == 1
    assert data["next"] is None and data["previous"] is None
    (result,) = data["results"]
    assert result == {
        "slug": "singapore-shenzhen-mous",
        "title": "Singapore and Shenzhen sign eight MoUs",
        "url": "http://testserver/releases/singapore-shenzhen-mous/",
        "kind": "press-release",
        "published_on": "2022-12-02",
        "summary": "Eight memoranda signed at the third committee meeting.",
        "agencies": [{"name": "Infocomm Media Development Authority", "slug": "imda"}],
        "programmes": [
            {
                "name": "Singapore-China (Shenzhen) Smart City Initiative",
                "slug": "smart-city-initiative",
            }
        ],
        "figures": [
            {
                "name": "8 MoUs signed",
                "slug": "8-mous-signed",
                "value": 8.0,
                "label": "MoUs signed",
                "display_value": "8",
            }
        ],
        "version": 1,
    }


def test_detail_adds_body_source_and_update_time(client, release):
    data = client.get("/api/releases/singapore-shenzhen-mous/").json()
    assert data["body_html"].startswith("<h2>Highlights</h2>")
    assert data["source_url"] == ""
    assert data["updated_at"].startswith(str(release.updated_at.date()))
    assert data["slug"] == "singapore-shenzhen-mous"


def test_unknown_release_is_json_404(client, db):
    response = client.get("/api/releases/nope/")
    assert response.status_code == 404
    assert response.json()["error"]


def test_api_query_count_does_not_grow(client, make_release, imda, django_assert_max_num_queries):
    for n in range(20):
        make_release(agencies=[imda], figures=[f"{n + 1} items"])
    with django_assert_max_num_queries(6):
        assert len(client.get("/api/releases/").json()["results"]) == 20


def test_detail_of_a_withdrawn_release_says_so_with_date_and_reason(client, release):
    import datetime

    from django.utils import timezone

    from releases import withdrawal
    from releases.models import Release

    assert client.get("/api/releases/singapore-shenzhen-mous/").json()["withdrawn"] is None
    withdrawal.withdraw({release.pk: 1}, "issued in error")
    at = timezone.make_aware(datetime.datetime(2022, 12, 5, 10, 30))
    Release.objects.update(withdrawn_at=at)
    response = client.get("/api/releases/singapore-shenzhen-mous/")
    assert response.status_code == 200
    data = response.json()
    assert data["withdrawn"] == {
        "on": "2022-12-05",
        "at": "2022-12-05T02:30:00+00:00",  # as updated_at: UTC
        "reason": "issued in error",
    }
    assert data["title"] == "Singapore and Shenzhen sign eight MoUs"
    assert client.get("/api/releases/").json()["count"] == 0


def test_a_deleted_once_public_release_is_json_410(client, release):
    from releases import withdrawal
    from releases.models import Release

    withdrawal.leave_addresses(Release.objects.all())
    release.delete()
    response = client.get("/api/releases/singapore-shenzhen-mous/")
    assert response.status_code == 410
    assert response.json() == {"error": "That release was removed from the archive.", "details": []}


# --- Public versions ---------------------------------------------------------------------


@pytest.fixture
def corrected(release):
    return correct_then_update(release)


def test_detail_lists_the_public_versions_oldest_first(client, corrected):
    data = client.get("/api/releases/singapore-shenzhen-mous/").json()
    assert data["version"] == 3
    base = "http://testserver/releases/singapore-shenzhen-mous/v"
    note = "An earlier version said eight MoUs."
    assert data["versions"] == [
        {
            "number": 1,
            "kind": "issued",
            "published_on": "2022-12-02",
            "published_at": "2022-12-01T16:00:00+00:00",  # the start of its day, in UTC
            "note": "",
            "url": f"{base}/1/",
        },
        {
            "number": 2,
            "kind": "correction",
            "published_on": "2022-12-05",
            "published_at": "2022-12-05T02:00:00+00:00",
            "note": note,
            "url": f"{base}/2/",
        },
        {
            "number": 3,
            "kind": "update",
            "published_on": "2023-01-09",
            "published_at": "2023-01-09T01:00:00+00:00",
            "note": note,  # as it stood: the update left it as it was
            "url": f"{base}/3/",
        },
    ]
    assert client.get(data["versions"][0]["url"]).status_code == 200


def test_a_release_never_changed_has_one_version(client, release):
    data = client.get("/api/releases/singapore-shenzhen-mous/").json()
    assert data["version"] == 1
    assert [(v["number"], v["kind"], v["published_on"]) for v in data["versions"]] == [
        (1, "issued", "2022-12-02")
    ]
    assert client.get("/api/releases/").json()["results"][0]["version"] == 1


def test_list_gives_each_release_its_current_version(client, corrected, make_release):
    make_release(slug="never-changed")
    results = client.get("/api/releases/?sort=title").json()["results"]
    assert {result["slug"]: result["version"] for result in results} == {
        "singapore-shenzhen-mous": 3,
        "never-changed": 1,
    }
    searched = client.get("/api/releases/?q=nine").json()["results"]
    assert [(result["slug"], result["version"]) for result in searched] == [
        ("singapore-shenzhen-mous", 3)
    ]


def test_versions_of_a_release_taken_back_to_draft_are_not_shown(client, corrected):
    edit(corrected, status=Release.Status.DRAFT)
    assert client.get("/api/releases/singapore-shenzhen-mous/").status_code == 404
    assert client.get("/api/releases/").json()["results"] == []


def test_a_scheduled_release_has_no_versions_to_show(client, make_release, tomorrow):
    make_release(slug="embargoed", published_on=tomorrow)
    assert client.get("/api/releases/embargoed/").status_code == 404
    assert client.get("/api/releases/").json()["count"] == 0


def test_a_withdrawn_release_still_lists_its_versions(client, corrected):
    withdrawal.withdraw({corrected.pk: corrected.version}, "issued in error")
    data = client.get("/api/releases/singapore-shenzhen-mous/").json()
    assert (data["version"], len(data["versions"])) == (3, 3)


def test_versions_add_no_query_per_release(
    client, make_release, imda, django_assert_max_num_queries
):
    for n in range(20):
        correct_then_update(make_release(agencies=[imda], figures=[f"{n + 1} items"]))
    with django_assert_max_num_queries(6):
        results = client.get("/api/releases/").json()["results"]
    assert {result["version"] for result in results} == {3}
