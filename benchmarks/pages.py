"""Page benchmark: gunicorn (production settings) on PostgreSQL, driven by wrk.

    make bench                       # 100,000 releases
    BENCH_SIZE=1000000 make bench    # a million
    BENCH_ONLY="home,detail" .venv/bin/python benchmarks/pages.py --uncached-only

Loads BENCH_SIZE synthetic releases into a dedicated database (once; reused
while the count matches), serves it with gunicorn and drives each page with
wrk from a separate process at 1 and 8 connections, first with the
server-side page cache off (every request renders) and then on. Queries per
request are counted in-process with Django's test client. Prints a Markdown
table for docs/benchmarks.md.
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PORT = int(os.environ.get("BENCH_PORT", "8321"))
# Detail pages of this many releases, each requested once: what a crawler meets.
ROTATION = 5_000


def run(*args, env=None, **kwargs):
    return subprocess.run(args, cwd=PROJECT, env=env, check=True, **kwargs)


def django_env(database_url, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DATABASE_URL=database_url,
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY="benchmark-only-" + "x" * 50,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="false",
        **extra,
    )
    return env


def release_count(env) -> int:
    out = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c",
         "from releases.models import Release; print(Release.objects.count())"],
        cwd=PROJECT, env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return int(out.split()[-1])


def prepare_database(database_url, size):
    env = django_env(database_url)
    name = database_url.rsplit("/", 1)[1]
    exists = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc",
         f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
        capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    if not exists:
        run("psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"CREATE DATABASE {name}")
    run(PYTHON, "manage.py", "migrate", "--noinput", "-v0", env=env)
    # Pages name hashed static files: the in-process query count needs the manifest too.
    run(PYTHON, "manage.py", "collectstatic", "--noinput", "-v0", env=env)
    count = release_count(env)
    if count != size:
        print(f"Loading {size:,} releases into {name} (found {count:,}) ...", flush=True)
        run(PYTHON, "manage.py", "flush", "--noinput", env=env)
        run(PYTHON, "manage.py", "loaddata", *sorted(map(str, PROJECT.glob("fixtures/*.json"))),
            "-v0", env=env)  # fmt: skip
        fixtures = release_count(env)
        run(PYTHON, "manage.py", "generate_releases", "--count", str(size - fixtures), env=env)
        run("psql", database_url, "-qc", "VACUUM ANALYZE")


def pick_urls(database_url):
    """Representative URLs of each page type, chosen from the loaded data."""
    code = f"""
