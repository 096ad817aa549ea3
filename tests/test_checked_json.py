"""`loaddata` names a bad record and its field, and loads nothing from a bad fixture."""

import json

import pytest
from django.core.management import call_command

from releases.models import Agency, Release, TaggedAgency


def release_record(slug, **fields):
    values = {
        "title": f"Title of {slug}",
        "slug": slug,
        "kind": "press-release",
        "published_on": "2022-12-02",
        "summary": "",
        "body": "Text.",
        "body_html": "<p>Text.</p>",
        "status": "published",
        "created_at": "2022-12-02T09:00:00+08:00",
        "updated_at": "2022-12-02T09:00:00+08:00",
    }
    values.update(fields)
    return {"model": "releases.release", "fields": {k: v for k, v in values.items() if v != ...}}


def link(slug, agency):
    return {"model": "releases.taggedagency", "fields": {"content_object": [slug], "tag": [agency]}}


@pytest.fixture
def fixture_file(tmp_path):
    def write(*records):
        path = tmp_path / "bad.json"
        path.write_text(json.dumps(list(records)), encoding="utf-8")
        return path

    return write


def counts():
    return Release.objects.count(), Agency.objects.count(), TaggedAgency.objects.count()


def load_fails(path):
    with pytest.raises(Exception) as raised:
        call_command("loaddata", str(path), verbosity=0)
    return str(raised.value)


def test_good_fixture_loads(fixture_file, imda):
    call_command(
        "loaddata", str(fixture_file(release_record("fine"), link("fine", "imda"))), verbosity=0
    )
    assert [a.slug for a in Release.objects.get().agencies.all()] == ["imda"]


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        (
            link("first", "no-such-agency"),
            "record 3 (releases.taggedagency “['first'] → ['no-such-agency']”): "
            "tag: no agency ['no-such-agency']",
        ),
        (
            release_record("second", published_on="2022-13-45"),
            "record 3 (releases.release “second”): published_on: “2022-13-45” value has the "
            "correct format (YYYY-MM-DD) but it is an invalid date.",
        ),
        (
            release_record("second", title=...),
            "record 3 (releases.release “second”): title: is missing",
        ),
        (
            release_record("second", published_on=...),
            "record 3 (releases.release “second”): published_on: is missing",
        ),
        (
            release_record("second", title=""),
            "record 3 (releases.release “second”): title: This field cannot be blank.",
        ),
        (
            release_record("second", kind="blog"),
            "record 3 (releases.release “second”): kind: Value 'blog' is not a valid choice.",
        ),
    ],
)
def test_bad_record_is_named_and_nothing_loads(fixture_file, imda, bad, expected):
    before = counts()
    path = fixture_file(release_record("first"), link("first", "imda"), bad)
    message = load_fails(path)
    assert f"Problem installing fixture '{path}': {expected}" in message
    assert counts() == before
    assert not Release.objects.filter(slug="first").exists()


def test_dumpdata_still_writes_json(release, capsys):
    call_command("dumpdata", "releases.agency", "--natural-primary", "--indent", "2")
    dumped = json.loads(capsys.readouterr().out)
    assert dumped[0]["fields"]["slug"] == "imda"


def test_loaded_release_html_is_rendered_from_its_body_not_taken_from_the_file(db, tmp_path):
    import json

    from django.core.management import call_command

    from releases.models import Release

    fixture = tmp_path / "release.json"
    fixture.write_text(
        json.dumps(
            [
                {
                    "model": "releases.release",
                    "fields": {
                        "title": "Hand-edited",
                        "slug": "hand-edited",
                        "published_on": "2022-01-01",
                        "body": "Plain *text*.",
                        "body_html": "<script>alert(1)</script>",
                        "status": "published",
                        "created_at": "2022-01-01T09:00:00+08:00",
                        "updated_at": "2022-01-01T09:00:00+08:00",
                    },
                }
            ]
        )
    )
    call_command("loaddata", str(fixture), verbosity=0)
    assert Release.objects.get(slug="hand-edited").body_html == "<p>Plain <em>text</em>.</p>"
