"""Export → import into an empty archive → export: the same bytes, and nothing dropped.

For JSON Lines (`manage.py export_releases`, `/releases/export.jsonl`) and for CSV
(`/releases/export.csv`, its `url` column and spreadsheet guards included).
"""

import csv
import datetime
import io

import pytest
from django.core.management import call_command

from releases.importing.read import list_items
from releases.models import Agency, AgencyAlias, Figure, Programme, Release
from tests.test_versions import edit

QUOTED_PROGRAMME = 'The "Smart Nation" Initiative; phase 2, part 1'
SAMPLE_SOURCE = "Sample content generated for the demo archive: not an official release"


@pytest.fixture
def archive(make_release, imda):
    """Releases that hold every field the import format has, and awkward text in each."""
    programme = Programme.objects.create(name=QUOTED_PROGRAMME, slug="smart-nation")
    quoted = Programme.objects.create(name='"Quoted" from the start', slug="quoted")
    figures = [
        Figure.objects.create(name="10,000+ enterprises", value=10000, label="enterprises"),
        Figure.objects.create(
            name='3 "pilot" sites; 2 more', value=3, label='"pilot" sites; 2 more'
        ),
        Figure.objects.create(name="2.5 billion dollars", value="2.5", label="billion dollars"),
        # Within a float's precision: SQLite keeps decimals as floating point.
        Figure.objects.create(name="123,456,789.1234 bytes", value="123456789.1234", label="bytes"),
    ]
    make_release(
        title="新加坡与深圳签署八项谅解备忘录",
        slug="sg-sz-mous-zh",
        kind="factsheet",
        published_on=datetime.date(2022, 12, 2),
        summary="双方签署八项谅解备忘录，推动智慧城市合作。",
        body="## 要点\n\n- 八项谅解备忘录\n- 十四个联合项目",
        language="zh",
        agencies=[imda],
        figures=figures[:1],
    )
    make_release(
        title="-5% and =SUM(A1): 'quoted' title",
        slug="sourced",
        kind="speech",
        published_on=datetime.date(2022, 12, 2),
        summary="",
        body="- a list first\n- then more, with a hard  \nbreak\n\n```\ncode\n```",
        source=SAMPLE_SOURCE,
        source_url="https://example.gov.sg/news/1",
        programmes=[programme, quoted],
        figures=figures,
    )
    make_release(
        title="'Tis a title with an apostrophe",
        slug="apostrophe",
        published_on=datetime.date(2023, 1, 9),
        summary="@mention and +1",
        body="'Quoted body.",
    )


def stored_archive() -> list[dict]:
    """Every release with every field of the import format, tags with names, values, labels."""
    releases = []
    for release in Release.objects.order_by("slug"):
        fields = {
            name: getattr(release, name)
            for name in (
                "title", "slug", "kind", "published_on", "summary", "body", "body_html",
                "source", "source_url", "language", "status",
            )
        }  # fmt: skip
        fields["agencies"] = sorted(a.name for a in release.agencies.all())
        fields["programmes"] = sorted(p.name for p in release.programmes.all())
        fields["figures"] = sorted((f.name, f.value, f.label) for f in release.figures.all())
        releases.append(fields)
    return releases


def empty_the_archive():
    Release.objects.all().delete()
    AgencyAlias.objects.all().delete()
    for model in (Agency, Programme, Figure):
        model.objects.all().delete()


def import_file(path):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_releases", str(path), stdout=out, stderr=err)
    assert "3 created" in out.getvalue(), err.getvalue()


def exported(client, fmt: str) -> bytes:
    response = client.get(f"/releases/export.{fmt}?sort=oldest")
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_the_command_round_trip_is_byte_identical_and_drops_nothing(archive, tmp_path):
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    call_command("export_releases", output=str(first), stderr=io.StringIO())
    before = stored_archive()

    empty_the_archive()
    import_file(first)
    call_command("export_releases", output=str(second), stderr=io.StringIO())

    assert second.read_bytes() == first.read_bytes()
    assert stored_archive() == before
    assert Release.objects.get(slug="sg-sz-mous-zh").language == "zh"
    assert Release.objects.get(slug="sourced").source == SAMPLE_SOURCE


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_the_web_export_round_trip_is_byte_identical_and_drops_nothing(
    archive, client, tmp_path, fmt
):
    first = exported(client, fmt)
    before = stored_archive()
    path = tmp_path / f"releases.{fmt}"
    path.write_bytes(first)

    empty_the_archive()
    import_file(path)

    assert exported(client, fmt) == first
    assert stored_archive() == before


def test_csv_cells_hold_whole_tag_names_and_figures_as_named(archive, client):
    text = exported(client, "csv").decode("utf-8").removeprefix("\ufeff")
    rows = {row["slug"]: row for row in csv.DictReader(io.StringIO(text, newline=""))}
    sourced = rows["sourced"]
    assert list_items(sourced["programmes"]) == ['"Quoted" from the start', QUOTED_PROGRAMME]
    assert "10,000+ enterprises" in list_items(sourced["figures"])
    assert '3 "pilot" sites; 2 more' in list_items(sourced["figures"])
    # A spreadsheet shows these as text, not as formulas; the importer takes the mark off.
    assert sourced["title"] == "'-5% and =SUM(A1): 'quoted' title"
    assert rows["apostrophe"]["title"] == "''Tis a title with an apostrophe"


def test_an_export_with_versions_imports_as_the_same_releases_with_one_warning(archive, tmp_path):
    release = Release.objects.get(slug="sourced")
    edit(release, kind="correction", title="A corrected title", correction_note="Fixed.")
    plain, with_versions = tmp_path / "plain.jsonl", tmp_path / "versions.jsonl"
    call_command("export_releases", output=str(plain), stderr=io.StringIO())
    call_command("export_releases", output=str(with_versions), versions=True, stderr=io.StringIO())
    before = stored_archive()

    empty_the_archive()
    out, err = io.StringIO(), io.StringIO()
    call_command("import_releases", str(with_versions), stdout=out, stderr=err)
    again = tmp_path / "again.jsonl"
    call_command("export_releases", output=str(again), stderr=io.StringIO())

    assert "3 created" in out.getvalue()
    warnings = err.getvalue().splitlines()
    assert warnings == [
        f"warning: {with_versions}:1: versions: not imported (here or in any later record): "
        "only each release's current text is"
    ]
    assert again.read_bytes() == plain.read_bytes()
    assert stored_archive() == before
