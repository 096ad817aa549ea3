"""Load and database-fault checks against gunicorn in the production configuration.

    make reliability              # both checks, PostgreSQL (BENCH_DATABASE_URL)
    python benchmarks/reliability.py load|fault

load:  wrk at 32 connections for 60 s over a mix of every public page type;
       reports errors and each gunicorn worker's resident memory before and after.
fault: a light load plus a poller on /releases/ and /healthz while PostgreSQL is
       stopped for OUTAGE seconds and started again; reports what readers got during
       the outage and how long the site took to recover, without restarting gunicorn.

Restarts the machine's PostgreSQL cluster: run it when nothing else uses it.
"""

import argparse
import collections
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pages import PORT, Server, first, pick_urls, prepare_database

CLUSTER = ["pg_ctlcluster", "--skip-systemctl-redirect"]


def worker_memory(server) -> dict[int, int]:
    """Resident memory (KiB) of each gunicorn worker, by pid."""
    out = subprocess.run(
        ["ps", "-o", "pid=,ppid=,rss="], capture_output=True, text=True, check=True
    ).stdout
    rows = [tuple(map(int, line.split())) for line in out.splitlines()]
    return {pid: rss for pid, ppid, rss in rows if ppid == server.process.pid}


def wrk_mix(urls, connections, seconds):
    # One URL per page type (a row that cycles through many pages gives its first).
    paths = ", ".join(f'"{first(path)}"' for _, path in urls)
    script = f"""
local paths = {{{paths}}}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
"""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    out = subprocess.run(
        ["wrk", "--latency", "--timeout", "10s", "-t", "2", "-c", str(connections),
         "-d", f"{seconds}s",
         "-s", handle.name, f"http://127.0.0.1:{PORT}"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    os.unlink(handle.name)
    return out


def load(args):
    urls = pick_urls(args.database_url)
    # As in production: the page cache on, unless --uncached asks every request to render.
    with Server(args.database_url, cached=not args.uncached) as server:
        wrk_mix(urls, 8, 5)  # warm every worker
        before = worker_memory(server)
        out = wrk_mix(urls, 32, args.seconds)
        after = worker_memory(server)
    print(out)
    print("| worker | RSS before | RSS after | growth |")
    print("|---|---|---|---|")
    for pid, rss in sorted(before.items()):
        end = after.get(pid)
        growth = f"{(end - rss) / 1024:+.1f} MiB" if end else "recycled"
        print(f"| {pid} | {rss / 1024:.1f} MiB | {end / 1024 if end else 0:.1f} MiB | {growth} |")


def poll(stop, results, started):
    while not stop.is_set():
        for path in ("/releases/", "/healthz"):
            moment = time.monotonic() - started
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}", timeout=5) as r:
                    results.append((moment, path, r.status, ""))
            except urllib.error.HTTPError as error:
                body = error.read().decode("utf-8", "replace")
                results.append(
                    (moment, path, error.code, "friendly" if "unavailable" in body else body[:80])
                )
            except OSError as error:
                results.append((moment, path, 0, type(error).__name__))
        time.sleep(0.1)


def fault(args):
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    urls = pick_urls(args.database_url)
    results, stop = [], threading.Event()
    with Server(args.database_url, cached=False):
        started = time.monotonic()
        poller = threading.Thread(target=poll, args=(stop, results, started))
        poller.start()
        background = threading.Thread(target=wrk_mix, args=(urls, 4, args.outage + 20))
        background.start()
        time.sleep(5)
        down_at = time.monotonic() - started
        subprocess.run([*CLUSTER, version, "main", "stop", "-m", "fast"], check=True)
        time.sleep(args.outage)
        subprocess.run([*CLUSTER, version, "main", "start"], check=True)
        up_at = time.monotonic() - started
        time.sleep(15)
        stop.set()
        poller.join()
        background.join()

    during = [r for r in results if down_at + 0.5 < r[0] < up_at]
    after = [r for r in results if r[0] >= up_at]
    recovered = next((r[0] for r in after if r[1] == "/releases/" and r[2] == 200), None)
    counts = collections.Counter((path, status, note) for _, path, status, note in during)
    print(f"PostgreSQL stopped at {down_at:.1f}s, started at {up_at:.1f}s")
    print("| during the outage | status | body | responses |")
    print("|---|---|---|---|")
    for (path, status, note), n in sorted(counts.items()):
        print(f"| {path} | {status} | {note or '-'} | {n} |")
    errors_5xx = [r for r in during if r[2] >= 500 and r[2] != 503]
    print(f"\nOther 5xx during the outage: {len(errors_5xx)}")
    if recovered is None:
        print("NOT RECOVERED within 15 s")
    else:
        print(f"First 200 from /releases/ {recovered - up_at:.2f} s after PostgreSQL was back")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("check", choices=["load", "fault", "both"], nargs="?", default="both")
    parser.add_argument("--size", type=int, default=int(os.environ.get("BENCH_SIZE", 100_000)))
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--outage", type=int, default=10)
    parser.add_argument("--uncached", action="store_true", help="load with the page cache off")
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://root@127.0.0.1:5432/archive_bench"
        ),
    )
    args = parser.parse_args()
    prepare_database(args.database_url, args.size)
    if args.check in ("load", "both"):
        load(args)
    if args.check in ("fault", "both"):
        fault(args)


if __name__ == "__main__":
    main()
