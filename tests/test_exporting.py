"""CSV and JSON Lines exports of any listing, and `manage.py export_releases`."""

import csv
import datetime
import io
import json
import math
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from releases import exporting
from releases.models import AgencyAlias, Figure, Release
from tests.test_versions import correct_then_update, edit


def streamed(response) -> str:
    assert response.status_code == 200, response.content
    assert response.streaming
    return b"".join(response.streaming_content).decode("utf-8")


def csv_rows(client, query=""):
    response = client.get(f"/releases/export.csv{query}")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="releases.csv"'
    text = streamed(response)
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def jsonl_records(client, query=""):
    response = client.get(f"/releases/export.jsonl{query}")
    assert response["Content-Type"] == "application/jsonl; charset=utf-8"
    return [json.loads(line) for line in streamed(response).split("\n") if line]


def test_jsonl_is_the_import_format_exactly(client, release, mci, tradetrust):
    release.agencies.add(mci)
    release.programmes.add(tradetrust)
    release.figures.add("10,000+ enterprises")
    release.source_url = "https://example.gov.sg/mou"
    release.save()

    [record] = jsonl_records(client)
    assert record == {
        "title": "Singapore and Shenzhen sign eight MoUs",
        "slug": "singapore-shenzhen-mous",
        "kind": "press-release",
        "published_on": "2022-12-02",
        "summary": "Eight memoranda signed at the third committee meeting.",
        "body": "## Highlights\n\nEight **MoUs** were signed.",
        "source": "",
        "source_url": "https://example.gov.sg/mou",
        "language": "en",
        "status": "published",
        # Sorted, so that the same data always gives the same bytes.
        "agencies": [
            "Infocomm Media Development Authority",
            "Ministry of Communications and Information",
        ],
        "programmes": ["Singapore-China (Shenzhen) Smart City Initiative", "TradeTrust"],
        "figures": [
            {"name": "8 MoUs signed", "label": "MoUs signed", "value": 8},
            {"name": "10,000+ enterprises", "label": "enterprises", "value": 10000},
        ],
    }
    assert list(record) == list(exporting.RECORD_FIELDS)


def test_jsonl_line_is_stable_and_safe_for_line_splitting(make_release):
    release = make_release(title="中新合作 “smart city”", body="One\u2028two\u2029three\x85four\n")
    release.figures.add(Figure.objects.create(value="2.5", label="billion dollars"))
    line = exporting.jsonl_line(exporting.release_record(release))
    # Non-Latin text stays readable; only characters that split lines are escaped.
    assert "中新合作 “smart city”" in line
    assert line.count("\n") == 1 and len(line.splitlines()) == 1
    assert json.loads(line)["body"] == "One\u2028two\u2029three\x85four\n"
    assert json.loads(line)["figures"] == [
        {"name": "2.5 billion dollars", "label": "billion dollars", "value": 2.5}
    ]
    assert exporting.jsonl_line(exporting.release_record(release)) == line


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("8.0000", 8),
        ("2.5000", 2.5),
        ("0.0001", 0.0001),
        ("1234567890123.4567", "1234567890123.4567"),
    ],
)
def test_figure_values_are_written_without_rounding(value, written):
    assert exporting.json_number(Decimal(value)) == written


def test_csv_quotes_commas_quotes_newlines_and_keeps_non_latin_text(client, make_release, imda):
    make_release(
        title='Speech: "Smart cities, smarter people"',
        summary="Line one,\nline two.",
        body="新加坡与深圳签署谅解备忘录。\r\nСингапур и Шэньчжэнь.",
        agencies=[imda],
        figures=["8 MoUs signed", "10,000 enterprises"],
    )
    [row] = csv_rows(client)
    assert row["title"] == 'Speech: "Smart cities, smarter people"'
    assert row["summary"] == "Line one,\nline two."
    assert row["body"] == "新加坡与深圳签署谅解备忘录。\r\nСингапур и Шэньчжэнь."
    assert row["agencies"] == "Infocomm Media Development Authority"
    assert row["figures"] == "8 MoUs signed; 10,000 enterprises"
    assert row["url"].startswith("http://testserver/releases/")

    raw = streamed(client.get("/releases/export.csv"))
    assert '"Speech: ""Smart cities, smarter people"""' in raw


