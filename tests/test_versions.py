"""Public versions (releases/versions.py): kept as they stood, listed, readable, compared."""

import datetime
import importlib
import re

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from releases import tag_merging, versions, withdrawal
from releases.models import (
    Agency,
    AgencyAlias,
    Release,
    ReleaseVersion,
)

from .editing import edit

CORRECTED_AT = timezone.make_aware(datetime.datetime(2022, 12, 5, 10, 0))
UPDATED_AT = timezone.make_aware(datetime.datetime(2023, 1, 9, 9, 0))


def correct_then_update(release):
    """Correct the release on 5 Dec 2022 (version 2), then update it on 9 Jan 2023 (3)."""
    edit(
        release,
        kind="correction",
        at=CORRECTED_AT,
        body="## Highlights\n\nNine **MoUs** were signed.",
        correction_note="An earlier version said eight MoUs.",
    )
    return edit(
        release,
        kind="update",
        at=UPDATED_AT,
        title="Singapore and Shenzhen sign nine MoUs",
        tags={"figures": ["9 MoUs signed"]},
    )


@pytest.fixture
def corrected(release):
    return correct_then_update(release)


def version_url(release, number):
    return reverse("releases:version", kwargs={"slug": release.slug, "number": number})


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


# --- What makes a version ----------------------------------------------------------------


def test_an_unchanged_public_release_has_one_version_and_no_stored_row(client, release):
    assert ReleaseVersion.objects.count() == 0
    response = client.get(version_url(release, 1))
    assert response.status_code == 200
    assert "Singapore and Shenzhen sign eight MoUs" in response.content.decode()
    assert "Version 1, the current one" in text_of(response)
    assert client.get(version_url(release, 2)).status_code == 404


def test_a_correction_keeps_version_1_as_it_stood_before(release):
    edit(release, kind="correction", at=CORRECTED_AT, title="Singapore and Shenzhen sign 8 MoUs")
    first, second = ReleaseVersion.objects.order_by("number")
    assert (first.number, first.kind, first.title) == (1, "issued", release.title)
    assert first.published_at == versions.start_of(datetime.date(2022, 12, 2))
    assert first.body_html == release.body_html
    assert [tag["name"] for tag in first.tags["figures"]] == ["8 MoUs signed"]
    assert (second.number, second.kind, second.title) == (
        2,
        "correction",
        "Singapore and Shenzhen sign 8 MoUs",
    )
    assert second.published_at == CORRECTED_AT


def test_tags_as_they_were_are_kept_whole_even_with_commas_in_their_names(make_release):
    release = make_release(programmes=["Trade, Data and Digital", "TradeTrust"])
    edit(release, kind="update", tags={"programmes": ["TradeTrust"]})
    first = ReleaseVersion.objects.get(number=1)
    assert [tag.name for tag in first.programme_list] == ["Trade, Data and Digital", "TradeTrust"]


def test_drafts_and_edits_before_publication_are_not_versions(client, make_release):
    draft = make_release(status=Release.Status.DRAFT, title="First try")
    edit(draft, title="Second try")
    edit(draft, title="As issued", status=Release.Status.PUBLISHED)
    assert ReleaseVersion.objects.count() == 0
    response = client.get(version_url(draft, 1))
    assert "As issued" in response.content.decode()
    assert "try" not in response.content.decode()


def test_a_scheduled_release_is_edited_freely_until_its_day(client, make_release, tomorrow):
    scheduled = make_release(published_on=tomorrow, title="Embargoed draft wording")
    edit(scheduled, title="Embargoed final wording")
    assert ReleaseVersion.objects.count() == 0
    assert client.get(version_url(scheduled, 1)).status_code == 404
    # The day comes: nothing is written then, and version 1 is what stands that day.
    Release.objects.filter(pk=scheduled.pk).update(published_on=timezone.localdate())
    edit(scheduled, kind="correction", title="Corrected after issue")
    first = ReleaseVersion.objects.get(number=1)
    assert first.title == "Embargoed final wording"
    assert ReleaseVersion.objects.get(number=2).title == "Corrected after issue"


def test_reading_pages_writes_nothing(client, release, tomorrow, make_release):
    scheduled = make_release(published_on=tomorrow)
    for url in (
        release.get_absolute_url(),
        version_url(release, 1),
        reverse("releases:version_compare", kwargs={"slug": release.slug}),
        scheduled.get_absolute_url(),
        "/sitemap-releases.xml",
        "/feeds/releases.atom",
    ):
        client.get(url)
    assert ReleaseVersion.objects.count() == 0


