"""Demo data and fixtures never undo staff work: `load_demo`, `loaddata`, and saves after them."""

import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse

from releases.models import (
    Agency,
    AgencyRedirect,
    Figure,
    Programme,
    Release,
    ReleaseRevision,
    ReleaseSlug,
    RemovedSlug,
    TaggedAgency,
)

from .admin_pages import change_url, form_data

FIXTURES = sorted(str(p) for p in (Path(settings.BASE_DIR) / "fixtures").glob("*.json"))
SEED_SLUG = "singapore-china-ink-mou-partner-on-digital-economy-initiatives"

NO_REDIRECTS = {"redirects-TOTAL_FORMS": "0", "redirects-INITIAL_FORMS": "0"}


def admin_post(admin_client, release, **changes):
    """Post the change form for `release` as stored, with some fields edited."""
    release.refresh_from_db()
    return admin_client.post(change_url(release), form_data(release, **NO_REDIRECTS, **changes))


# --- A version behind the history ------------------------------------------------------


def test_a_save_after_the_version_fell_behind_its_history_goes_through(admin_client, release):
    assert admin_post(admin_client, release, title="Corrected once").status_code == 302
    # What a fixture loaded over the edited release used to leave behind.
    Release.objects.filter(pk=release.pk).update(version=1)

    response = admin_post(admin_client, release, title="Corrected twice")

    assert response.status_code == 302
    release.refresh_from_db()
    assert release.title == "Corrected twice"
    assert release.version == 3
    assert list(release.revisions.values_list("version", flat=True)) == [3, 2]


def test_a_list_action_after_the_version_fell_behind_its_history_goes_through(
    admin_client, release
):
    assert admin_post(admin_client, release, title="Corrected once").status_code == 302
    Release.objects.filter(pk=release.pk).update(version=1)

    response = admin_client.post(
        reverse("admin:releases_release_changelist"),
        {"action": "unpublish", "_selected_action": [release.pk]},
    )

    assert response.status_code == 302
    release.refresh_from_db()
    assert (release.status, release.version) == ("draft", 3)
    assert ReleaseRevision.objects.filter(release=release, version=3).exists()


# --- loaddata refuses to undo edits -----------------------------------------------------


@pytest.fixture
def loaded(db):
    call_command("loaddata", *FIXTURES, verbosity=0)
    return Release.objects.get(slug=SEED_SLUG)


def archive():
    """Everything a reload could change, as readers and editors would notice it."""
    return {
        "releases": sorted(
            Release.objects.values_list("slug", "title", "correction_note", "version", "revised_at")
        ),
        "revisions": ReleaseRevision.objects.count(),
        "agencies": sorted(Agency.objects.values_list("slug", "name", "acronym")),
        "programmes": Programme.objects.count(),
        "figures": Figure.objects.count(),
        "links": TaggedAgency.objects.count(),
    }


def test_loaddata_refuses_to_revert_a_corrected_release(admin_client, loaded):
    corrected = admin_post(
        admin_client, loaded, title="Corrected title", correction_note="The title had a typo."
    )
    assert corrected.status_code == 302
    before = archive()

    with pytest.raises(CommandError) as refused:
        call_command("loaddata", *FIXTURES, verbosity=0)

    message = str(refused.value)
    assert f"release “{SEED_SLUG}” was edited after it was loaded" in message
    assert "10_seed_release.json" in message and "--overwrite-edits" in message
    assert archive() == before
    assert admin_client.get(f"/releases/{SEED_SLUG}/").content.decode().count("Corrected title")


def test_loaddata_refuses_to_bring_back_a_moved_address(admin_client, client, loaded):
    assert admin_post(admin_client, loaded, slug="seed-moved").status_code == 302
    before = archive()

    with pytest.raises(CommandError, match=f"“{SEED_SLUG}” is an old address of the release now"):
        call_command("loaddata", *FIXTURES, verbosity=0)

    assert archive() == before
    assert client.get(f"/releases/{SEED_SLUG}/").status_code == 301


def test_loaddata_refuses_to_bring_back_a_renamed_tag(admin_client, loaded):
    imda = Agency.objects.get(slug="imda")
    imda.slug = "imda-sg"
    imda.save()
    before = archive()

    with pytest.raises(CommandError, match="agency “imda” was renamed or merged into “imda-sg”"):
        call_command("loaddata", *FIXTURES, verbosity=0)

    assert archive() == before


def test_loaddata_refuses_to_revert_an_edited_tag(loaded):
    Agency.objects.filter(slug="imda").update(acronym="IMDA-SG")

    with pytest.raises(CommandError, match="agency “imda” was edited after it was loaded"):
        call_command("loaddata", *FIXTURES, verbosity=0)

    assert Agency.objects.get(slug="imda").acronym == "IMDA-SG"


def test_loaddata_refuses_to_bring_back_a_deleted_release(loaded):
    Release.objects.filter(slug=SEED_SLUG).delete()
    RemovedSlug.objects.create(slug=SEED_SLUG)

    with pytest.raises(CommandError, match="was deleted"):
        call_command("loaddata", *FIXTURES, verbosity=0)

    assert not Release.objects.filter(slug=SEED_SLUG).exists()


def test_loaddata_of_an_unedited_archive_goes_through(loaded):
    before = archive()
    call_command("loaddata", *FIXTURES, verbosity=0)
    assert archive() == before


