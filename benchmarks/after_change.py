"""The first request after a change: what a reader pays once a press officer saves an edit.

    .venv/bin/python benchmarks/after_change.py                  # the `make bench` database
    .venv/bin/python benchmarks/after_change.py --database-url postgres://.../archive_bench_1m

Every remembered value (totals, tag counts, facets, rankings) is kept under
the archive's data version, so the first request for each page after any
change computes them again. For each page this makes a real change (one
release's `updated_at`, as an admin save does), then times one request,
`--rounds` times, in-process with Django's test client and the production
settings, the page cache off. The database must already be loaded (`make
bench` does it); the change is a timestamp only and leaves it as loaded.
Prints a Markdown table for docs/benchmarks.md.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
PAGES = [
    ("home", "/"),
    ("list", "/releases/"),
    ("agency index", "/agencies/"),
    ("figure index", "/figures/"),
    ("list: agency + year", "/releases/?agency={agency}&year={year}"),
    ("tag page", "/agencies/{agency}/"),
    ("search: common word", "/search/?q=digital"),
]


def setup(database_url):
    sys.path.insert(0, str(PROJECT))
    os.environ.update(
        DATABASE_URL=database_url,
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY="benchmark-only-" + "x" * 50,
        DJANGO_ALLOWED_HOSTS="testserver",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_PAGE_CACHE="false",
        DJANGO_SETTINGS_MODULE="archive.settings",
    )
    import django

    django.setup()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://root@127.0.0.1:5432/archive_bench"
        ),
    )
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    setup(args.database_url)

    from django.db.models import Count
    from django.test import Client
    from django.utils import timezone

    from releases.models import Agency, Release

    published = Release.objects.published()
    agency = Agency.objects.annotate(n=Count("items")).order_by("-n").first()
    edited = published.order_by("pk").first()
    middle = published.order_by("-published_on")[published.count() // 2]
    client = Client()

    print(f"\n{published.count():,} published releases; median / worst of {args.rounds}\n")
    print("| page | first request after a change | again, nothing changed |")
    print("|---|---:|---:|")
    for name, path in PAGES:
        path = path.format(agency=agency.slug, year=middle.published_on.year)
        client.get(path)
        first, again = [], []
        for _ in range(args.rounds):
            Release.objects.filter(pk=edited.pk).update(updated_at=timezone.now())
            for times in (first, again):
                start = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, (path, response.status_code)
        print(
            f"| {name} | {statistics.median(first):.0f} / {max(first):.0f} ms"
            f" | {statistics.median(again):.0f} / {max(again):.0f} ms |",
            flush=True,
        )


if __name__ == "__main__":
    main()