def test_housekeeping_is_not_a_version(release, make_release, imda):
    typo = Agency.objects.create(name="Infocomm Media Devt Authority", slug="imda-typo")
    release.agencies.add(typo)
    edit(release, slug="a-new-address")  # the address changes, not the words
    tag_merging.merge(Agency.objects.filter(pk__in=[imda.pk, typo.pk]), imda)
    assert ReleaseVersion.objects.count() == 0
    assert Release.objects.get().revised_at is None


def test_unpublishing_keeps_what_readers_saw_and_republishing_a_change_is_a_version(release):
    edit(release, status=Release.Status.DRAFT)
    assert list(ReleaseVersion.objects.values_list("number", "title")) == [(1, release.title)]
    edit(release, title="Rewritten while unpublished")
    edit(release, status=Release.Status.PUBLISHED)
    assert list(ReleaseVersion.objects.values_list("number", "kind", "title")) == [
        (1, "issued", release.title),
        (2, "update", "Rewritten while unpublished"),
    ]


def test_withdrawn_release_keeps_its_versions_readable(client, corrected):
    withdrawal.withdraw({corrected.pk: corrected.version}, "issued in error")
    assert ReleaseVersion.objects.count() == 3  # withdrawing is not a version
    response = client.get(version_url(corrected, 1))
    assert response.status_code == 200
    assert "The release was withdrawn" in response.content.decode()


def test_an_import_that_changes_a_public_release_is_an_update(tmp_path, release):
    from django.core.management import call_command

    record = (
        '{"title": "Singapore and Shenzhen sign eight MoUs", "slug": "singapore-shenzhen-mous",'
        ' "published_on": "2022-12-02", "body": "Eight MoUs, and more."}\n'
    )
    path = tmp_path / "releases.jsonl"
    path.write_text(record)
    call_command("import_releases", str(path), verbosity=0)
    latest = ReleaseVersion.objects.get(number=2)
    assert latest.kind == "update"
    assert "Eight MoUs, and more." in latest.body_html
    assert (
        "Eight <strong>MoUs</strong> were signed." in ReleaseVersion.objects.get(number=1).body_html
    )


# --- The release page --------------------------------------------------------------------


def test_release_page_lists_its_versions(client, corrected):
    response = client.get(corrected.get_absolute_url())
    html = response.content.decode()
    versions_fact = re.search(r'<div class="release__versions">.*?</div>', html, re.S).group()
    items = re.findall(r"<li>(.*?)</li>", versions_fact, re.S)
    assert [re.sub(r"<[^>]+>", "", item).strip() for item in items] == [
        "Issued 2 Dec 2022",
        "Corrected 5 Dec 2022",
        "Updated 9 Jan 2023",
    ]
    for number in (1, 2, 3):
        assert f'href="{version_url(corrected, number)}"' in versions_fact
    assert "Compare versions" in versions_fact


def test_a_release_with_one_version_lists_none(client, release):
    assert (
        'class="release__versions"' not in client.get(release.get_absolute_url()).content.decode()
    )


def test_only_a_correction_shows_the_red_correction_note(client, release):
    edit(release, kind="update", summary="New figures added.", correction_note="Figures added.")
    html = client.get(release.get_absolute_url()).content.decode()
    assert 'class="notice notice--update"' in html
    assert "notice--correction" not in html
    edit(release, kind="correction", body="Fixed.", correction_note="The body was wrong.")
    html = client.get(release.get_absolute_url()).content.decode()
    assert re.search(r'notice--correction" role="note">\s*<strong>Correction \(<time', html)
    assert "The body was wrong." in html and "Figures added." in html


# --- Version pages -----------------------------------------------------------------------


def test_an_earlier_version_shows_the_text_as_it_stood(client, corrected):
    response = client.get(version_url(corrected, 1))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Singapore and Shenzhen sign eight MoUs</h1>" in html
    assert "Eight <strong>MoUs</strong> were signed." in html
    assert 'href="/figures/8-mous-signed/"' in html and "9-mous-signed" not in html
    assert "An earlier version said eight MoUs." not in html  # that note came with version 2
    text = text_of(response)
    assert "An earlier version: version 1 of 3, issued 2 December 2022" in text
    assert "as it stood until 5 December 2022" in text
    assert f'<a href="{corrected.get_absolute_url()}">Read the current version</a>' in html
    assert f'<link rel="canonical" href="http://testserver{version_url(corrected, 1)}">' in html
    assert '<meta name="robots" content="noindex">' in html


