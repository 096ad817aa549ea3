"""Related releases on the detail page: shared tags, programmes first, then recency."""

import datetime
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction

from releases import related
from releases.models import Agency, Programme, Release


def test_ranked_by_weighted_shared_tags_then_recency(make_release, imda, mci, smart_city):
    release = make_release(agencies=[imda, mci], programmes=[smart_city])
    two_agencies = make_release(title="Two agencies", agencies=[imda, mci])
    one_programme = make_release(title="One programme", programmes=[smart_city])
    old_agency = make_release(
        title="Older agency", agencies=[imda], published_on=datetime.date(2001, 1, 1)
    )
    new_agency = make_release(
        title="Newer agency", agencies=[imda], published_on=datetime.date(2024, 1, 1)
    )
    make_release(title="Nothing shared")
    make_release(title="Draft", agencies=[imda, mci], status=Release.Status.DRAFT)

    related = list(Release.objects.published().related_to(release))
    assert related == [one_programme, two_agencies, new_agency, old_agency]
    assert [r.relatedness for r in related] == [3, 2, 1, 1]


def test_a_common_tag_contributes_its_releases_nearest_in_date(
    make_release, imda, smart_city, monkeypatch
):
    # Two candidates per tag: the nearest one before and the nearest one after.
    monkeypatch.setattr(related, "CANDIDATES_PER_TAG", 2)
    years = {
        year: make_release(agencies=[imda], published_on=datetime.date(year, 6, 1))
        for year in (2001, 2003, 2005, 2020, 2024)
    }
    release = make_release(agencies=[imda], published_on=datetime.date(2004, 1, 1))
    assert list(Release.objects.published().related_to(release)) == [years[2005], years[2003]]
    # A release sharing a rarer tag is found whatever its date, and ranks first.
    programme_mate = make_release(
        agencies=[imda], programmes=[smart_city], published_on=datetime.date(1999, 1, 1)
    )
    release.programmes.add(smart_city)
    release = Release.objects.with_tag_lists().get(pk=release.pk)
    assert Release.objects.published().related_to(release)[0] == programme_mate


def test_a_changed_date_moves_a_release_among_the_nearest(make_release, imda, monkeypatch):
    monkeypatch.setattr(related, "CANDIDATES_PER_TAG", 2)
    years = {
        year: make_release(agencies=[imda], published_on=datetime.date(year, 6, 1))
        for year in (2001, 2003, 2005)
    }
    release = make_release(agencies=[imda], published_on=datetime.date(2004, 1, 1))
    # By update(), which no save() override would see: the 2001 release becomes 2004's.
    Release.objects.filter(pk=years[2001].pk).update(published_on=datetime.date(2004, 3, 1))
    assert list(Release.objects.published().related_to(release)) == [years[2001], years[2003]]
    # By save(): the 2005 release moves back to 2003, just before.
    years[2005].published_on = datetime.date(2003, 12, 1)
    years[2005].save()
    assert list(Release.objects.published().related_to(release)) == [years[2001], years[2005]]


def link_dates(release) -> set:
    """The dates the release's tag links carry (each should be the release's own)."""
    return {
        link.published_on
        for through in Release.tag_links().values()
        for link in through.objects.filter(content_object=release)
    }


def test_tag_links_carry_their_release_date_however_data_arrives(
    make_release, imda, smart_city, figure
):
    release = make_release(
        agencies=[imda], programmes=[smart_city], published_on=datetime.date(2020, 5, 1)
    )
    release.figures.add(figure)
    assert link_dates(release) == {datetime.date(2020, 5, 1)}
    release.published_on = datetime.date(2021, 6, 2)
    release.save()
    assert link_dates(release) == {datetime.date(2021, 6, 2)}
    Release.objects.filter(pk=release.pk).update(published_on=datetime.date(2019, 1, 3))
    assert link_dates(release) == {datetime.date(2019, 1, 3)}
    # A link moved to another release takes that release's date.
    other = make_release(published_on=datetime.date(2010, 10, 10))
    Release.tag_links()["agencies"].objects.filter(content_object=release).update(
        content_object=other
    )
    assert link_dates(other) == {datetime.date(2010, 10, 10)}


def test_loaded_fixtures_links_carry_their_release_dates(db):
    call_command("loaddata", *sorted(str(p) for p in Path("fixtures").glob("*.json")), verbosity=0)
    releases = list(Release.objects.all())
    assert len(releases) > 1
    for release in releases:
        assert link_dates(release) in ({release.published_on}, set())
    assert any(link_dates(release) for release in releases)


def test_limited_to_five_and_never_itself(make_release, imda):
    release = make_release(agencies=[imda])
    for _ in range(7):
        make_release(agencies=[imda])
    related = list(Release.objects.published().related_to(release))
    assert len(related) == 5
    assert release not in related


def test_a_release_without_tags_has_none(make_release, imda, django_assert_num_queries):
    release = make_release()
    make_release(agencies=[imda])
    with django_assert_num_queries(3):  # its three (empty) tag kinds, and nothing more
        assert list(Release.objects.published().related_to(release)) == []