def test_csv_cells_that_a_spreadsheet_would_run_are_defused(client, make_release):
    make_release(title='=HYPERLINK("http://evil")', summary="+1 more", body="- a list")
    [row] = csv_rows(client)
    assert row["title"] == '\'=HYPERLINK("http://evil")'
    assert row["summary"] == "'+1 more"
    assert row["body"] == "'- a list"


def test_exports_stream_every_matching_row_not_one_page(client, make_release, imda, settings):
    for _ in range(settings.RELEASES_PER_PAGE + 5):
        make_release(agencies=[imda])
    make_release(title="No agency")
    assert len(csv_rows(client, "?agency=imda")) == settings.RELEASES_PER_PAGE + 5
    assert len(jsonl_records(client, "?agency=imda")) == settings.RELEASES_PER_PAGE + 5
    assert len(jsonl_records(client)) == settings.RELEASES_PER_PAGE + 6


def test_exports_take_the_listing_filters_and_sort(client, make_release, imda):
    make_release(title="B", published_on=datetime.date(2021, 1, 1), agencies=[imda])
    make_release(title="A", published_on=datetime.date(2020, 1, 1), agencies=[imda])
    make_release(title="C", published_on=datetime.date(2021, 6, 1))
    make_release(title="Draft", status=Release.Status.DRAFT, agencies=[imda])
    assert [r["title"] for r in jsonl_records(client, "?agency=imda")] == ["B", "A"]
    assert [r["title"] for r in jsonl_records(client, "?agency=imda&sort=title")] == ["A", "B"]
    assert [r["title"] for r in csv_rows(client, "?year=2021&sort=oldest")] == ["B", "C"]


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_export_queries_grow_with_chunks_not_rows(
    client, make_release, imda, smart_city, monkeypatch, django_assert_num_queries, fmt
):
    monkeypatch.setattr(exporting, "CHUNK_SIZE", 4)
    for _ in range(10):
        make_release(agencies=[imda], programmes=[smart_city], figures=["8 MoUs signed"])
    chunks = math.ceil(10 / 4)
    # The data version (caching headers), the agency filter, the rows, the tags of each chunk.
    with django_assert_num_queries(1 + 1 + 1 + chunks):
        response = client.get(f"/releases/export.{fmt}?agency=imda")
        body = b"".join(response.streaming_content)
    assert body.count(b"release-") >= 10


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_exports_refuse_bad_filters_with_400(client, db, fmt):
    response = client.get(f"/releases/export.{fmt}?to=31/12/2020")
    assert response.status_code == 400
    assert "Enter a valid date" in response.content.decode()


def test_list_and_tag_pages_link_their_exports(client, release):
    text = client.get("/agencies/imda/").content.decode()
    assert 'href="/releases/export.csv?agency=imda"' in text
    assert 'href="/releases/export.jsonl?agency=imda"' in text


def test_command_writes_the_same_records_oldest_first(client, make_release, imda, tmp_path):
    make_release(title="Newer", slug="b-newer", published_on=datetime.date(2023, 1, 1))
    make_release(
        title="Same day, later slug", slug="z-same", published_on=datetime.date(2020, 1, 1)
    )
    make_release(title="Same day", slug="a-same", published_on=datetime.date(2020, 1, 1))
    make_release(title="Draft", status=Release.Status.DRAFT)

    out = tmp_path / "releases.jsonl"
    call_command("export_releases", output=str(out))
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["slug"] for line in lines] == ["a-same", "z-same", "b-newer"]
    web = {r["slug"]: r for r in jsonl_records(client)}
    assert [json.loads(line) for line in lines] == [web["a-same"], web["z-same"], web["b-newer"]]


