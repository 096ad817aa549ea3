import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from releases import importing
from releases.models import (
    Agency,
    Figure,
    Programme,
    Release,
    ReleaseRevision,
    TaggedAgency,
    TaggedFigure,
)
from releases.search import search_releases


def record(n=1, **fields):
    data = {
        "title": f"Imported release {n}",
        "slug": f"imported-{n}",
        "kind": "press-release",
        "published_on": "2021-03-04",
        "summary": f"Summary {n}.",
        "body": f"Body of **release {n}**.",
        "source_url": f"https://example.org/{n}",
        "agencies": ["imda"],
        "programmes": ["TradeTrust"],
        "figures": [{"label": "MoUs signed", "value": 8}],
    }
    data.update(fields)
    return data


@pytest.fixture
def write_jsonl(tmp_path):
    def write(*lines, name="releases.jsonl"):
        path = tmp_path / name
        text = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines)
        path.write_text(text + "\n", encoding="utf-8")
        return path

    return write


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_releases", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def fail(*args):
    err = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_releases", *map(str, args), stdout=io.StringIO(), stderr=err)
    return str(raised.value), err.getvalue().splitlines()


def table_counts():
    return [
        model.objects.count()
        for model in (Release, Agency, Programme, Figure, TaggedAgency, TaggedFigure)
    ]


def test_import_creates_releases_with_tags(write_jsonl, imda, mci):
    path = write_jsonl(
        record(1),
        record(2, agencies=["MCI", "Infocomm Media Development Authority"], figures=[]),
        record(3, kind="speech", status="draft", programmes=[], figures=["10,000+ enterprises"]),
    )
    out, err = run(path)
    assert out.startswith("3 created, 0 updated, 0 unchanged; new tags: 0 agencies, 1 programmes")
    assert err == ""  # no progress bar when not on a terminal

    first = Release.objects.get(slug="imported-1")
    assert first.body_html == "<p>Body of <strong>release 1</strong>.</p>"
    assert first.status == "published" and first.version == 1
    assert [a.slug for a in first.agencies.all()] == ["imda"]
    assert [p.name for p in first.programmes.all()] == ["TradeTrust"]
    assert [(int(f.value), f.label, f.name) for f in first.figures.all()] == [
        (8, "MoUs signed", "8 MoUs signed")
    ]
    second = Release.objects.get(slug="imported-2")
    assert {a.slug for a in second.agencies.all()} == {"imda", "mci"}
    third = Release.objects.get(slug="imported-3")
    assert (third.kind, third.status) == ("speech", "draft")
    assert [(int(f.value), f.name) for f in third.figures.all()] == [(10000, "10,000+ enterprises")]
    assert Agency.objects.count() == 2


def test_imports_are_searchable_by_text_and_tags(write_jsonl, imda, mci):
    def found(query):
        return {r.title for r in search_releases(query=query)}

    run(write_jsonl(record(1, title="Osprey survey"), record(2, agencies=["mci"])))
    assert found("osprey") == {"Osprey survey"}
    assert found("tradetrust") == {"Osprey survey", "Imported release 2"}
    assert found("mci") == {"Imported release 2"}
    # An update through the importer: the old title and agency are no longer found.
    run(write_jsonl(record(1, title="Kestrel survey", agencies=["mci"], programmes=[])))
    assert found("osprey") == set() and found("kestrel") == {"Kestrel survey"}
    assert found("mci") == {"Kestrel survey", "Imported release 2"}
    assert found("tradetrust") == {"Imported release 2"}
    facets = search_releases(query="survey").facets
    assert [(v.slug, v.count) for v in facets["agency"]] == [("mci", 1)]
    assert facets["programme"] == []


def test_import_drops_control_characters_from_text(write_jsonl, imda):
    path = write_jsonl(
        record(1, title="Pasted\x0btitle\x1b", summary="One\x0ctwo", agencies=["IMDA\x0b"])
    )
    run(path)
    release = Release.objects.get(slug="imported-1")
    assert (release.title, release.summary) == ("Pasted title", "One\ntwo")
    assert [a.slug for a in release.agencies.all()] == ["imda"]


