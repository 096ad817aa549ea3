"""Saving a release in the admin changes what was changed, and nothing else.

The form is posted as a browser posts it: every field as the change form rendered it,
textareas with `\\r\\n` line endings.
"""

import datetime

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from releases.models import Agency, Release, ReleaseRevision

TEXTAREAS = ("summary", "body", "correction_note")


def change_url(release):
    return reverse("admin:releases_release_change", args=[release.pk])


def as_the_browser_posts(admin_client, release, **edits) -> dict:
    """The change form's fields as rendered, textareas with CRLF line ends, then `edits`."""
    form = admin_client.get(change_url(release)).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if name != "hero_image"}
    data = {name: "" if value is None else value for name, value in data.items()}
    for name in Release.TAG_FIELDS:
        data[name] = form.fields[name].widget.format_value(data[name])
    data["published_on"] = release.published_on.isoformat()
    for name in TEXTAREAS:
        data[name] = str(data[name]).replace("\n", "\r\n")
    data["change_kind"] = "correction"  # the editor's answer, when the form asks for one
    return {**data, **edits}


@pytest.fixture
def corrected(make_release, imda, smart_city):
    """A public release with lines, a list, a correction note and tags of every kind."""
    return make_release(
        title="Singapore and Shenzhen sign eight MoUs",
        published_on=datetime.date(2022, 12, 2),
        summary="Eight memoranda.\nSigned at the third meeting.",
        body="## Highlights\n\n- Eight **MoUs**\n- Fourteen projects  \nin all\n\n"
        "```\ncode block\n```",
        correction_note="An earlier version said seven.\nIt was eight.",
        source="Sample content, not an official release",
        agencies=[imda],
        programmes=[smart_city],
        figures=["8 MoUs signed", "10,000+ enterprises"],
    )


def test_saving_unchanged_records_nothing(admin_client, client, corrected):
    response = admin_client.post(
        change_url(corrected), as_the_browser_posts(admin_client, corrected)
    )
    assert response.status_code == 302
    saved = Release.objects.get()
    assert saved.body == corrected.body
    assert saved.summary == corrected.summary
    assert saved.version == 1
    assert saved.revised_at is None
    assert not ReleaseRevision.objects.exists()
    assert "Updated on" not in client.get(saved.get_absolute_url()).content.decode()
    assert LogEntry.objects.get().get_change_message() == "No fields changed."


def test_tags_typed_another_way_for_the_same_tags_are_no_change(admin_client, corrected, imda):
    data = as_the_browser_posts(admin_client, corrected, agencies="imda")
    assert admin_client.post(change_url(corrected), data).status_code == 302
    assert Release.objects.get().version == 1
    assert not ReleaseRevision.objects.exists()
    assert list(Release.objects.get().agencies.all()) == [imda]


def test_a_real_change_records_exactly_that_field(admin_client, client, corrected):
    data = as_the_browser_posts(admin_client, corrected, title="Singapore and Shenzhen sign 8 MoUs")
    assert admin_client.post(change_url(corrected), data).status_code == 302
    saved = Release.objects.get()
    assert saved.version == 2
    assert ReleaseRevision.objects.get().changes == {
        "title": ["Singapore and Shenzhen sign eight MoUs", "Singapore and Shenzhen sign 8 MoUs"]
    }
    assert saved.revised_at is not None
    assert "Updated on" in client.get(saved.get_absolute_url()).content.decode()
    assert LogEntry.objects.get().get_change_message() == "Changed Title."


def test_a_changed_body_is_stored_with_line_feeds(admin_client, corrected):
    data = as_the_browser_posts(admin_client, corrected)
    data["body"] += "\r\n\r\nA new paragraph.\r"
    assert admin_client.post(change_url(corrected), data).status_code == 302
    saved = Release.objects.get()
    assert saved.body == corrected.body + "\n\nA new paragraph."
    assert list(ReleaseRevision.objects.get().changes) == ["body"]


def test_invisible_and_reversing_characters_are_stored_clean(admin_client, client, corrected):
    data = as_the_browser_posts(
        admin_client,
        corrected,
        title="\u202eSingapore and Shen\u200bzhen sign eight MoUs",
        summary="Eight memoranda.\r\nSigned at the third meeting.\u200b\r\n ",
        agencies="Infocomm Media Development Authority, \u202eCyber\u200b Security Agency",
    )
    assert admin_client.post(change_url(corrected), data).status_code == 302
    saved = Release.objects.get()
    assert saved.title == "Singapore and Shenzhen sign eight MoUs"
    assert saved.summary == corrected.summary
    assert saved.version == 2
    assert list(ReleaseRevision.objects.get().changes) == ["agencies"]
    assert Agency.objects.filter(name="Cyber Security Agency").exists()
    page = client.get(saved.get_absolute_url()).content.decode()
    assert "\u202e" not in page and "\u200b" not in page


def test_a_chinese_release_saved_unchanged_stays_as_it_was(admin_client, make_release):
    release = make_release(
        title="新加坡与深圳签署八项谅解备忘录",
        summary="双方签署八项谅解备忘录。",
        body="## 要点\n\n双方签署**八项**谅解备忘录。\n\n- 第一\n- 第二",
        language="zh",
    )
    response = admin_client.post(change_url(release), as_the_browser_posts(admin_client, release))
    assert response.status_code == 302
    saved = Release.objects.get()
    assert (saved.title, saved.body, saved.language) == (release.title, release.body, "zh")
    assert saved.version == 1
