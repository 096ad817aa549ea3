"""Benchmark the follow/cite/reuse features on a generated archive; prints a table.

    DATABASE_URL=... .venv/bin/python benchmarks/follow.py [--releases 5000 10000] [--repeat 15]

Works in a throwaway test database (test_<name>), never in the configured one.
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")

import django

django.setup()

from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_databases,
    setup_test_environment,
    teardown_databases,
)

from releases import exporting  # noqa: E402
from releases.models import (  # noqa: E402
    Agency,
    Figure,
    Programme,
    Release,
    TaggedAgency,
    TaggedFigure,
    TaggedProgramme,
)

BODY = " ".join(["The committee agreed further joint projects on digital trade."] * 30)


def populate(total: int, rng: random.Random) -> None:
    """Add releases until there are `total`, with a realistic spread of tags."""
    agencies = list(Agency.objects.all()) or Agency.objects.bulk_create(
        Agency(name=f"Agency {i}", slug=f"agency-{i}") for i in range(40)
    )
    programmes = list(Programme.objects.all()) or Programme.objects.bulk_create(
        Programme(name=f"Programme {i}", slug=f"programme-{i}") for i in range(25)
    )
    figures = list(Figure.objects.all()) or Figure.objects.bulk_create(
        Figure(name=f"{i} things", slug=f"{i}-things", value=i, label="things") for i in range(300)
    )
    start = Release.objects.count()
    first_day = datetime.date(2005, 1, 1)
    for offset in range(start, total, 2000):
        batch = Release.objects.bulk_create(
            Release(
                title=f"Release {n}: partners sign agreements",
                slug=f"release-{n}",
                published_on=first_day + datetime.timedelta(days=n * 7000 // total),
                summary=f"Summary of release {n}, in a sentence or two.",
                body=BODY,
                body_html=f"<p>{BODY}</p>",
                status=Release.Status.PUBLISHED,
            )
            for n in range(offset, min(offset + 2000, total))
        )
        # Agencies follow a skewed distribution: a few issue most releases.
        TaggedAgency.objects.bulk_create(
            TaggedAgency(content_object=r, tag=a)
            for r in batch
            for a in {
                agencies[min(int(rng.expovariate(0.15)), 39)] for _ in range(rng.randint(1, 3))
            }
        )
        TaggedProgramme.objects.bulk_create(
            TaggedProgramme(content_object=r, tag=p)
            for r in batch
            for p in set(rng.sample(programmes, rng.choice([0, 1, 1, 2])))
        )
        TaggedFigure.objects.bulk_create(
            TaggedFigure(content_object=r, tag=f)
            for r in batch
            for f in set(rng.sample(figures, rng.randint(0, 3)))
        )


def timed(fn, repeat):
    """Median wall-clock and CPU milliseconds of this process (SQLite's work included)."""
    wall, cpu = [], []
    for _ in range(repeat):
        began, began_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - began) * 1000)
        cpu.append((time.process_time() - began_cpu) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def queries(fn):
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured)


def consume(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return sum(len(chunk) for chunk in response.streaming_content)


def peak_memory_mb(fn):
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1e6


def run(total, repeat, rng):
    populate(total, rng)
    with connection.cursor() as cursor:
        # Planner statistics, as autovacuum (PostgreSQL) or a routine ANALYZE would keep.
        cursor.execute("ANALYZE")
    client = Client()
    sample = list(Release.objects.order_by("?").values_list("slug", flat=True)[:repeat])
    releases = Release.objects.published().for_listing()
    rows = []

    # Tags prefetched, as on the detail page.
    loaded = list(Release.objects.with_tags().filter(slug__in=sample))

    def related():
        list(releases.related_to(rng.choice(loaded)))

    rows.append(("related_to() (one release)", timed(related, repeat), queries(related), ""))

    def detail():
        assert client.get(f"/releases/{rng.choice(sample)}/").status_code == 200

    rows.append(("detail page, whole", timed(detail, repeat), queries(detail), ""))

    def feed():
        assert client.get("/feeds/releases.atom?agency=agency-0").status_code == 200

    rows.append(("feed, agency filter", timed(feed, repeat), queries(feed), ""))

    for fmt in ("jsonl", "csv"):
        size = consume(client, f"/releases/export.{fmt}")
        count = Release.objects.count()

        def export(fmt=fmt):
            consume(client, f"/releases/export.{fmt}")

        ms = timed(export, max(3, repeat // 5))
        peak = peak_memory_mb(export)
        rate = count / ms[0] * 1000
        note = f"{count} rows, {size / 1e6:.1f} MB, {rate:,.0f} rows/s, peak {peak:.1f} MB"
        rows.append((f"export.{fmt}, all rows", ms, queries(export), note))
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--releases", type=int, nargs="+", default=[5000, 20000])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    setup_test_environment()
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        print(f"engine: {connection.vendor}, chunk size {exporting.CHUNK_SIZE}")
        print("| releases | what | median ms | CPU ms | queries | notes |")
        print("|---:|---|---:|---:|---:|---|")
        rng = random.Random(4)
        for total in sorted(args.releases):
            for name, (ms, cpu), count, note in run(total, args.repeat, rng):
                print(f"| {total:,} | {name} | {ms:.1f} | {cpu:.1f} | {count} | {note} |")
            reset_queries()
    finally:
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
