"""Do both search engines answer alike? The same searches on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/engines_agree.py               # 200 random searches
    .venv/bin/python benchmarks/engines_agree.py --searches 1000 --seed 3
    .venv/bin/python benchmarks/engines_agree.py --fixtures    # the fixtures' own words

Random searches need `make bench-search` first: it fills a SQLite file and a
PostgreSQL database with the same generated releases under the same ids. The
searches are drawn from the generator's vocabulary (common and rare words,
two-word queries, phrases, OR, exclusions; a filter by agency, programme or
figure, with a year, kind or date range; every sort). `--fixtures` loads the
fixtures into a fresh SQLite file and a fresh PostgreSQL database instead and
searches them for every word of their titles and summaries and runs of their
title words: real text, with the stop words, hyphens and possessives the
generated vocabulary lacks. The same search must give the same count, the same
first page in the same order and the same facets on both. Each engine runs in
its own process (settings read DATABASE_URL once); this prints every search
whose answers differ, and exits non-zero if any does. docs/search.md ("Where the
engines differ") lists what may: tokenising at the edges.
"""

import argparse
import datetime
import json
import os
import random
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.search import DEFAULT_URLS, SEED  # noqa: E402

SHAPES = ("word", "two words", "phrase", "or", "exclusion", "filter", "sort")


def draw_searches(
    count: int, seed: int, agencies: list, programmes: list, figures: list
) -> list[dict]:
    from releases.management.commands.generate_releases import vocabulary
    from releases.models import Release

    words = vocabulary(30_000, random.Random(SEED))
    common, rare = words[:300], words[300:3_000]
    rng = random.Random(seed)
    searches = []
    for _ in range(count):
        shape = rng.choice(SHAPES)
        a, b, c = rng.choice(common), rng.choice(common + rare), rng.choice(rare)
        query = {
            "word": c, "two words": f"{a} {b}", "phrase": f'"{a} {b}"', "or": f"{c} OR {b}",
            "exclusion": f"{a} -{b}", "filter": a, "sort": f"{a} {c}",
        }[shape]  # fmt: skip
        filters = {}
        if shape == "filter":
            tags = rng.choice(
                [("agencies", agencies), ("programmes", programmes), ("figures", figures)]
            )
            filters[tags[0]] = rng.choice(tags[1])
            extra = rng.choice(["", "year", "kind", "dates"])
            if extra == "year":
                filters["year"] = rng.randrange(2015, 2027)
            elif extra == "kind":
                filters["kind"] = rng.choice(Release.Kind.values)
            elif extra == "dates":
                first = datetime.date(2015, 1, 1) + datetime.timedelta(days=rng.randrange(4_000))
                filters["date_from"] = first.isoformat()
                filters["date_to"] = (
                    first + datetime.timedelta(days=rng.randrange(900))
                ).isoformat()
        sort = rng.choice(["relevance", "newest", "oldest"]) if shape == "sort" else "relevance"
        searches.append({"query": query, "filters": filters, "sort": sort})
    return searches


def answer(searches: list[dict]) -> list[dict]:
    from releases.models import Agency, Figure, Programme
    from releases.search import search_releases

    models = {"agencies": Agency, "programmes": Programme, "figures": Figure}
    answers = []
    for search in searches:
        filters = {}
        for key, value in search["filters"].items():
            if key in models:
                filters[key] = [models[key].objects.get(slug=value)]
            elif key.startswith("date_"):
                filters[key] = datetime.date.fromisoformat(value)
            else:
                filters[key] = value
        results = search_releases(query=search["query"], filters=filters, sort=search["sort"])
        answers.append(
            {
                "count": results.count(),
                "first page": [release.pk for release in results[0:20]],
                "facets": {
                    facet: sorted([value.slug, value.count] for value in values)
                    for facet, values in results.facets.items()
                },
            }
        )
    return answers


