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
