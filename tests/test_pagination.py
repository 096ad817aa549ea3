from releases.models import Release


def test_deep_pages_hold_the_same_releases_in_the_same_order(client, make_release, settings):
    settings.RELEASES_PER_PAGE = 20
    for _ in range(45):
        make_release()
    expected = list(Release.objects.published().values_list("title", flat=True)[20:40])
    data = client.get("/api/releases/?page=2").json()
    assert [r["title"] for r in data["results"]] == expected
    assert data["count"] == 45


def test_counts_are_kept_until_the_data_changes(client, make_release, django_assert_num_queries):
    for _ in range(3):
        make_release()
    client.get("/api/releases/?kind=press-release")
    with django_assert_num_queries(3):  # data version, rows, their tags: no count
        assert client.get("/api/releases/?kind=press-release&page=1").json()["count"] == 3
    make_release()
    assert client.get("/api/releases/?kind=press-release").json()["count"] == 4


def test_tag_counts_follow_the_data(client, make_release, imda):
    make_release(agencies=[imda])
    assert "1 release<" in client.get("/agencies/").content.decode()
    make_release(agencies=[imda])
    assert "2 releases<" in client.get("/agencies/").content.decode()


def test_a_list_page_reads_only_its_rows_once_counts_and_choices_are_kept(
    client, make_release, imda, settings, django_assert_num_queries
):
    settings.PAGE_CACHE_ENABLED = False
    make_release(agencies=[imda])
    client.get("/releases/?kind=press-release")
    # Data version, the page's rows, their agencies: no count, no filter choices.
    with django_assert_num_queries(3):
        page = client.get("/releases/?kind=press-release&page=1").content.decode()
    assert f'<option value="{imda.slug}">' in page
    make_release(agencies=["Land Transport Authority"])
    assert "Land Transport Authority</option>" in client.get("/releases/").content.decode()


def test_each_listing_remembers_its_own_count(client, make_release, imda, mci, settings):
    settings.PAGE_CACHE_ENABLED = False  # the counts are remembered, the pages rendered
    make_release(kind="speech", agencies=[imda])
    make_release(kind="speech", agencies=[imda, mci])
    make_release(kind="factsheet", agencies=[mci])

    def count(**params):
        return client.get("/api/releases/", params).json()["count"]

    def page(path, **params):
        return client.get(path, params).content.decode()

    assert count() == 3
    assert count(kind="speech") == 2
    assert count(kind="factsheet") == 1
    assert count(agency="imda") == 2
    assert count(agency=["imda", "mci"]) == 1
    assert count(agency="mci", kind="factsheet") == 1
    assert count(year=2021) == 0
    assert "2 releases" in page("/agencies/imda/")
    assert "1 release<" in page("/agencies/imda/", agency="mci")
    assert "3 releases" in page("/releases/")
    # A filter that cannot be read counts nothing, and nothing is remembered for it.
    assert client.get("/releases/", {"kind": "nonsense"}).status_code == 400
    assert "3 releases" in page("/releases/")