import json
import random
from django.db.models import Count
from django.conf import settings
from releases.models import Agency, Release
r = Release.objects.published()
deep_page = min(2000, r.count() // settings.RELEASES_PER_PAGE)
agency = Agency.objects.annotate(n=Count("items")).order_by("-n").first()
middle = r.order_by("-published_on")[r.count() // 2]
year = middle.published_on.year
ids = r.order_by("pk").values_list("pk", flat=True)
sample = random.Random(7).sample(range(ids.first(), ids.last() + 1), {ROTATION * 2})
slugs = list(r.filter(pk__in=sample).values_list("slug", flat=True)[:{ROTATION}])
random.Random(7).shuffle(slugs)
print(json.dumps({{"agency": agency.slug, "year": year, "slug": middle.slug, "slugs": slugs,
                  "page": deep_page}}))
"""
    out = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", code], cwd=PROJECT,
        env=django_env(database_url), capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    import json

    picks = json.loads(out.strip().splitlines()[-1])
    return [
        ("home", "/"),
        ("list", "/releases/"),
        ("list: agency + year", f"/releases/?agency={picks['agency']}&year={picks['year']}"),
        (f"list: page {picks['page']:,}", f"/releases/?page={picks['page']}"),
        ("detail", f"/releases/{picks['slug']}/"),
        ("detail: first visit", [f"/releases/{slug}/" for slug in picks["slugs"]]),
        ("tag page", f"/agencies/{picks['agency']}/"),
        ("search: common word", "/search/?q=digital"),
        ("search: rare word", "/search/?q=shenzhen"),
        ("Atom feed", "/feeds/releases.atom"),
        ("API list", "/api/releases/"),
        ("sitemap", "/sitemap.xml"),
    ]


def first(path):
    """A row's path, or the first of the paths it cycles through."""
    return path if isinstance(path, str) else path[0]


def count_queries(database_url, urls, cached):
    code = f"""
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
client = Client(HTTP_HOST="127.0.0.1")
for path, seen in {[(first(u), isinstance(u, str)) for _, u in urls]!r}:
    if seen:
        client.get(path)  # warm up (and, when the page cache is on, fill it)
    with CaptureQueriesContext(connection) as ctx:
        status = client.get(path).status_code
    print("Q", status, len(ctx.captured_queries), path)
"""
    out = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", code], cwd=PROJECT,
        env=django_env(database_url, DJANGO_PAGE_CACHE="true" if cached else "false"),
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    result = {}
    for line in out.splitlines():
        if line.startswith("Q "):
            _, status, queries, path = line.split(" ", 3)
            result[path] = (int(status), int(queries))
    return result


class Server:
    def __init__(self, database_url, cached):
        self.env = django_env(
            database_url,
            DJANGO_PAGE_CACHE="true" if cached else "false",
            WEB_CONCURRENCY=os.environ.get("BENCH_WORKERS", "4"),
            GUNICORN_ACCESS_LOG="/dev/null",
        )

    def __enter__(self):
        self.process = subprocess.Popen(
            [str(Path(PYTHON).parent / "gunicorn"), "--config", "gunicorn.conf.py",
             "--bind", f"127.0.0.1:{PORT}"],
            cwd=PROJECT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=1)
                return self
            except OSError:
                time.sleep(0.2)
        raise SystemExit("gunicorn did not start")

    def __exit__(self, *exc):
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)


def wrk(path, connections, seconds):
    """One wrk run at one path, or cycling through a list of paths, none visited before."""
    if isinstance(path, str):
        urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}", timeout=30).read()  # warm up
        script, url = [], f"http://127.0.0.1:{PORT}{path}"
    else:
        script, url = rotation_script(path), f"http://127.0.0.1:{PORT}/"
    out = subprocess.run(
        ["wrk", "--latency", "--timeout", "30s", "-t", "1", "-c", str(connections),
         "-d", f"{seconds}s", *script, url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    # Anchored: "+/- Stdev 82.50%" earlier in wrk's output also contains "50%".
    p50 = parse_ms(re.search(r"^\s+50%\s+(\S+)", out, re.M))
    p99 = parse_ms(re.search(r"^\s+99%\s+(\S+)", out, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, p50, p99, int(errors.group(1)) if errors else 0


def rotation_script(paths) -> list:
    """wrk arguments for a Lua script requesting each path in turn (one wrk thread: in order)."""
    script = Path(tempfile.mkdtemp()) / "rotation.lua"
    quoted = ", ".join(f'"{path}"' for path in paths)
    script.write_text(
        f"local paths = {{{quoted}}}\nlocal i = 0\n"
        "request = function()\n  i = i % #paths + 1\n"
        '  return wrk.format("GET", paths[i])\nend\n'
    )
    return ["--script", str(script)]


def parse_ms(match):
    """wrk's "1.23ms" as milliseconds; NaN when no request finished in the run."""
    found = match and re.match(r"([\d.]+)(\w+)", match.group(1))
    if not found:
        return float("nan")
    value, unit = found.groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def ratio(p99, median) -> str:
    """p99 / median, or a dash when no request finished (a page slower than the run)."""
    return f"{p99 / median:.1f}" if median > 0 else "–"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=int(os.environ.get("BENCH_SIZE", 100_000)))
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("BENCH_SECONDS", 5)))
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://root@127.0.0.1:5432/archive_bench"
        ),
    )
    parser.add_argument(
        "--only",
        default=os.environ.get("BENCH_ONLY", ""),
        help="comma-separated page names to run (e.g. 'home,detail'); default: every page",
    )
    parser.add_argument(
        "--uncached-only", action="store_true", help="skip the rows with the page cache on"
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")

    prepare_database(args.database_url, args.size)
    urls = pick_urls(args.database_url)
    if args.only:
        wanted = {name.strip() for name in args.only.split(",")}
        urls = [(name, path) for name, path in urls if name in wanted]
    rows = []
    for cached in (False,) if args.uncached_only else (False, True):
        queries = count_queries(args.database_url, urls, cached)
        with Server(args.database_url, cached):
            for name, path in urls:
                if isinstance(path, str):
                    # Every worker serves the page once first: each keeps its own remembered
                    # counts (local-memory cache), as a long-running server would have.
                    wrk(path, 4, 1)
                    one = wrk(path, 1, args.seconds)
                    eight = wrk(path, 8, args.seconds)
                else:
                    # Pages never seen (nothing remembered of them): the two runs take
                    # different halves of the list.
                    half = len(path) // 2
                    one = wrk(path[:half], 1, args.seconds)
                    eight = wrk(path[half:], 8, args.seconds)
                mode = "cached" if cached else "uncached"
                rows.append((name, mode, one, eight, queries[first(path)]))
                print(f"  {name:<22} {'cached' if cached else 'uncached':<8} done", flush=True)

    print(f"\n{args.size:,} releases, PostgreSQL, gunicorn {os.environ.get('BENCH_WORKERS', '4')}"
          f" sync workers, wrk {args.seconds}s per cell\n")  # fmt: skip
    print("| page | cache | status | queries | rps c=1 | median c=1 | p99 c=1 | rps c=8 "
          "| median c=8 | p99 c=8 | p99/median c=1 | errors |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, mode, one, eight, (status, nqueries) in rows:
        print(
            f"| {name} | {mode} | {status} | {nqueries} "
            f"| {one[0]:,.0f} | {one[1]:.1f} ms | {one[2]:.1f} ms "
            f"| {eight[0]:,.0f} | {eight[1]:.1f} ms | {eight[2]:.1f} ms "
            f"| {ratio(one[2], one[1])} | {one[3] + eight[3]} |"
        )


if __name__ == "__main__":
    main()