def test_reimporting_the_same_file_changes_nothing(write_jsonl, imda):
    path = write_jsonl(record(1), record(2))
    run(path)
    before = list(Release.objects.values_list("slug", "version", "updated_at"))
    counts = table_counts()

    out, _ = run(path)

    assert out.startswith("0 created, 0 updated, 2 unchanged")
    assert list(Release.objects.values_list("slug", "version", "updated_at")) == before
    assert table_counts() == counts
    assert not ReleaseRevision.objects.exists()


def test_existing_slug_updates_that_release(write_jsonl, release, mci):
    original_body = release.body
    path = write_jsonl(
        {
            "title": "Corrected title",
            "slug": release.slug,
            "published_on": "2022-12-02",
            "body": original_body,
            "agencies": ["mci"],
        }
    )
    out, _ = run(path)
    assert out.startswith("0 created, 1 updated, 0 unchanged")

    updated = Release.objects.get()
    assert updated.title == "Corrected title"
    assert updated.version == 2
    assert [a.slug for a in updated.agencies.all()] == ["mci"]
    # Fields the record leaves out keep their values.
    assert updated.summary == release.summary
    assert [p.slug for p in updated.programmes.all()] == ["smart-city-initiative"]
    assert [f.name for f in updated.figures.all()] == ["8 MoUs signed"]
    revision = ReleaseRevision.objects.get()
    assert revision.via == "import" and revision.version == 2
    assert revision.changes == {
        "title": ["Singapore and Shenzhen sign eight MoUs", "Corrected title"],
        "agencies": [
            "Infocomm Media Development Authority",
            "Ministry of Communications and Information",
        ],
    }
    # A public release changed after publication tells readers so.
    assert updated.revised_at is not None


def test_body_change_rerenders_html(write_jsonl, release):
    path = write_jsonl(
        {
            "title": release.title,
            "slug": release.slug,
            "published_on": "2022-12-02",
            "body": "*New*",
        }
    )
    run(path)
    assert Release.objects.get().body_html == "<p><em>New</em></p>"


BAD_LINES = [
    json.dumps(record(1)),
    json.dumps(record(2, title="")),
    json.dumps(record(3, published_on="2021-02-30")),
    json.dumps(record(4, slug="imported-1")),
    json.dumps(record(5, kind="blog post")),
    json.dumps(record(6, figures=[{"label": "MoUs signed", "value": "eight"}])),
    '{"title": "Broken", "slug": ',
    json.dumps({k: v for k, v in record(8).items() if k != "body"}),
]


