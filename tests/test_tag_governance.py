"""Merging and renaming tags, their old addresses, and agencies' former names."""

import datetime

import pytest
from django.db import IntegrityError
from django.urls import reverse

from releases.models import (
    Agency,
    AgencyAlias,
    AgencyRedirect,
    Figure,
    Programme,
    Release,
    TaggedAgency,
)
from releases.search import search_releases

from .admin_pages import change_url, form_data


@pytest.fixture
def imda_typo(db):
    return Agency.objects.create(name="Imda", slug="imda-2")


def merge(admin_client, model, tags, survivor, apply=True):
    data = {"action": "merge_tags", "_selected_action": [t.pk for t in tags]}
    if apply:
        data |= {"apply": "1", "survivor": survivor.pk}
    return admin_client.post(reverse(f"admin:releases_{model}_changelist"), data, follow=True)


def test_merge_asks_which_tag_to_keep(admin_client, imda, imda_typo):
    response = merge(admin_client, "agency", [imda, imda_typo], imda, apply=False)
    text = response.content.decode()
    assert "Choose the agency to keep" in text
    assert "imda-2" in text
    assert Agency.objects.count() == 2


def test_merge_keeps_every_release_link(admin_client, make_release, imda, imda_typo, mci):
    both = make_release(agencies=[imda, imda_typo, mci])
    typo_only = make_release(agencies=[imda_typo])
    untouched = make_release(agencies=[mci])

    response = merge(admin_client, "agency", [imda, imda_typo], imda)

    assert "Merged 1 into “Infocomm Media Development Authority”" in response.content.decode()
    assert list(Agency.objects.order_by("slug").values_list("slug", flat=True)) == ["imda", "mci"]
    assert {a.slug for a in both.agencies.all()} == {"imda", "mci"}
    assert [a.slug for a in typo_only.agencies.all()] == ["imda"]
    assert [a.slug for a in untouched.agencies.all()] == ["mci"]
    assert TaggedAgency.objects.count() == 4
    # Search sees the merge: its filter and facet count the releases the typo was on.
    results = search_releases(query="release", filters={"agencies": [imda]})
    assert {r.pk for r in results} == {both.pk, typo_only.pk}
    agencies = search_releases(query="release").facets["agency"]
    assert [(v.slug, v.count) for v in agencies] == [("imda", 2), ("mci", 2)]


def test_merged_tag_address_redirects_permanently(
    admin_client, client, make_release, imda, imda_typo
):
    make_release(agencies=[imda_typo])  # tag pages are for tags in public use
    merge(admin_client, "agency", [imda, imda_typo], imda)
    response = client.get("/agencies/imda-2/?kind=speech&year=2022")
    assert response.status_code == 301
    assert response["Location"] == "/agencies/imda/?kind=speech&year=2022"
    assert client.get(response["Location"]).status_code == 200


def test_merging_again_moves_older_redirects_to_the_survivor(
    admin_client, client, make_release, imda, imda_typo, mci
):
    make_release(agencies=[imda_typo])
    merge(admin_client, "agency", [imda, imda_typo], imda)
    merge(admin_client, "agency", [mci, imda], mci)
    assert client.get("/agencies/imda-2/")["Location"] == "/agencies/mci/"
    assert client.get("/agencies/imda/")["Location"] == "/agencies/mci/"


def test_merge_keeps_the_absorbed_name_searchable(admin_client, imda):
    old = Agency.objects.create(name="Infocomm Development Authority", slug="ida", acronym="IDA")
    AgencyAlias.objects.create(agency=old, name="Telecommunication Authority of Singapore")
    merge(admin_client, "agency", [imda, old], imda)
    assert sorted(imda.alias_names()) == [
        "IDA",
        "Infocomm Development Authority",
        "Telecommunication Authority of Singapore",
    ]


def test_merge_needs_two_tags(admin_client, imda):
    response = merge(admin_client, "agency", [imda], imda)
    assert "Select at least two to merge." in response.content.decode()


@pytest.mark.parametrize("model", ["programme", "figure"])
def test_every_kind_can_be_merged(admin_client, client, make_release, model):
    if model == "programme":
        keep = Programme.objects.create(name="TradeTrust", slug="tradetrust")
        drop = Programme.objects.create(name="Trade Trust", slug="trade-trust")
        release = make_release(programmes=[drop])
        tags = release.programmes
    else:
        keep = Figure.objects.create(value=8, label="MoUs signed")
        drop = Figure.objects.create(name="eight MoUs signed", value=8, label="MoUs signed")
        release = make_release(figures=[drop])
        tags = release.figures
    merge(admin_client, model, [keep, drop], keep)
    assert list(tags.all()) == [keep]
    response = client.get(f"/{model}s/{drop.slug}/")
    assert response.status_code == 301
    assert response["Location"] == keep.get_absolute_url()


def test_renamed_tag_old_slug_redirects(admin_client, client, make_release, imda):
    make_release(agencies=[imda])
    admin_client.post(
        reverse("admin:releases_agency_change", args=[imda.pk]),
        {
            "name": imda.name,
            "slug": "infocomm-media",
            "acronym": "IMDA",
            "aliases-TOTAL_FORMS": "0",
            "aliases-INITIAL_FORMS": "0",
            "redirects-TOTAL_FORMS": "0",
            "redirects-INITIAL_FORMS": "0",
        },
    )
    response = client.get("/agencies/imda/")
    assert response.status_code == 301
    assert response["Location"] == "/agencies/infocomm-media/"
    page = admin_client.get(reverse("admin:releases_agency_change", args=[imda.pk]))
    assert "old addresses (redirect here)" in page.content.decode().lower()