def test_ranking_respects_the_queryset_it_is_called_on(make_release, imda):
    release = make_release(agencies=[imda])
    make_release(title="Speech", agencies=[imda], kind=Release.Kind.SPEECH)
    make_release(title="Factsheet", agencies=[imda], kind=Release.Kind.FACTSHEET)
    related = Release.objects.published().filter(kind=Release.Kind.SPEECH).related_to(release)
    assert [r.title for r in related] == ["Speech"]


def test_detail_page_shows_related_releases(client, release, make_release, smart_city):
    make_release(title="Smart city follow-up", programmes=[smart_city])
    page = client.get(release.get_absolute_url()).content.decode()
    assert "Related releases" in page
    assert "Smart city follow-up" in page


def test_detail_page_queries_do_not_grow_with_tags_or_related(
    client, make_release, django_assert_num_queries
):
    def detail_queries(n):
        agencies = [Agency.objects.create(name=f"Agency {n}-{i}") for i in range(n)]
        programmes = [Programme.objects.create(name=f"Programme {n}-{i}") for i in range(n)]
        release = make_release(agencies=agencies, programmes=programmes)
        for _ in range(n):
            make_release(agencies=agencies, programmes=programmes)
        return release

    # The data version (caching headers), the release, its tags, the agencies' former
    # names, the related ranking with previous and next, those releases and their agencies.
    expected = 7
    small = detail_queries(1)
    with django_assert_num_queries(expected):
        client.get(small.get_absolute_url())
    large = detail_queries(6)
    with django_assert_num_queries(expected):
        response = client.get(large.get_absolute_url())
    assert response.content.decode().count('class="card"') == 5


def test_detail_page_keeps_its_ranking_until_the_data_changes(
    client, make_release, imda, django_assert_num_queries, settings
):
    settings.PAGE_CACHE_ENABLED = False  # the page itself is rendered each time
    release = make_release(agencies=[imda], published_on=datetime.date(2020, 1, 1))
    make_release(title="First mate", agencies=[imda], published_on=datetime.date(2019, 1, 1))
    client.get(release.get_absolute_url())
    # Seen again: no ranking statement.
    with django_assert_num_queries(7 - 1):
        page = client.get(release.get_absolute_url()).content.decode()
    assert "First mate" in page
    # Any change gives a new ranking: a new release sharing the agency is listed.
    make_release(title="Second mate", agencies=[imda], published_on=datetime.date(2021, 1, 1))
    page = client.get(release.get_absolute_url()).content.decode()
    assert "First mate" in page and "Second mate" in page


def test_around_finds_neighbours_and_related_together(make_release, imda, mci):
    day = datetime.date(2020, 6, 1)
    earlier = make_release(title="Earlier", agencies=[imda], published_on=datetime.date(2020, 1, 1))
    release = make_release(title="Here", agencies=[imda, mci], published_on=day)
    same_day_after = make_release(title="Same day", published_on=day)  # higher id: after
    make_release(title="Draft", agencies=[imda, mci], status=Release.Status.DRAFT)
    both = make_release(title="Both", agencies=[imda, mci], published_on=datetime.date(2021, 1, 1))

    around = Release.objects.published().surroundings_of(release)
    assert around.previous == earlier
    assert around.following == same_day_after
    # The previous release is also related: it is listed, with its score, in both places.
    assert around.related == [both, earlier]
    assert [r.relatedness for r in around.related] == [2, 1]


def test_around_the_first_and_last_release(make_release, imda):
    first = make_release(agencies=[imda], published_on=datetime.date(2001, 1, 1))
    last = make_release(agencies=[imda], published_on=datetime.date(2002, 1, 1))
    assert Release.objects.published().surroundings_of(first).previous is None
    assert Release.objects.published().surroundings_of(first).following == last
    assert Release.objects.published().surroundings_of(last).following is None
    untagged = make_release(published_on=datetime.date(2003, 1, 1))
    around = Release.objects.published().surroundings_of(untagged)
    assert (around.previous, around.following, around.related) == (last, None, [])


@pytest.mark.django_db(transaction=True)
def test_a_link_loaded_before_its_release_gets_the_date_at_commit():
    # loaddata defers foreign keys, so a fixture may list a link before its release.
    agency = Agency.objects.create(name="Early Agency")
    with transaction.atomic():
        Release.tag_links()["agencies"].objects.create(content_object_id=424242, tag=agency)
        release = Release.objects.create(
            pk=424242,
            title="Late",
            slug="late",
            body="Body.",
            published_on=datetime.date(2015, 3, 4),
        )
    assert link_dates(release) == {datetime.date(2015, 3, 4)}


def test_rankings_of_different_querysets_and_releases_stay_apart(make_release, imda, mci):
    # The ranking's statement is written once per shape and reused: the release, its
    # tags and the queryset's conditions must still each be its own.
    speech = make_release(title="Speech", kind="speech", agencies=[imda])
    factsheet = make_release(title="Factsheet", kind="factsheet", agencies=[imda])
    first = make_release(agencies=[imda])
    other = make_release(title="Other", agencies=[mci])
    second = make_release(agencies=[mci])
    published = Release.objects.published()
    assert set(published.related_to(first)) == {speech, factsheet}
    assert list(published.filter(kind="speech").related_to(first)) == [speech]
    assert list(published.filter(kind="factsheet").related_to(first)) == [factsheet]
    assert list(published.related_to(second)) == [other]
