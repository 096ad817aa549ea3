"""A tag field's text (releases/tagging.py) round-trips whatever a tag name holds."""

import json
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from releases.models import Agency, Figure, Programme, Release
from releases.tagging import edit_string, parse_tags

from .admin_pages import change_page_values, change_url

TRICKY = [
    'The "Smart Nation" Initiative',
    '3 "pilot" sites',
    '"Smart Nation"',
    '"Quoted" at the start',
    "Ministry of Trade; Industry",
    "Research, Innovation and Enterprise",
    "10,000+ enterprises",
    "Ends with a comma,",
    'A "quoted, comma" inside',
    'Two ""doubled"" quotes',
    "Semicolon;no space",
    "Plain name",
    "Ünïcödé, 中文; “curly” quotes",
    '"',
    '""',
]


def tags(*names):
    return [SimpleNamespace(name=name) for name in names]


@pytest.mark.parametrize("name", TRICKY)
def test_every_tricky_name_round_trips_alone(name):
    assert parse_tags(edit_string(tags(name))) == [name]


def test_tricky_names_round_trip_together():
    assert parse_tags(edit_string(tags(*TRICKY))) == sorted(TRICKY)


names = (
    st.text(st.characters(blacklist_categories=["Cs", "Cc", "Zl", "Zp"]), min_size=1, max_size=30)
    .map(str.strip)
    .filter(bool)
)


@given(st.lists(names, max_size=6))
def test_any_names_round_trip(generated):
    assert parse_tags(edit_string(tags(*generated))) == sorted(set(generated))


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("imda, MCI", ["MCI", "imda"]),
        ("imda; MCI\nTradeTrust", ["MCI", "TradeTrust", "imda"]),
        ("8 MoUs signed", ["8 MoUs signed"]),
        ("10,000+ enterprises, 8 MoUs signed", ["10,000+ enterprises", "8 MoUs signed"]),
        ('"Research, Innovation", TradeTrust', ["Research, Innovation", "TradeTrust"]),
        ('"a","b"', ["a", "b"]),
        ('The "Smart Nation" Initiative', ['The "Smart Nation" Initiative']),
        ('"Smart Nation" Initiative', ['"Smart Nation" Initiative']),
        ('"unclosed, quote', ['"unclosed', "quote"]),
        (" , ;; ", []),
        ("", []),
    ],
)
def test_typed_text_reads_as_staff_mean_it(typed, expected):
    assert parse_tags(typed) == expected


def test_quotes_are_written_only_where_needed():
    text = edit_string(tags("TradeTrust", 'The "Smart Nation" Initiative', "Trade, Industry"))
    assert text == 'The "Smart Nation" Initiative, "Trade, Industry", TradeTrust'


# --- Through the admin ------------------------------------------------------------------


def tag_state():
    return {
        model.__name__: sorted(model.objects.values_list("pk", "name"))
        for model in (Agency, Programme, Figure)
    }


def links(release):
    release.refresh_from_db()
    return (
        sorted(release.agencies.values_list("name", flat=True)),
        sorted(release.programmes.values_list("name", flat=True)),
        sorted(release.figures.values_list("name", flat=True)),
    )


def save_title_only(admin_client, release, title):
    data = change_page_values(admin_client, release)
    data.update(title=title, change_kind="correction")
    return admin_client.post(change_url(release), data)


def test_a_title_only_save_keeps_tags_with_quotes_exactly(admin_client, make_release):
    smart = Programme.objects.create(name='The "Smart Nation" Initiative', slug="smart-nation")
    release = make_release(programmes=[smart], figures=['3 "pilot" sites'])
    before_tags, before_links = tag_state(), links(release)

    response = save_title_only(admin_client, release, "A new title")

    assert response.status_code == 302, response.content.decode()[:3000]
    release.refresh_from_db()
    assert release.title == "A new title"
    assert links(release) == before_links
    assert tag_state() == before_tags


FIXTURE_NAMES = {
    "agencies": ["Ministry of Trade; Industry", 'The "Quoted" Agency'],
    "programmes": ["Research, Innovation and Enterprise", '"Smart Nation" Initiative'],
    "figures": ['3 "pilot" sites', "2,500 jobs; 40 firms"],
}


def test_a_fixture_with_quotes_commas_and_semicolons_round_trips_through_the_admin(
    admin_client, tmp_path
):
    records = [
        {"model": "releases.agency", "fields": {"name": n, "slug": f"agency-{i}", "acronym": ""}}
        for i, n in enumerate(FIXTURE_NAMES["agencies"])
    ]
    records += [
        {"model": "releases.programme", "fields": {"name": n, "slug": f"programme-{i}"}}
        for i, n in enumerate(FIXTURE_NAMES["programmes"])
    ]
    records += [
        {"model": "releases.figure", "fields": {"name": n, "slug": f"figure-{i}",
         "value": str(v), "label": n.split(" ", 1)[1]}}
        for i, (n, v) in enumerate(zip(FIXTURE_NAMES["figures"], (3, 2500), strict=True))
    ]  # fmt: skip
    records.append(
        {"model": "releases.release", "fields": {
            "title": "Tricky tags", "slug": "tricky", "published_on": "2022-01-01",
            "body": "Text.", "status": "published",
            "created_at": "2022-01-01T09:00:00Z", "updated_at": "2022-01-01T09:00:00Z"}}
    )  # fmt: skip
    for kind, prefix in (("agency", "agency"), ("programme", "programme"), ("figure", "figure")):
        for i in range(2):
            records.append(
                {"model": f"releases.tagged{kind}",
                 "fields": {"content_object": ["tricky"], "tag": [f"{prefix}-{i}"]}}
            )  # fmt: skip
    fixture = tmp_path / "tricky.json"
    fixture.write_text(json.dumps(records), encoding="utf-8")
    call_command("loaddata", str(fixture), verbosity=0)
    release = Release.objects.get(slug="tricky")
    before_tags, before_links = tag_state(), links(release)

    assert save_title_only(admin_client, release, "Tricky tags, retitled").status_code == 302

    assert links(release) == before_links == tuple(sorted(n) for n in FIXTURE_NAMES.values())
    assert tag_state() == before_tags


def test_an_import_with_quotes_commas_and_semicolons_round_trips_through_the_admin(
    admin_client, tmp_path
):
    line = {
        "title": "Imported tricky tags",
        "slug": "imported-tricky",
        "published_on": "2022-01-01",
        "body": "Text.",
        "status": "published",
        **{kind: names for kind, names in FIXTURE_NAMES.items() if kind != "figures"},
        "figures": [{"label": 'pilot "sandbox" sites', "value": 3}, {"name": "2,500 jobs; 40 firms",
                    "label": "jobs; 40 firms", "value": 2500}],
    }  # fmt: skip
    source = tmp_path / "tricky.jsonl"
    source.write_text(json.dumps(line) + "\n", encoding="utf-8")
    call_command("import_releases", str(source), verbosity=0, stdout=None)
    release = Release.objects.get(slug="imported-tricky")
    before_tags, before_links = tag_state(), links(release)
    assert '3 pilot "sandbox" sites' in before_links[2]

    assert save_title_only(admin_client, release, "Retitled").status_code == 302

    assert links(release) == before_links
    assert tag_state() == before_tags