def test_a_live_tag_wins_over_an_old_address(client, make_release, imda):
    imda.slug = "infocomm-media"
    imda.save()
    make_release(agencies=[Agency.objects.create(name="Another agency", slug="imda")])
    assert not AgencyRedirect.objects.exists()
    assert client.get("/agencies/imda/").status_code == 200


def test_unknown_tag_slug_is_still_404(client, db):
    response = client.get("/agencies/nobody/")
    assert response.status_code == 404
    assert "No agency is called that." in response.content.decode()


# --- Agency aliases -----------------------------------------------------------------------


@pytest.fixture
def mica(mci):
    return AgencyAlias.objects.create(
        agency=mci,
        name="Ministry of Information, Communications and the Arts",
        acronym="MICA",
        valid_until=datetime.date(2012, 10, 31),
    )


def test_release_shows_the_name_it_was_issued_under(client, make_release, mci, mica):
    old = make_release(published_on=datetime.date(2010, 5, 1), agencies=[mci])
    new = make_release(published_on=datetime.date(2015, 5, 1), agencies=[mci])

    text = client.get(old.get_absolute_url()).content.decode()
    assert (
        '<a href="/agencies/mci/">Ministry of Information, Communications and the Arts (MICA)</a>'
        ' <span class="former-name">(now Ministry of Communications and Information)</span>'
    ) in text
    assert "Ministry of Information" not in client.get(new.get_absolute_url()).content.decode()


def test_release_page_queries_do_not_grow_with_aliases(
    client, make_release, mci, imda, mica, django_assert_max_num_queries
):
    AgencyAlias.objects.create(agency=imda, name="IDA", valid_until=datetime.date(2016, 9, 30))
    old = make_release(published_on=datetime.date(2010, 5, 1), agencies=[mci, imda])
    with django_assert_max_num_queries(9):
        assert client.get(old.get_absolute_url()).status_code == 200


def test_undated_alias_is_searchable_but_not_shown(client, make_release, mci):
    AgencyAlias.objects.create(agency=mci, name="Comms ministry")
    release = make_release(agencies=[mci])
    assert "Comms ministry" not in client.get(release.get_absolute_url()).content.decode()
    assert mci.alias_names() == ["Comms ministry"]


def test_alias_names_by_agency_for_the_search_index(mci, imda, mica):
    AgencyAlias.objects.create(agency=imda, name="Infocomm Development Authority", acronym="IDA")
    names = AgencyAlias.objects.names_by_agency()
    assert names == {
        mci.pk: ["Ministry of Information, Communications and the Arts", "MICA"],
        imda.pk: ["Infocomm Development Authority", "IDA"],
    }
    assert AgencyAlias.objects.names_by_agency([imda.pk]) == {imda.pk: names[imda.pk]}


def test_alias_dates_must_be_in_order(mci):
    with pytest.raises(IntegrityError):
        AgencyAlias.objects.create(
            agency=mci,
            name="Backwards",
            valid_from=datetime.date(2020, 1, 1),
            valid_until=datetime.date(2019, 1, 1),
        )


def test_agency_admin_edits_aliases(admin_client, mci):
    response = admin_client.post(
        reverse("admin:releases_agency_change", args=[mci.pk]),
        {
            "name": mci.name,
            "slug": mci.slug,
            "acronym": mci.acronym,
            "aliases-TOTAL_FORMS": "1",
            "aliases-INITIAL_FORMS": "0",
            "aliases-0-name": "Ministry of Information, Communications and the Arts",
            "aliases-0-acronym": "MICA",
            "aliases-0-valid_from": "",
            "aliases-0-valid_until": "2012-10-31",
            "redirects-TOTAL_FORMS": "0",
            "redirects-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert mci.aliases.get().covers(datetime.date(2012, 10, 31))


def test_resolve_finds_tags_by_any_of_their_names(imda, mci, mica, smart_city):
    found = Agency.objects.resolve(["IMDA", "mica", "Imda.", "Nobody", "imda"])
    assert found == {"IMDA": imda, "mica": mci, "Imda.": imda, "imda": imda}
    assert Programme.objects.resolve(["smart-city-initiative"]) == {
        "smart-city-initiative": smart_city
    }


def test_merge_is_in_each_changed_releases_history(
    admin_client, admin_user, make_release, imda, imda_typo, mci
):
    both = make_release(agencies=[imda_typo, mci])
    untouched = make_release(agencies=[imda])
    versions = {r.pk: r.version for r in (both, untouched)}

    merge(admin_client, "agency", [imda, imda_typo], imda)

    both.refresh_from_db()
    untouched.refresh_from_db()
    assert both.version == versions[both.pk] + 1
    revision = both.revisions.get(version=both.version)
    assert revision.user == admin_user
    assert revision.note == "Merged Imda into Infocomm Media Development Authority."
    assert revision.changes == {
        "agencies": [
            "Imda, Ministry of Communications and Information",
            "Infocomm Media Development Authority, Ministry of Communications and Information",
        ]
    }
    assert untouched.version == versions[untouched.pk]
    assert not untouched.revisions.filter(note__startswith="Merged").exists()


def test_an_editor_form_opened_before_a_merge_cannot_save_over_it(
    admin_client, make_release, imda, imda_typo
):
    opened = make_release(title="Before", agencies=[imda_typo])
    opened.refresh_from_db()  # as the editor's form loaded it, with the old agency

    merge(admin_client, "agency", [imda, imda_typo], imda)
    response = admin_client.post(change_url(opened), form_data(opened, title="After"))

    assert response.status_code == 200
    assert "Not saved: admin saved this release after you opened it" in response.content.decode()
    assert "Agencies: “Imda” → “Infocomm Media Development Authority”" in response.content.decode()
    assert Release.objects.get(pk=opened.pk).title == "Before"