def test_command_is_deterministic_and_writes_to_stdout(make_release, imda, mci, capsys):
    make_release(agencies=[mci, imda], figures=["8 MoUs signed", "14 joint projects"])
    call_command("export_releases")
    first = capsys.readouterr().out
    call_command("export_releases")
    assert capsys.readouterr().out == first
    assert json.loads(first)["agencies"] == [
        "Infocomm Media Development Authority",
        "Ministry of Communications and Information",
    ]


def test_command_takes_filters_and_rejects_bad_ones(make_release, imda, capsys):
    make_release(title="Tagged", agencies=[imda])
    make_release(title="Untagged")
    call_command("export_releases", filter="agency=imda")
    assert [json.loads(line)["title"] for line in capsys.readouterr().out.splitlines()] == [
        "Tagged"
    ]
    with pytest.raises(CommandError, match="No agency called"):
        call_command("export_releases", filter="agency=nobody")


def test_export_import_export_is_byte_identical(db, tmp_path):
    """The JSON Lines export is the import format: a full round trip changes nothing."""
    from pathlib import Path

    from django.conf import settings
    from django.core.management import call_command

    from releases.models import Agency, Figure, Programme, Release

    fixtures = sorted(str(p) for p in (Path(settings.BASE_DIR) / "fixtures").glob("*.json"))
    call_command("loaddata", *fixtures, verbosity=0)
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    call_command("export_releases", output=str(first))

    Release.objects.all().delete()
    for model in (Agency, Programme, Figure):
        model.objects.all().delete()
    call_command("import_releases", str(first), stdout=io.StringIO(), stderr=io.StringIO())
    call_command("export_releases", output=str(second))

    assert Release.objects.count() == len(first.read_text().splitlines()) >= 40
    assert second.read_bytes() == first.read_bytes()


def test_exports_of_a_search_hold_every_match_with_all_its_columns(
    client, make_release, imda, monkeypatch
):
    monkeypatch.setattr(exporting, "CHUNK_SIZE", 2)  # several chunks of search results
    for n in range(5):
        make_release(
            title=f"Heron survey {n}",
            body=f"Counted at dawn, site {n}.",
            agencies=[imda],
            figures=[f"{n + 1} nests found"],
        )
    make_release(title="Egret survey")
    records = jsonl_records(client, "?q=heron")
    assert sorted(r["title"] for r in records) == [f"Heron survey {n}" for n in range(5)]
    assert all(r["body"].startswith("Counted at dawn") and r["figures"] for r in records)
    rows = csv_rows(client, "?q=heron&sort=newest")
    assert [row["title"] for row in rows] == [
        r["title"] for r in jsonl_records(client, "?q=heron&sort=newest")
    ]
    assert len(rows) == 5


# --- Public versions (`--versions`, `?versions=1`) ---------------------------------------

IMDA = "Infocomm Media Development Authority"
SMART_CITY = "Singapore-China (Shenzhen) Smart City Initiative"
NOTE = "An earlier version said eight MoUs."


@pytest.fixture
def corrected(release):
    return correct_then_update(release)


def as_it_stood(**changed) -> dict:
    """The seed release's fields as a version record holds them, with `changed` applied."""
    return {
        "title": "Singapore and Shenzhen sign eight MoUs",
        "kind": "press-release",
        "published_on": "2022-12-02",
        "summary": "Eight memoranda signed at the third committee meeting.",
        "body": "## Highlights\n\nEight **MoUs** were signed.",
        "source": "",
        "source_url": "",
        "language": "en",
        "agencies": [IMDA],
        "programmes": [SMART_CITY],
        "figures": ["8 MoUs signed"],
        **changed,
    }