def test_every_bad_record_is_reported_and_nothing_is_written(write_jsonl, release):
    path = write_jsonl(*BAD_LINES)
    counts = table_counts()

    message, lines = fail(path)

    assert message == "7 problems in 7 records; nothing was imported."
    assert lines == [
        f"{path}:2: title: is required",
        f"{path}:3: published_on: “2021-02-30” is not a date written YYYY-MM-DD",
        f"{path}:4: slug: “imported-1” already appears at {path}:1",
        f"{path}:5: kind: unknown kind “blog post”; use one of press-release, factsheet, "
        "speech, media-advisory",
        f"{path}:6: figures: value “eight” is not a number",
        f"{path}:7: json: invalid JSON: Expecting value (column 29)",
        f"{path}:8: body: is required",
    ]
    assert table_counts() == counts


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"slug": "Not a slug!"}, "slug: “Not a slug!” may hold only letters, digits, - and _"),
        ({"published_on": "02/12/2022"}, "published_on: “02/12/2022” is not a date"),
        ({"published_on": 20221202}, "published_on: 20221202 is not a date"),
        ({"source_url": "not a url"}, "source_url: “not a url” is not a web address"),
        ({"status": "live"}, "status: unknown status “live”; use one of draft, published"),
        ({"language": "english!"}, "language: “english!” is not a language code"),
        ({"title": "x" * 301}, "title: is 301 characters long; the limit is 300"),
        ({"title": "nul\x00"}, "title: contains a NUL character"),
        ({"agencies": "IMDA"}, "agencies: must be a list of names"),
        ({"agencies": ["!!!"]}, "agencies: “!!!” has no letters or digits"),
        ({"figures": [{"value": 3}]}, "figures: a figure needs a label"),
        ({"figures": [{"label": "x", "value": True}]}, "figures: value true is not a number"),
        ({"figures": [{"label": "x", "value": 1e17}]}, "is out of range"),
        ({"figures": ["several MoUs"]}, "figures: “several MoUs” needs a number first"),
        ({"colour": "red"}, "colour: is not a field of the import format"),
    ],
)
def test_each_rule_names_the_field(write_jsonl, db, fields, expected):
    path = write_jsonl(record(1, **fields))
    _, lines = fail(path)
    assert len(lines) == 1
    assert lines[0].startswith(f"{path}:1: ")
    assert expected in lines[0]


def test_lone_surrogates_are_problems_on_their_line_and_nothing_is_written(write_jsonl, db):
    path = write_jsonl(
        record(1),
        record(2, title="Bad \ud800 title", agencies=["IMDA", "M\udfffCI"]),
        {**record(3), "sum\ud800mary": "x"},
    )
    before = table_counts()
    message, lines = fail(path)
    assert "nothing was imported" in message
    assert lines == [
        f"{path}:2: title: holds a lone UTF-16 surrogate (such as \\ud800), which is not text",
        f"{path}:2: agencies: holds a lone UTF-16 surrogate (such as \\ud800), which is not text",
        f"{path}:3: sum\\ud800mary: is not a field of the import format",
    ]
    assert all(line.encode("utf-8") for line in lines)  # printable on any terminal
    assert table_counts() == before


def test_non_object_and_non_utf8_lines(tmp_path, db):
    path = tmp_path / "odd.jsonl"
    path.write_bytes(b'["a list"]\n\n{"title": "caf\xe9"}\n')
    _, lines = fail(path)
    assert lines == [
        f"{path}:1: record: must be a JSON object",
        f"{path}:3: record: is not UTF-8 text",
    ]


def test_duplicates_across_files_are_found(write_jsonl, db):
    first = write_jsonl(record(1), name="a.jsonl")
    second = write_jsonl(record(1), name="b.jsonl")
    _, lines = fail(first, second)
    assert lines == [f"{second}:1: slug: “imported-1” already appears at {first}:1"]


def test_dry_run_reports_without_writing(write_jsonl, imda):
    path = write_jsonl(record(1), record(2))
    counts = table_counts()
    out, _ = run(path, "--dry-run")
    assert out.startswith("Dry run, nothing written: would have 2 created, 0 updated")
    assert table_counts() == counts


def test_dry_run_still_reports_problems(write_jsonl, db):
    message, lines = fail(write_jsonl(record(1, title="")), "--dry-run")
    assert "nothing was imported" in message
    assert lines[0].endswith("title: is required")


def test_no_new_tags_refuses_unknown_names(write_jsonl, imda):
    path = write_jsonl(record(1), record(2, agencies=["Imda", "Ministry of Magic"]))
    _, lines = fail(path, "--no-new-tags")
    assert lines == [
        f"{path}:1: programmes: no programme called “TradeTrust”",
        f"{path}:1: figures: no figure called “8 MoUs signed”",
        f"{path}:2: agencies: no agency called “Ministry of Magic”",
    ]


def test_missing_file_is_reported(tmp_path, db):
    _, lines = fail(tmp_path / "nowhere.jsonl")
    assert lines == [f"{tmp_path / 'nowhere.jsonl'}:0: file: no such file"]


