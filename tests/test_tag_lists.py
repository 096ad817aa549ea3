"""Tags loaded with releases in one statement (`ReleaseQuerySet.with_tag_lists`)."""

import datetime
from decimal import Decimal

from releases.models import Agency, AgencyAlias, Figure, Programme, Release


def as_stored(release):
    managers = {field: getattr(release, field) for field in Release.TAG_FIELDS}
    return {f: list(m.order_by(*m.through.tag_model()._meta.ordering)) for f, m in managers.items()}


def loaded(release):
    return {field: release.tags_of(field) for field in Release.TAG_FIELDS}


def test_each_release_gets_its_own_tags_in_their_usual_order(make_release):
    zeta, alpha = (Agency.objects.create(name=n, acronym=n[:2].upper()) for n in ("Zeta", "Alpha"))
    big = Figure.objects.create(name="12.5 ports", value=Decimal("12.5"), label="ports")
    small = Figure.objects.create(name="3 ports", value=3, label="ports")
    first = make_release(agencies=[zeta, alpha], programmes=["Tide"], figures=[big, small])
    second = make_release(agencies=[alpha])
    make_release()  # no tags at all
    with_lists = Release.objects.order_by("pk").with_tag_lists()
    rows = {release.pk: release for release in with_lists}
    assert loaded(rows[first.pk]) == as_stored(first)
    assert [a.name for a in rows[first.pk].tags_of("agencies")] == ["Alpha", "Zeta"]
    assert [f.value for f in rows[first.pk].tags_of("figures")] == [Decimal(3), Decimal("12.5")]
    assert rows[first.pk].tags_of("agencies")[1].acronym == "ZE"
    assert loaded(rows[second.pk]) == {"agencies": [alpha], "programmes": [], "figures": []}
    assert all(not tags for tags in loaded(rows[max(rows)]).values())


def test_tags_are_read_once_for_a_page_whatever_its_size(make_release, django_assert_num_queries):
    for n in range(5):
        make_release(agencies=[Agency.objects.create(name=f"Agency {n}")], programmes=["Tide"])
    with django_assert_num_queries(2):  # the releases, then every tag of every kind
        releases = list(Release.objects.with_tag_lists())
    assert all(r.agency_list and r.programme_list for r in releases)
    with django_assert_num_queries(2):  # one kind asked for: the same two statements
        releases = list(Release.objects.with_tag_lists("agencies"))
    assert all(len(r.agency_list) == 1 for r in releases)


def test_chunked_iteration_loads_each_chunk_tags(make_release, django_assert_num_queries):
    agency = Agency.objects.create(name="Chunked")
    for _ in range(5):
        make_release(agencies=[agency])
    rows = Release.objects.with_tag_lists().iterator(chunk_size=2)
    assert [release.agency_list for release in rows] == [[agency]] * 5


def test_prefetches_reach_through_the_loaded_tags(make_release, django_assert_num_queries):
    agency = Agency.objects.create(name="Port Authority")
    AgencyAlias.objects.create(
        agency=agency, name="Harbour Board", valid_until=datetime.date(2010, 1, 1)
    )
    make_release(agencies=[agency], published_on=datetime.date(2009, 5, 5))
    queryset = Release.objects.with_tag_lists().prefetch_related("loaded_agencies__aliases")
    with django_assert_num_queries(3):
        (release,) = queryset
        assert release.agencies_as_issued()[0][1].name == "Harbour Board"


def test_prefetch_none_drops_the_tag_lists_too(make_release, django_assert_num_queries):
    make_release(programmes=[Programme.objects.create(name="Solo")])
    with django_assert_num_queries(1):
        (release,) = Release.objects.with_tag_lists().prefetch_related(None)
    with django_assert_num_queries(1):
        assert [p.name for p in release.programme_list] == ["Solo"]


def test_among_finds_by_id_only_what_the_queryset_holds(make_release, django_assert_num_queries):
    agency = Agency.objects.create(name="Among Agency")
    shown = make_release(agencies=[agency], kind="speech")
    draft = make_release(agencies=[agency], status=Release.Status.DRAFT)
    factsheet = make_release(agencies=[agency], kind="factsheet")
    listing = Release.objects.published().filter(kind="speech").for_listing().with_tag_lists()
    with django_assert_num_queries(2):  # the releases, their tags
        (found,) = listing.with_ids([shown.pk, draft.pk, factsheet.pk, 10**9])
        assert found.pk == shown.pk and found.agency_list == [agency]
    assert "body" in found.get_deferred_fields()
