"""Migration 0004: stored text cleaned as saves now clean it, phantom "Updated on"s taken back."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from releases.models import Agency, AgencyAlias, Figure, Programme, Release, ReleaseRevision
from releases.search import search_releases

migration = importlib.import_module("releases.migrations.0004_normalise_text")

BODY = "## Highlights\n\nEight **MoUs** were signed."
CRLF_BODY = BODY.replace("\n", "\r\n")


def at(day: int, hour: int = 12) -> datetime.datetime:
    return datetime.datetime(2023, 1, day, hour, tzinfo=datetime.UTC)


def stored(release, **fields):
    """Write fields as they were stored before cleaning, bypassing every save."""
    Release.objects.filter(pk=release.pk).update(**fields)


ISSUED = datetime.date(2022, 12, 2)  # before every revision's date


def revision(release, version, saved_at, changes, via="admin"):
    return ReleaseRevision.objects.create(
        release=release, version=version, saved_at=saved_at, via=via, changes=changes
    )


def run_migration():
    migration.normalise(apps, None)


def test_stored_text_is_cleaned_and_the_body_rendered_again(make_release):
    release = make_release(published_on=ISSUED, body=BODY)
    stored(
        release,
        title="\u202eSmart city\u200b MoUs ",
        body=CRLF_BODY + "\r\n\u202e",
        body_html="<p>stale</p>",
        summary="Line one.  \r\nLine two.\r",
        correction_note="Cafe\u0301.\r\n",
        source="Sample content\u200b, not an official release",
        hero_image_caption="Signing\r\nceremony",
    )
    run_migration()
    release.refresh_from_db()
    assert release.title == "Smart city MoUs"
    assert release.body == BODY
    assert "<strong>MoUs</strong>" in release.body_html
    assert release.summary == "Line one.  \nLine two."
    assert release.correction_note == "Caf\u00e9."
    assert release.source == "Sample content, not an official release"
    assert release.hero_image_caption == "Signing ceremony"
    assert release.version == 1


def test_clean_text_is_left_as_it_is(make_release):
    release = make_release(title="新加坡与深圳签署八项谅解备忘录", body="## 要点\n\n- 第一\n- 第二")
    stored(release, body_html="<p>as rendered then</p>")
    run_migration()
    release.refresh_from_db()
    assert release.body == "## 要点\n\n- 第一\n- 第二"
    assert release.body_html == "<p>as rendered then</p>"  # not rewritten


def test_an_update_that_only_changed_line_endings_is_taken_back(make_release):
    release = make_release(published_on=ISSUED, body=BODY)
    revision(release, 2, at(5), {"body": [BODY, CRLF_BODY]})
    stored(release, body=CRLF_BODY, version=2, revised_at=at(5))
    run_migration()
    release.refresh_from_db()
    assert release.revised_at is None
    assert (release.body, release.version) == (BODY, 2)
    assert ReleaseRevision.objects.count() == 1  # the history stays


def test_a_real_update_before_a_phantom_one_keeps_its_own_date(make_release):
    release = make_release(title="Eight MoUs", published_on=ISSUED, body=BODY)
    revision(release, 2, at(3), {"title": ["Eight MoUs", "Nine MoUs"]})
    revision(release, 3, at(5), {"body": [BODY, CRLF_BODY], "summary": ["A", "A\r\n"]})
    stored(release, title="Nine MoUs", body=CRLF_BODY, version=3, revised_at=at(5))
    run_migration()
    release.refresh_from_db()
    assert release.revised_at == at(3)


def test_a_real_latest_update_keeps_its_date(make_release):
    release = make_release(published_on=ISSUED, body=BODY)
    revision(release, 2, at(3), {"body": [BODY, CRLF_BODY]})
    revision(release, 3, at(5), {"body": [CRLF_BODY, "Nine MoUs."]})
    stored(release, body="Nine MoUs.", version=3, revised_at=at(5))
    run_migration()
    release.refresh_from_db()
    assert release.revised_at == at(5)


def test_edits_before_publication_do_not_count_as_updates(make_release):
    release = make_release(published_on=ISSUED, body=BODY, status=Release.Status.DRAFT)
    revision(release, 2, at(2), {"body": ["Draft text.", BODY]})
    revision(release, 3, at(3), {"status": ["draft", "published"]}, via="action")
    revision(release, 4, at(5), {"body": [BODY, CRLF_BODY]})
    stored(release, status="published", body=CRLF_BODY, version=4, revised_at=at(5))
    run_migration()
    release.refresh_from_db()
    assert release.revised_at is None


def test_an_update_date_without_history_is_kept(make_release):
    release = make_release(published_on=ISSUED, body=BODY)
    stored(release, revised_at=at(5))
    run_migration()
    release.refresh_from_db()
    assert release.revised_at == at(5)


def test_tag_names_are_cleaned_unless_another_tag_has_the_clean_name(db, imda):
    Agency.objects.create(name="Cyber\u200b Security  Agency", slug="csa", acronym="CSA\u200b")
    Programme.objects.create(name="TradeTrust", slug="tradetrust")
    Programme.objects.create(name="TradeTrust\u200b", slug="tradetrust-2")
    Figure.objects.create(
        name="8 MoUs\u202e signed", slug="8-mous", value=8, label="MoUs\r\n signed"
    )
    AgencyAlias.objects.create(agency=imda, name="\u202eInfocomm Development Authority")
    run_migration()
    assert Agency.objects.get(slug="csa").name == "Cyber Security Agency"
    assert Agency.objects.get(slug="csa").acronym == "CSA"
    assert Programme.objects.get(slug="tradetrust-2").name == "TradeTrust\u200b"  # for a merge
    figure = Figure.objects.get()
    assert (figure.name, figure.label) == ("8 MoUs signed", "MoUs signed")
    assert AgencyAlias.objects.get().name == "Infocomm Development Authority"


def test_an_empty_archive_migrates(db):
    run_migration()
    assert not Release.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_search_finds_the_cleaned_text_after_migrate(make_release):
    release = make_release(
        title="Kingfisher survey", published_on=ISSUED, body="Surveyed in Shenzhen."
    )
    executor = MigrationExecutor(connection)
    previous = executor.loader.graph.node_map[("releases", "0004_normalise_text")].parents
    (before,) = [parent.key for parent in previous]
    call_command("migrate", *before, verbosity=0)
    stored(release, body="Surveyed in Shen\u200bzhen.\r\n")
    call_command("rebuild_search_index", verbosity=0)
    assert not list(search_releases(query="shenzhen"))
    call_command("migrate", "releases", verbosity=0)
    assert [r.title for r in search_releases(query="shenzhen")] == ["Kingfisher survey"]
