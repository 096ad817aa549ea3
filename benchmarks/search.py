"""Search benchmark: server time of /search/ and /api/releases/?q= at 100,000 releases.

    make bench-search                      # both engines, 100,000 releases
    python benchmarks/search.py --engine sqlite --count 20000 --repeat 15

For each engine this fills a database with `generate_releases` (reusing it
when it already holds exactly that archive), then requests each query
through Django's test client in this process, so the times are server time:
URL routing, form, search, template, no network. The page cache is off.
"cold" empties the cache before every request, so the count and facets are
computed each time (the first reader after any change to the archive);
"warm" keeps them, as they are kept until the data changes (the next
reader of the same query, another sort, the other format). "SQL" is a
cold request's SQL statements run again with every row fetched: the floor
such a request cannot beat. Medians and 95th percentiles over --repeat
runs after two warm-up runs.
"""

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URLS = {
    "sqlite": "sqlite:////tmp/bench-search.sqlite3",
    "postgresql": "postgres://root@127.0.0.1:5432/bench_search",
}
SEED = 2022


def queries(rare_word: str, agency: str) -> list[tuple[str, dict]]:
    return [
        ("common word (in ~every release)", {"q": "digital"}),
        ("word in half the releases", {"q": "infrastructure"}),
        ("rare word", {"q": rare_word}),
        ("two words", {"q": "security partnership"}),
        ("phrase", {"q": '"smart cities"'}),
        ("phrase of two common words", {"q": '"digital singapore"'}),
        ("common word + agency filter", {"q": "digital", "agency": agency}),
        ("common word, newest first", {"q": "digital", "sort": "newest"}),
        ("misspelt word (did you mean)", {"q": "digitl"}),
    ]


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def create_postgres_database(url):
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(url):
    if url.startswith("postgres"):
        create_postgres_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ["DJANGO_PAGE_CACHE"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def ensure_archive(count):
    from django.core.management import call_command
    from django.db import connection

    from releases.models import Release

    call_command("migrate", verbosity=0)
    generated = Release.objects.filter(slug__startswith="generated-").count()
    if generated == count and Release.objects.count() == count:
        print(f"Reusing the {count:,} generated releases already in the database.")
    else:
        print(f"Filling the database with {count:,} generated releases…", flush=True)
        call_command("flush", interactive=False, verbosity=0)
        call_command("generate_releases", count=count, seed=SEED)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")
            cursor.execute(
                "INSERT INTO releases_searchindex (releases_searchindex) VALUES ('optimize')"
            )


def pick_rare_word():
    """The generated word that the fewest releases use (about 30 of 100,000)."""
    import random

    from django.db import connection

    from releases.management.commands.generate_releases import vocabulary
    from releases.search import ENGINES

    invented = set(vocabulary(30_000, random.Random(SEED))[1_000:])
    with connection.cursor() as cursor:
        counts = ENGINES[connection.vendor].vocabulary(cursor, ["k"])
    return min((documents, word) for word, documents in counts.items() if word in invented)[1]


def sql_floor(statements, repeat=5):
    """Run a request's SQL again, fetching every row: the time no page can beat."""
    from django.db import connection, transaction

    times = []
    for _ in range(repeat):
        with transaction.atomic(), connection.cursor() as cursor:
            start = time.perf_counter()
            for sql, params in statements:
                cursor.execute(sql, params)
                if cursor.description is not None:
                    cursor.fetchall()
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def timed_requests(params, repeat, *, cold):
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    rows = {}
    for path in ("/search/", "/api/releases/"):
        totals, statements, statuses, counts = [], [], set(), set()

        def record(execute, sql, params_, many, context, statements=statements):
            statements.append((sql, params_))
            return execute(sql, params_, many, context)

        for n in range(repeat + 2):
            if cold:
                cache.clear()
            statements.clear()
            start = time.perf_counter()
            with connection.execute_wrapper(record):
                response = client.get(path, params)
            elapsed = time.perf_counter() - start
            statuses.add(response.status_code)
            if path.startswith("/api/"):
                counts.add(response.json()["count"])
            if n >= 2:
                totals.append(elapsed * 1000)
        rows[path] = {
            "median": statistics.median(totals),
            "p95": percentile(totals, 0.95),
            "sql": sql_floor(list(statements)) if cold else None,
            "queries": len(statements),
            "status": ",".join(map(str, sorted(statuses))),
            "matches": counts.pop() if counts else None,
        }
    return rows


def run_engine(engine, url, count, repeat):
    setup_django(url)
    from django.db import connection

    from releases.models import Agency

    ensure_archive(count)
    rare = pick_rare_word()
    agency = Agency.objects.in_use().order_by("-release_count")[4]
    version = connection.Database.sqlite_version if engine == "sqlite" else connection.pg_version
    print(f"\n### {engine} {version}, {count:,} releases\n")
    print(f"Filter: agency={agency.slug} ({agency.release_count:,} releases). Rare word: {rare}.\n")
    print(
        "| query | matches | page cold median / p95 | page warm median / p95 | page SQL "
        "| API cold median / p95 | API warm median / p95 | API SQL | queries cold / warm |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    load = os.getloadavg()[0]
    misses = []
    for label, params in queries(rare, agency.slug):
        cold = timed_requests(params, repeat, cold=True)
        warm = timed_requests(params, repeat, cold=False)
        cells = []
        for path in ("/search/", "/api/releases/"):
            cells += [
                f"{cold[path]['median']:.0f} / {cold[path]['p95']:.0f} ms",
                f"{warm[path]['median']:.0f} / {warm[path]['p95']:.0f} ms",
                f"{cold[path]['sql']:.0f} ms",
            ]
            for kind, row in (("cold", cold[path]), ("warm", warm[path])):
                if row["median"] > 50 or row["p95"] > 100:
                    misses.append(f"{label} {path} ({kind})")
                if row["status"] != "200":
                    misses.append(f"{label} {path} answered {row['status']}")
        queries_cell = f"{cold['/search/']['queries']} / {warm['/search/']['queries']}"
        print(
            f"| {label}: `{'&'.join(f'{k}={v}' for k, v in params.items())}` "
            f"| {cold['/api/releases/']['matches']:,} | {' | '.join(cells)} | {queries_cell} |",
            flush=True,
        )
    print(f"\nLoad average {load:.1f} before, {os.getloadavg()[0]:.1f} after.")
    print(f"Target (median ≤ 50 ms, p95 ≤ 100 ms) missed by: {', '.join(misses) or 'none'}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=21)
    args = parser.parse_args()
    if args.engine == "both":
        print(
            f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f}"
        )
        for engine in ("sqlite", "postgresql"):
            # One process per engine: settings read DATABASE_URL once, at start-up.
            subprocess.run(
                [sys.executable, __file__, "--engine", engine, "--count", str(args.count),
                 "--repeat", str(args.repeat)],
                check=True,
            )  # fmt: skip
        return
    url = os.environ.get(f"BENCH_{args.engine.upper()}_URL", DEFAULT_URLS[args.engine])
    run_engine(args.engine, url, args.count, args.repeat)


if __name__ == "__main__":
    main()