def fixture_searches() -> list[dict]:
    """The fixtures' own words: every word of their titles and summaries, and runs of
    title words as phrases and as plain queries (real text has the stop words, hyphens
    and possessives that the generated vocabulary lacks)."""
    from releases.models import Release

    texts = Release.objects.order_by("pk").values_list("title", "summary")
    words = sorted({w.lower() for text in texts for w in re.findall(r"[\w'’-]+", " ".join(text))})
    queries = [word for word in words if any(c.isalpha() for c in word)]
    for title, _ in texts:
        parts = title.split()
        queries += ['"' + " ".join(parts[i : i + 2]) + '"' for i in range(0, len(parts) - 1, 2)]
        queries += [" ".join(parts[i : i + 3]) for i in range(0, len(parts) - 2, 3)]
    return [{"query": q, "filters": {}, "sort": "relevance"} for q in dict.fromkeys(queries)]


def run_engine(url: str, searches_file: str, answers_file: str, args):
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from releases.models import Agency, Figure, Programme

    if args.fixtures:
        call_command("migrate", verbosity=0)
        call_command("loaddata", *sorted(map(str, ROOT.glob("fixtures/*.json"))), verbosity=0)
    path = Path(searches_file)
    if not path.exists():
        if args.fixtures:
            searches = fixture_searches()
        else:
            tags = [
                list(model.objects.in_use().order_by("slug").values_list("slug", flat=True))
                for model in (Agency, Programme, Figure)
            ]
            searches = draw_searches(args.searches, args.seed, *tags)
        path.write_text(json.dumps(searches))
    searches = json.loads(path.read_text())
    Path(answers_file).write_text(json.dumps(answer(searches)))


def fresh_databases(work: str, postgresql_url: str) -> dict[str, str]:
    """An empty SQLite file and an empty PostgreSQL database, for the fixtures."""
    import psycopg

    server, name = postgresql_url.rsplit("/", 1)
    with psycopg.connect(server + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return {"sqlite": f"sqlite:///{work}/fixtures.sqlite3", "postgresql": postgresql_url}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--searches", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--fixtures",
        action="store_true",
        help="search the fixtures for their own words instead (in fresh databases)",
    )
    parser.add_argument(
        "--fixtures-postgresql-url",
        default="postgres://root@127.0.0.1:5432/engines_agree",
        help="PostgreSQL database to (re)create for --fixtures",
    )
    parser.add_argument("--run-engine", nargs=2, metavar=("URL", "ANSWERS"), help=argparse.SUPPRESS)
    parser.add_argument("--searches-file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_engine:
        url, answers_file = args.run_engine
        run_engine(url, args.searches_file, answers_file, args)
        return

    with tempfile.TemporaryDirectory() as work:
        if args.fixtures:
            urls = fresh_databases(work, args.fixtures_postgresql_url)
        else:
            urls = {
                engine: os.environ.get(f"BENCH_{engine.upper()}_URL", DEFAULT_URLS[engine])
                for engine in ("sqlite", "postgresql")
            }
        searches_file = Path(work, "searches.json")
        answers = {}
        for engine, url in urls.items():
            answers_file = Path(work, f"{engine}.json")
            subprocess.run(
                [sys.executable, __file__, "--run-engine", url, str(answers_file),
                 "--searches-file", str(searches_file),
                 "--searches", str(args.searches), "--seed", str(args.seed),
                 *(["--fixtures"] if args.fixtures else [])],
                check=True,
            )  # fmt: skip
            answers[engine] = json.loads(answers_file.read_text())
        searches = json.loads(searches_file.read_text())

    differing = 0
    rows = zip(searches, answers["sqlite"], answers["postgresql"], strict=True)
    for search, sqlite, postgresql in rows:
        parts = [part for part in sqlite if sqlite[part] != postgresql[part]]
        if parts:
            differing += 1
            print(f"{search}: {', '.join(parts)} differ")
            for part in parts:
                print(f"  SQLite:     {sqlite[part]}\n  PostgreSQL: {postgresql[part]}")
    found = sum(1 for sqlite in answers["sqlite"] if sqlite["count"])
    print(
        f"{len(searches)} searches ({found} finding something),"
        f" {differing} answered differently by the two engines."
    )
    sys.exit(1 if differing else 0)


if __name__ == "__main__":
    main()
