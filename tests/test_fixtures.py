"""The shipped fixtures: the only tests that load the full set."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from releases.markup import render_markdown
from releases.models import Agency, Figure, Programme, Release

FIXTURES = sorted(str(p) for p in (Path(settings.BASE_DIR) / "fixtures").glob("*.json"))
SEED_SLUG = "singapore-china-ink-mou-partner-on-digital-economy-initiatives"
SEED_TEXT = Path(settings.BASE_DIR).parent / "shared" / "seed" / "singapore-shenzhen-mou.txt"


@pytest.fixture
def loaded(db):
    call_command("loaddata", *FIXTURES, verbosity=0)


def counts():
    return (Release.objects.count(), Agency.objects.count(), Programme.objects.count())


def test_fixtures_load_with_expected_counts(loaded):
    releases = Release.objects.published()
    assert releases.count() == Release.objects.count() >= 41
    assert Agency.objects.in_use().count() >= 8
    assert Programme.objects.in_use().count() >= 8
    assert {r.kind for r in releases} == set(Release.Kind.values)
    assert len({r.published_on.year for r in releases}) >= 10
    demo = releases.exclude(slug=SEED_SLUG)
    assert all("Sample content" in r.source for r in demo)


def test_loading_twice_duplicates_nothing(loaded):
    before = counts(), Figure.objects.count(), Release.agencies.through.objects.count()
    call_command("loaddata", *FIXTURES, verbosity=0)
    assert (counts(), Figure.objects.count(), Release.agencies.through.objects.count()) == before


def test_seed_release_is_verbatim_and_tagged(loaded):
    seed = Release.objects.get(slug=SEED_SLUG)
    assert seed.title == "Singapore, China Ink MoU, Partner on Digital Economy Initiatives"
    assert {a.acronym or a.name for a in seed.agencies.all()} == {
        "MCI",
        "IMDA",
        "Shenzhen Bureau of Commerce",
        "TusStar",
    }
    assert {p.slug for p in seed.programmes.all()} == {
        "smart-city-initiative",
        "tradetrust",
        "joint-implementation-committee",
    }
    assert {(int(f.value), f.label) for f in seed.figures.all()} == {
        (8, "MoUs signed"),
        (14, "new joint projects"),
        (29, "projects begun"),
        (21, "MoUs signed to date"),
        (10000, "enterprises in TusStar’s network"),
    }
    if SEED_TEXT.exists():  # the shared seed text sits beside the checkout
        lines = [line.strip() for line in SEED_TEXT.read_text().splitlines() if line.strip()]
        assert seed.body == "\n\n".join(lines[2:-1])
    assert "Send this to a friend" not in seed.body
    assert "awesome events" not in seed.body


def test_stored_html_matches_the_markdown(loaded):
    for release in Release.objects.all():
        assert release.body_html == render_markdown(release.body), release.slug


def test_fixtures_match_their_sources():
    """`make fixtures` was run after the last edit of fixtures/source/."""
    source = Path(settings.BASE_DIR) / "fixtures" / "source" / "demo-releases.jsonl"
    slugs = [json.loads(line)["slug"] for line in source.read_text().splitlines() if line]
    fixture = json.loads(
        (Path(settings.BASE_DIR) / "fixtures" / "20_demo_releases.json").read_text()
    )
    assert [o["fields"]["slug"] for o in fixture if o["model"] == "releases.release"] == slugs


def test_every_page_of_the_fixtures_renders(client, loaded):
    for url in ["/", "/releases/", "/releases/?page=3", "/agencies/", "/programmes/", "/figures/"]:
        assert client.get(url).status_code == 200, url
    for release in Release.objects.all():
        assert client.get(release.get_absolute_url()).status_code == 200
    for model in (Agency, Programme, Figure):
        for tag in model.objects.all():
            assert client.get(tag.get_absolute_url()).status_code == 200
