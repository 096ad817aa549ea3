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