def test_the_latest_version_is_marked_current_with_every_note_so_far(client, corrected):
    response = client.get(version_url(corrected, 3))
    text = text_of(response)
    assert "Version 3, the current one" in text
    assert "Singapore and Shenzhen sign nine MoUs" in text
    assert "Correction ( 5 December 2022 ): An earlier version said eight MoUs." in text
    assert 'aria-current="page"' in response.content.decode()


def test_version_pages_cost_a_handful_of_queries(client, corrected, django_assert_max_num_queries):
    with django_assert_max_num_queries(7):  # release, tags, aliases, versions, agencies, aliases
        assert client.get(version_url(corrected, 1)).status_code == 200
    with django_assert_max_num_queries(5):
        assert compare(client, corrected).status_code == 200


def test_a_version_names_the_agency_as_it_was_named_on_the_release_date(client, release, imda):
    AgencyAlias.objects.create(
        agency=imda,
        name="Infocomm Development Authority",
        valid_from=datetime.date(2000, 1, 1),
        valid_until=datetime.date(2022, 12, 31),
    )
    text = text_of(client.get(version_url(release, 1)))
    assert "Infocomm Development Authority (now Infocomm Media Development Authority)" in text


@pytest.mark.parametrize(
    "path",
    ["v/0/", "v/-1/", "v/01/", "v/one/", "v/99999999999999999999/", "v/1000000000/", "v/4/"],
)
def test_bad_version_numbers_are_404(client, corrected, path):
    assert client.get(f"{corrected.get_absolute_url()}{path}").status_code == 404


def test_versions_of_anything_not_public_are_404_even_for_staff(
    client, admin_client, make_release, tomorrow
):
    draft = make_release(status=Release.Status.DRAFT)
    scheduled = make_release(published_on=tomorrow)
    for release in (draft, scheduled):
        for url in (
            version_url(release, 1),
            version_url(release, 1) + "cite.bib",
            reverse("releases:version_compare", kwargs={"slug": release.slug}),
        ):
            assert client.get(url).status_code == 404, url
            assert admin_client.get(url).status_code == 404, url
    assert client.get("/releases/no-such-release/v/1/").status_code == 404


def test_a_once_public_release_returned_to_draft_hides_its_versions(client, corrected):
    edit(corrected, status=Release.Status.DRAFT)
    assert client.get(version_url(corrected, 1)).status_code == 404


def test_an_old_slug_redirects_to_the_same_version(client, corrected):
    moved = edit(corrected, slug="nine-mous")
    response = client.get("/releases/singapore-shenzhen-mous/v/2/")
    assert response.status_code == 301
    assert response["Location"] == version_url(moved, 2)
    response = client.get("/releases/singapore-shenzhen-mous/v/compare/?from=1&to=3")
    assert response["Location"] == "/releases/nine-mous/v/compare/?from=1&to=3"


# --- Comparing ---------------------------------------------------------------------------


def compare(client, release, query=""):
    url = reverse("releases:version_compare", kwargs={"slug": release.slug})
    return client.get(f"{url}?{query}" if query else url)


def test_comparison_marks_words_added_and_removed(client, corrected):
    response = compare(client, corrected, "from=1&to=3")
    html = response.content.decode()
    assert response.status_code == 200
    assert "What changed from version 1 to version 3" in html
    assert "Singapore and Shenzhen sign <del>eight</del> <ins>nine</ins> MoUs" in html
    assert "<p>Highlights</p>" in html
    assert "<p><del>Eight</del> <ins>Nine</ins> MoUs were signed.</p>" in html
    assert "<del>8 MoUs signed</del>, <ins>9 MoUs signed</ins>" in html
    assert "<ins>An earlier version said eight MoUs.</ins>" in html


def test_comparison_defaults_to_the_latest_change_and_reads_either_way(client, corrected):
    assert "from version 2 to version 3" in compare(client, corrected).content.decode()
    assert (
        "from version 1 to version 2" in compare(client, corrected, "from=2&to=1").content.decode()
    )


def test_comparison_escapes_everything_it_shows(client, release):
    edit(release, kind="correction", title="<script>alert(1)</script> & co")
    html = compare(client, release).content.decode()
    assert "<script>alert" not in html
    assert "<ins>&lt;script&gt;alert(1)&lt;/script&gt; &amp; co</ins>" in html