def test_failure_while_writing_leaves_the_database_unchanged(write_jsonl, imda, monkeypatch):
    path = write_jsonl(*(record(n) for n in range(1, 6)))
    counts = table_counts()
    calls = []

    def render_then_break(source):
        calls.append(source)
        if len(calls) > 3:
            raise RuntimeError("disk full")
        return "<p>ok</p>"

    monkeypatch.setattr(importing, "render_markdown", render_then_break)
    importer = importing.Importer([path], chunk_size=2)
    with pytest.raises(RuntimeError):
        importer.run()
    assert table_counts() == counts


def test_queries_do_not_grow_with_the_number_of_records(write_jsonl, imda):
    def queries_for(count, offset):
        path = write_jsonl(*(record(offset + n) for n in range(count)), name=f"{offset}.jsonl")
        with CaptureQueriesContext(connection) as queries:
            importing.Importer([path], chunk_size=1000).run()
        return len(queries)

    # A few queries a chunk (SQLite takes at most 999 values a statement), never one a row.
    assert queries_for(5, 0) < 30
    assert queries_for(200, 1000) < 40


# --- CSV --------------------------------------------------------------------------------

CSV_HEADER = "title,slug,published_on,kind,summary,body,agencies,programmes,figures,source_url\n"


def test_csv_with_the_same_columns(tmp_path, imda):
    path = tmp_path / "releases.csv"
    path.write_text(
        CSV_HEADER
        + 'One,csv-one,2020-01-02,factsheet,Short.,"First paragraph.\n\nSecond, with a comma.",'
        'imda; Ministry of Trade,TradeTrust,"8 MoUs signed; 10,000+ enterprises",\n'
        "Two,csv-two,2020-01-03,,,Body two.,,,,https://example.org/two\n",
        encoding="utf-8",
    )
    out, _ = run(path)
    assert out.startswith("2 created")
    one = Release.objects.get(slug="csv-one")
    assert one.kind == "factsheet"
    assert one.body_html == "<p>First paragraph.</p>\n<p>Second, with a comma.</p>"
    assert {a.name for a in one.agencies.all()} == {imda.name, "Ministry of Trade"}
    assert sorted(f.name for f in one.figures.all()) == ["10,000+ enterprises", "8 MoUs signed"]
    two = Release.objects.get(slug="csv-two")
    assert (two.kind, two.source_url) == ("press-release", "https://example.org/two")
    assert not two.agencies.exists()
    assert run(path)[0].startswith("0 created, 0 updated, 2 unchanged")


def test_csv_problems_name_the_line_a_record_starts_on(tmp_path, db):
    path = tmp_path / "bad.csv"
    path.write_text(
        CSV_HEADER
        + 'Good,good,2020-01-02,,,"Line one\nline two\nline three",,,,\n'
        + "Bad,bad,2020-02-31,,,Body.,,,eight MoUs,\n"
        + "Short,row\n",
        encoding="utf-8",
    )
    _, lines = fail(path)
    assert lines == [
        f"{path}:5: published_on: “2020-02-31” is not a date written YYYY-MM-DD",
        f"{path}:5: figures: “eight MoUs” needs a number first, like “8 MoUs signed”",
        f"{path}:6: record: has 2 cells; the header has 10",
    ]


def test_csv_header_must_name_known_columns(tmp_path, db):
    path = tmp_path / "bad.csv"
    path.write_text("title,slug,body,colour\nA,a,B,red\n", encoding="utf-8")
    _, lines = fail(path)
    assert lines == [
        f"{path}:1: header: unknown column “colour”",
        f"{path}:1: header: the required column “published_on” is missing",
    ]


# --- Progress ---------------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_is_drawn_on_a_terminal_only(write_jsonl, db):
    path = write_jsonl(record(1))
    terminal = Terminal()
    importing.Importer([path], progress=importing.Progress(terminal)).run()
    assert "Importing  [##############################] 100%" in terminal.getvalue()

    pipe = io.StringIO()
    importing.Importer([path], progress=importing.Progress(pipe)).run()
    assert pipe.getvalue() == ""