def exported_records(**options) -> list[dict]:
    out = io.StringIO()
    call_command("export_releases", stdout=out, **options)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_the_command_adds_every_public_version_oldest_first(corrected):
    [record] = exported_records(versions=True)
    nine = "## Highlights\n\nNine **MoUs** were signed."
    assert record["versions"] == [
        {
            "number": 1,
            "kind": "issued",
            "published_at": "2022-12-01T16:00:00+00:00",
            "note": "",
            "release": as_it_stood(),
        },
        {
            "number": 2,
            "kind": "correction",
            "published_at": "2022-12-05T02:00:00+00:00",
            "note": NOTE,
            "release": as_it_stood(body=nine),
        },
        {
            "number": 3,
            "kind": "update",
            "published_at": "2023-01-09T01:00:00+00:00",
            "note": NOTE,
            "release": as_it_stood(
                title="Singapore and Shenzhen sign nine MoUs", body=nine, figures=["9 MoUs signed"]
            ),
        },
    ]
    assert list(record) == [*exporting.RECORD_FIELDS, "versions"]


def test_without_the_option_the_export_holds_no_versions(corrected):
    [plain] = exported_records()
    [with_versions] = exported_records(versions=True)
    assert "versions" not in plain
    assert {key: value for key, value in with_versions.items() if key != "versions"} == plain


def test_a_release_never_changed_has_its_one_version(release):
    [record] = exported_records(versions=True)
    assert record["versions"] == [
        {
            "number": 1,
            "kind": "issued",
            "published_at": "2022-12-01T16:00:00+00:00",
            "note": "",
            "release": as_it_stood(),
        }
    ]


def test_drafts_and_scheduled_releases_carry_no_versions(corrected, make_release, tomorrow):
    edit(corrected, status=Release.Status.DRAFT)  # its kept versions stay out of sight
    make_release(slug="embargoed", published_on=tomorrow)
    make_release(slug="draft", status=Release.Status.DRAFT)
    make_release(slug="public")
    assert [record["slug"] for record in exported_records(versions=True)] == ["public"]
    assert [len(record["versions"]) for record in exported_records(versions=True)] == [1]


def test_a_version_names_its_agencies_as_they_were_named_on_its_date(release, imda):
    AgencyAlias.objects.create(
        agency=imda,
        name="Infocomm Development Authority",
        valid_from=datetime.date(2000, 1, 1),
        valid_until=datetime.date(2022, 12, 31),
    )
    AgencyAlias.objects.create(agency=imda, name="IMDA Singapore")  # undated: search only
    [record] = exported_records(versions=True)
    assert record["versions"][0]["release"]["agencies"] == ["Infocomm Development Authority"]
    assert record["agencies"] == [IMDA]  # the release itself: the agency's name now


def test_the_web_export_adds_versions_when_asked(client, corrected):
    [plain] = jsonl_records(client)
    [with_versions] = jsonl_records(client, "?versions=1")
    assert "versions" not in plain
    assert with_versions == exported_records(versions=True)[0]
    assert jsonl_records(client, "?versions=0") == [plain]
    [searched] = jsonl_records(client, "?q=nine&versions=1")
    assert searched == with_versions


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/releases/export.csv?versions=1", "CSV does not carry versions"),
        ("/releases/export.jsonl?versions=yes", "versions= takes 1 or 0"),
    ],
)
def test_exports_refuse_versions_they_cannot_give_with_400(client, corrected, path, message):
    response = client.get(path)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_versions_cost_queries_per_chunk_not_per_row(
    client, make_release, imda, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(exporting, "CHUNK_SIZE", 4)
    for n in range(10):
        release = make_release(agencies=[imda], figures=["8 MoUs signed"])
        if n % 2:
            correct_then_update(release)
    chunks = math.ceil(10 / 4)
    # The data version, the rows, the tags and the versions of each chunk, dated aliases.
    with django_assert_num_queries(1 + 1 + 2 * chunks + 1):
        response = client.get("/releases/export.jsonl?versions=1")
        lines = b"".join(response.streaming_content).decode().splitlines()
    assert sorted(len(json.loads(line)["versions"]) for line in lines) == [1] * 5 + [3] * 5
