"""Facet counts by subtraction (releases/search/facets.py): a common word's count and facets.

Each case is counted both ways, from the matches and by subtraction (the archive's
totals less the releases that lack the word), and the two must agree with the
listing's filters.
"""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Q

from releases.dbobjects.search_totals import SENTINEL
from releases.models import Agency, Programme, Release
from releases.search import postgres, search_releases, sqlite
from releases.search.facets import subtraction_pays
from releases.search.query import parse


@pytest.fixture
def harbour(make_release, imda, mci, smart_city, tomorrow):
    """Harbour releases of every kind, several agencies and years; a few lack the word."""
    today = datetime.date.today()
    kinds = list(Release.Kind.values)
    for n in range(28):
        make_release(
            title=f"Harbour note {n}" if n % 6 else f"Quiet note {n}",
            kind=kinds[n % len(kinds)],
            agencies=[[imda], [mci], [imda, mci], []][n % 4],
            programmes=[smart_city] if n % 5 == 0 else [],
            published_on=datetime.date(2019 + n % 4, 1 + n % 12, 1 + n % 27),
        )
    make_release(title="Harbour today", agencies=[imda], published_on=today)
    make_release(title="Harbour scheduled", agencies=[imda], published_on=tomorrow)
    make_release(title="Harbour draft", agencies=[mci], status=Release.Status.DRAFT)


def counted(query, filters, *, by_subtraction):
    results = search_releases(query=query, filters=filters)
    results._counts_by_subtraction = lambda cursor: by_subtraction
    return results.count(), results.facets


def subtracts(query, filters=None):
    results = search_releases(query=query, filters=filters or {})
    with connection.cursor() as cursor:
        return results._counts_by_subtraction(cursor)


def listed(query_word, filters):
    return (
        Release.objects.published()
        .filter_by(**filters)
        .filter(Q(title__icontains=query_word) | Q(body__icontains=query_word))
        .count()
    )


FILTERS = [
    {},
    {"kind": Release.Kind.SPEECH},
    {"year": 2021},
    {"date_from": datetime.date(2020, 3, 15)},
    {"date_to": datetime.date(2021, 6, 30)},
    {"date_from": datetime.date(2019, 5, 2), "date_to": datetime.date(2022, 2, 9)},
]


@pytest.mark.parametrize("filters", FILTERS)
def test_counting_by_subtraction_agrees_with_counting_the_matches(harbour, filters):
    assert subtracts("harbour", filters) or filters
    by_subtraction = counted("harbour", filters, by_subtraction=True)
    assert by_subtraction == counted("harbour", filters, by_subtraction=False)
    assert by_subtraction[0] == listed("harbour", filters)


def test_tag_filters_count_from_their_tagsets(harbour):
    imda, mci = Agency.objects.get(slug="imda"), Agency.objects.get(slug="mci")
    programme = Programme.objects.get()
    for filters in (
        {"agencies": [imda]},
        {"agencies": [imda, mci]},
        {"programmes": [programme]},
        {"agencies": [mci], "kind": Release.Kind.PRESS_RELEASE, "year": 2020},
    ):
        by_subtraction = counted("harbour", filters, by_subtraction=True)
        assert by_subtraction == counted("harbour", filters, by_subtraction=False)
        assert by_subtraction[0] == listed("harbour", filters)


def test_common_plain_words_are_counted_by_subtraction(harbour):
    assert subtracts("harbour")
    assert subtracts("harbour note")
    assert subtracts("harbour OR quiet")
    # Rare words, phrases and exclusions are counted from their matches.
    assert not subtracts("quiet")
    assert not subtracts('"harbour note"')
    assert not subtracts("harbour -quiet")


def test_each_engine_subtracts_only_where_that_is_faster():
    # A word in 60 of 100 releases: SQLite finds each of the 40 lacking it as fast as
    # each of the 60 holding it, so it counts the 40; PostgreSQL walks every release's
    # mark to find the 40, so it counts the 60.
    assert subtraction_pays(parse("harbour"), 100, {"harbour": 60}, sqlite.LACKING_SHARE)
    assert not subtraction_pays(parse("harbour"), 100, {"harbour": 60}, postgres.LACKING_SHARE)
    assert subtraction_pays(parse("harbour"), 100, {"harbour": 80}, postgres.LACKING_SHARE)
    # Each required group can miss the releases lacking its commonest word; they add up.
    assert not subtraction_pays(parse("harbour quiet"), 100, {"harbour": 80, "quiet": 80}, 0.3)
    assert subtraction_pays(parse("harbour OR quiet"), 100, {"harbour": 50, "quiet": 80}, 0.3)


def test_totals_follow_every_change(harbour, make_release):
    imda = Agency.objects.get(slug="imda")

    def agree():
        for filters in ({}, {"agencies": [imda]}, {"year": 2020}):
            by_subtraction = counted("harbour", filters, by_subtraction=True)
            assert by_subtraction == counted("harbour", filters, by_subtraction=False)
            assert by_subtraction[0] == listed("harbour", filters)

    agree()
    Release.objects.filter(title__endswith="1").update(status=Release.Status.DRAFT)
    agree()
    Release.objects.filter(title__endswith="2").update(published_on=datetime.date(2018, 4, 4))
    agree()
    Release.objects.filter(title__endswith="draft").update(status=Release.Status.PUBLISHED)
    agree()
    for release in Release.objects.filter(title__endswith="3"):
        release.agencies.set([imda])
    agree()
    Release.objects.filter(title__endswith="4").delete()
    agree()
    make_release(title="Harbour late addition", agencies=[imda])
    agree()


def test_rebuild_recounts_the_totals(harbour):
    expected = counted("harbour", {}, by_subtraction=False)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE releases_searchtotal SET published = published + 7")
    assert counted("harbour", {}, by_subtraction=True) != expected
    call_command("rebuild_search_index", stdout=None)
    assert counted("harbour", {}, by_subtraction=True) == expected


def test_no_reader_can_search_for_the_mark_every_release_carries(harbour, client):
    assert not search_releases(query=SENTINEL)
    data = client.get("/api/releases/", {"q": SENTINEL + "harbour"}).json()
    assert data["count"] == listed("harbour", {})
    assert client.get("/api/releases/", {"q": SENTINEL}).status_code == 200