@pytest.mark.parametrize("query", ["from=abc", "to=1.5", "from=0", "to=99999999999999999999"])
def test_malformed_comparison_is_400_with_a_message(client, corrected, query):
    response = compare(client, corrected, query)
    assert response.status_code == 400
    assert "Choose two versions by their numbers, from 1 to 3." in response.content.decode()


def test_comparison_with_a_missing_version_is_404(client, corrected):
    assert compare(client, corrected, "from=1&to=7").status_code == 404


def test_comparison_of_a_release_with_one_version_says_so(client, release):
    response = compare(client, release)
    assert response.status_code == 200
    assert "This release has one version" in response.content.decode()


# --- Existing archives: migration 0005 ----------------------------------------------------


def run_migration():
    migration = importlib.import_module("releases.migrations.0005_versions")
    migration.keep_versions(apps, None)


def test_migration_works_on_an_empty_archive(db):
    run_migration()
    assert ReleaseVersion.objects.count() == 0


def test_migration_rebuilds_versions_from_revisions(release, make_release):
    never_changed = make_release()
    draft = make_release(status=Release.Status.DRAFT)
    edit(draft, title="Draft edit")
    edit(release, kind="correction", at=CORRECTED_AT, title="Singapore and Shenzhen sign 8 MoUs")
    ReleaseVersion.objects.all().delete()  # as before versions were kept
    run_migration()
    kept = ReleaseVersion.objects.order_by("number")
    assert list(kept.values_list("release", "number", "kind", "title")) == [
        (release.pk, 1, "issued", "Singapore and Shenzhen sign eight MoUs"),
        (release.pk, 2, "update", "Singapore and Shenzhen sign 8 MoUs"),
    ]
    assert kept[1].published_at == CORRECTED_AT
    assert [tag["name"] for tag in kept[0].tags["agencies"]] == [
        "Infocomm Media Development Authority"
    ]
    assert not ReleaseVersion.objects.filter(release__in=[never_changed, draft]).exists()


def test_migration_is_honest_about_changes_made_before_revisions(client, release):
    Release.objects.filter(pk=release.pk).update(
        revised_at=CORRECTED_AT, correction_note="Figures fixed."
    )
    run_migration()
    [only] = ReleaseVersion.objects.all()
    assert (only.number, only.kind, only.earlier_not_kept) == (1, "correction", True)
    text = text_of(client.get(release.get_absolute_url()))
    assert "Corrected 5 Dec 2022 (earlier versions not kept)" in text


def test_migration_needs_no_version_for_a_stamp_a_recorded_change_explains(release):
    edit(release, at=CORRECTED_AT, slug="a-new-address")
    Release.objects.filter(pk=release.pk).update(revised_at=CORRECTED_AT)  # the old rule
    run_migration()
    assert not ReleaseVersion.objects.exists()


def test_fixtures_releases_show_their_one_version(client, db):
    from django.conf import settings
    from django.core.management import call_command

    fixtures = sorted(str(path) for path in (settings.BASE_DIR / "fixtures").glob("*.json"))
    call_command("loaddata", *fixtures, verbosity=0)
    seed = Release.objects.get(
        slug="singapore-china-ink-mou-partner-on-digital-economy-initiatives"
    )
    assert client.get(version_url(seed, 1)).status_code == 200
    assert client.get(seed.get_absolute_url()).status_code == 200


# --- The admin's history ------------------------------------------------------------------


def history_rows(admin_client, release) -> list[list[str]]:
    url = reverse("admin:releases_release_history", args=[release.pk])
    html = admin_client.get(url).content.decode()
    table = re.search(r'<div id="release-revisions".*?</table>', html, re.S).group()
    rows = re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], re.S)
    return [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S) for row in rows]


def test_admin_history_shows_which_changes_made_a_public_version(admin_client, corrected):
    moved = edit(corrected, slug="nine-mous")  # a new address: a revision, no version
    public = [row[1] for row in history_rows(admin_client, moved)]
    assert public == [
        "",
        f'<a href="{version_url(moved, 3)}">v3 · update</a>',
        f'<a href="{version_url(moved, 2)}">v2 · correction</a>',
    ]


def test_admin_history_of_a_draft_names_its_versions_without_links(admin_client, corrected):
    draft = edit(corrected, status=Release.Status.DRAFT)
    public = [row[1] for row in history_rows(admin_client, draft)]
    assert public == ["", "v3 · update", "v2 · correction"]