def test_imported_dates_are_dates(write_jsonl, db):
    run(write_jsonl(record(1, published_on="1999-12-31")))
    assert Release.objects.get().published_on == datetime.date(1999, 12, 31)


def test_a_bad_record_after_written_chunks_still_leaves_nothing(write_jsonl, imda):
    path = write_jsonl(*(record(n) for n in range(1, 9)), record(9, published_on="yesterday"))
    counts = table_counts()
    problems, summary = importing.Importer([path], chunk_size=2).run()
    assert [str(p) for p in problems] == [
        f"{path}:9: published_on: “yesterday” is not a date written YYYY-MM-DD"
    ]
    assert summary is None
    assert table_counts() == counts


def test_worker_processes_give_the_same_result(write_jsonl, imda):
    good = write_jsonl(*(record(n) for n in range(1, 6)), name="good.jsonl")
    problems, summary = importing.Importer([good], chunk_size=2, workers=1).run()
    assert (problems, summary.created) == ([], 5)
    assert Release.objects.get(slug="imported-3").body_html == (
        "<p>Body of <strong>release 3</strong>.</p>"
    )
    bad = write_jsonl(record(6), record(7, kind="blog"), "{", name="bad.jsonl")
    problems, _ = importing.Importer([bad], chunk_size=1, workers=1).run()
    assert [p.line for p in problems] == [2, 3]
    assert Release.objects.count() == 5


# --- Near-duplicate tags ----------------------------------------------------------------

CSA = "Cyber Security Agency of Singapore (CSA)"


@pytest.fixture
def csa(db):
    return Agency.objects.create(name=CSA, slug="csa")


def test_no_new_tags_names_the_tag_a_new_name_is_close_to(write_jsonl, imda, csa):
    path = write_jsonl(
        record(1, programmes=[], figures=[]),
        record(2, agencies=["Cyber Security Agency"], programmes=[], figures=[]),
    )
    _, lines = fail(path, "--no-new-tags")
    assert lines == [
        f"{path}:2: agencies: no agency called “Cyber Security Agency” (did you mean “{CSA}”?)"
    ]
    assert Agency.objects.count() == 2


def test_a_new_name_close_to_an_existing_tag_is_created_with_a_warning(
    write_jsonl, imda, csa, figure
):
    path = write_jsonl(
        record(1),
        record(
            2,
            agencies=["Cyber Security Agency"],
            figures=[{"label": "new joint project", "value": 14}],
        ),
        record(3, agencies=["Cyber Security Agency", "Ministry of Magic"]),
    )
    out, err = run(path)
    assert "3 created" in out
    assert err.splitlines() == [
        f"warning: {path}:2: agencies: new agency “Cyber Security Agency” is close to “{CSA}”; "
        "created as given (merge them in the admin if they are one)",
        f"warning: {path}:2: figures: new figure “14 new joint project” is close to "
        "“14 new joint projects”; created as given (merge them in the admin if they are one)",
    ]
    assert Agency.objects.filter(name="Cyber Security Agency").count() == 1


def test_matching_tags_costs_no_queries_per_record(write_jsonl, imda, csa):
    def tag_reads(count):
        path = write_jsonl(
            *(
                record(n, agencies=[f"Cyber Security Agency {n}"],
                       figures=[{"label": f"sites {n}", "value": n}])
                for n in range(count)
            ),
            name=f"{count}.jsonl",
        )  # fmt: skip
        with CaptureQueriesContext(connection) as captured:
            run(path, "--dry-run")
        tables = ('FROM "releases_agency"', 'FROM "releases_figure"')
        return sum(any(t in q["sql"] for t in tables) for q in captured.captured_queries)

    assert tag_reads(40) == tag_reads(10)