def test_overwrite_edits_replaces_the_release_and_later_saves_still_work(admin_client, loaded):
    assert admin_post(admin_client, loaded, title="Corrected title").status_code == 302

    call_command("loaddata", *FIXTURES, overwrite_edits=True, verbosity=0)

    loaded.refresh_from_db()
    assert loaded.title.startswith("Singapore, China Ink MoU")
    assert admin_post(admin_client, loaded, title="Corrected again").status_code == 302
    loaded.refresh_from_db()
    assert loaded.title == "Corrected again"
    assert loaded.version > max(loaded.revisions.values_list("version", flat=True)[1:])


# --- load_demo: only what is missing ----------------------------------------------------


def load_demo(*args, **options):
    out = io.StringIO()
    call_command("load_demo", *args, stdout=out, interactive=False, **options)
    return out.getvalue()


def test_load_demo_fills_an_empty_archive(db):
    said = load_demo()

    assert Release.objects.count() == 43
    assert "Demo data added: 12 agencies, 10 programmes, 44 figures, 43 releases" in said
    assert "left as they are: nothing" in said
    seed = Release.objects.get(slug=SEED_SLUG)
    assert {a.slug for a in seed.agencies.all()} == {
        "mci",
        "imda",
        "shenzhen-bureau-of-commerce",
        "tusstar",
    }


def test_make_run_twice_after_admin_edits_changes_nothing(admin_client, client, db):
    load_demo()
    seed = Release.objects.get(slug=SEED_SLUG)
    assert (
        admin_post(
            admin_client, seed, title="Corrected title", correction_note="The title had a typo."
        ).status_code
        == 302
    )
    other = Release.objects.exclude(slug=SEED_SLUG).first()
    other_slug = other.slug
    assert admin_post(admin_client, other, slug="moved-by-an-editor").status_code == 302
    imda = Agency.objects.get(slug="imda")
    imda.name, imda.slug = "IMDA Singapore", "imda-sg"
    imda.save()
    before = archive()

    said = load_demo()

    assert archive() == before
    assert "Demo data added: nothing." in said
    assert "left as they are: 12 agencies, 10 programmes, 44 figures, 43 releases" in said
    page = client.get(f"/releases/{SEED_SLUG}/").content.decode()
    assert "Corrected title" in page and "The title had a typo." in page
    assert client.get(f"/releases/{other_slug}/").status_code == 301
    assert AgencyRedirect.objects.filter(old_slug="imda", tag=imda).exists()
    assert admin_post(admin_client, seed, title="Corrected twice").status_code == 302


def test_load_demo_adds_a_missing_release_linked_to_the_renamed_tag(db):
    load_demo()
    seed_agencies = set(Release.objects.get(slug=SEED_SLUG).agencies.values_list("slug", flat=True))
    Release.objects.filter(slug=SEED_SLUG).delete()  # a draft-era deletion leaves no address
    imda = Agency.objects.get(slug="imda")
    imda.slug = "imda-sg"
    imda.save()

    said = load_demo()

    seed = Release.objects.get(slug=SEED_SLUG)
    assert set(seed.agencies.values_list("slug", flat=True)) == seed_agencies - {"imda"} | {
        "imda-sg"
    }
    assert not Agency.objects.filter(slug="imda").exists()
    assert "Demo data added: 1 release, 12 tag links." in said


def test_load_demo_leaves_a_deleted_public_release_deleted(db):
    load_demo()
    Release.objects.filter(slug=SEED_SLUG).delete()
    RemovedSlug.objects.create(slug=SEED_SLUG)

    load_demo()

    assert not Release.objects.filter(slug=SEED_SLUG).exists()


def test_load_demo_matches_a_tag_by_name_under_another_slug(db, tmp_path):
    Agency.objects.create(name="Ministry of Communications and Information", slug="comms")
    fixture = tmp_path / "agencies.json"
    fixture.write_text(Path(FIXTURES[0]).read_text(encoding="utf-8"), encoding="utf-8")

    load_demo(str(fixture))

    assert (
        Agency.objects.filter(name__iexact="ministry of communications and information").count()
        == 1
    )
    assert not Agency.objects.filter(slug="mci").exists()


def test_load_demo_reset_deletes_the_archive_then_loads_the_demo(admin_client, db):
    load_demo()
    seed = Release.objects.get(slug=SEED_SLUG)
    admin_post(admin_client, seed, title="Corrected title", slug="moved")
    Agency.objects.create(name="Staff-made agency", slug="staff-made")

    said = load_demo(reset=True)

    assert "Deleted 43 releases and every tag." in said
    assert Release.objects.get(slug=SEED_SLUG).version == 1
    assert not ReleaseSlug.objects.exists() and not ReleaseRevision.objects.exists()
    assert not Agency.objects.filter(slug="staff-made").exists()
    assert Release.objects.count() == 43


def test_load_demo_reset_asks_first_and_keeps_everything_unless_told_yes(db, monkeypatch):
    load_demo()
    monkeypatch.setattr("builtins.input", lambda prompt: "no")

    with pytest.raises(CommandError, match="Nothing deleted"):
        call_command("load_demo", reset=True, stdout=io.StringIO())

    assert Release.objects.count() == 43


def test_load_demo_names_a_file_it_cannot_read(db, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("[{", encoding="utf-8")
    with pytest.raises(CommandError, match=r"broken\.json"):
        load_demo(str(broken))
    unknown = tmp_path / "users.json"
    unknown.write_text(json.dumps([{"model": "auth.user", "fields": {}}]), encoding="utf-8")
    with pytest.raises(CommandError, match=r"does not know how to match auth\.user records"):
        load_demo(str(unknown))
    assert Release.objects.count() == 0
