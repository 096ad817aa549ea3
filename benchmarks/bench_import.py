"""Time `import_releases` on SQLite and PostgreSQL and record the table in docs/benchmarks.md.

    .venv/bin/python benchmarks/bench_import.py                      # 10k and 100k, both engines
    .venv/bin/python benchmarks/bench_import.py --sizes 1000 --repeat 1 --engines sqlite

For each engine and size, each repetition starts from a freshly migrated empty
database and runs the command three times in its own process: the first import
(every release created), the same file again (every release unchanged), and a
file in which every title differs (every release updated). Wall time, CPU time
and peak memory come from the child process (os.wait4). The table shows medians.
"""

import argparse
import json
import os
import platform
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.synthetic import write_jsonl  # noqa: E402

TARGETS = {"sqlite": 60.0, "postgres": 120.0}
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- import-benchmark:start -->", "<!-- import-benchmark:end -->"


def run(args, env) -> dict:
    """Run a command; return its wall and CPU seconds and peak memory in MB."""
    started = time.perf_counter()
    process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE)
    output = process.stdout.read().decode()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if process.returncode:
        raise SystemExit(f"{' '.join(args)} failed:\n{output}")
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss": usage.ru_maxrss / 1024,
        "output": output.strip(),
    }


def fresh_database(engine: str, postgres_url: str, workdir: Path) -> str:
    if engine == "sqlite":
        path = workdir / "bench.sqlite3"
        for leftover in workdir.glob("bench.sqlite3*"):
            leftover.unlink()
        return f"sqlite:///{path}"
    import psycopg

    name = urlsplit(postgres_url).path.lstrip("/")
    admin_url = postgres_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    return postgres_url


def with_new_titles(source: Path, target: Path) -> None:
    with source.open(encoding="utf-8") as lines, target.open("w", encoding="utf-8") as out:
        for line in lines:
            record = json.loads(line)
            record["title"] += " (revised)"
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def machine(load_at_start: float) -> str:
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        model = found.group(1).strip() if found else model
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} cores ({model}), {memory:.0f} GiB RAM, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}; one-minute "
        f"load average {load_at_start:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
    )


def postgres_version(url: str) -> str:
    import psycopg

    with psycopg.connect(url) as connection:
        return connection.execute("SHOW server_version").fetchone()[0].split()[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--engines", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "BENCH_POSTGRES_URL", "postgres://root@127.0.0.1:5432/archive_bench"
        ),
        help="a database this script may drop and create (default: %(default)s)",
    )
    parser.add_argument("--no-record", action="store_true", help="print only; leave the doc")
    options = parser.parse_args()

    load_at_start = os.getloadavg()[0]
    env = {**os.environ, "DJANGO_DEBUG": "false"}  # no query log in the importing process
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        workdir = Path(tmp)
        for size in options.sizes:
            source, revised = workdir / f"{size}.jsonl", workdir / f"{size}-revised.jsonl"
            write_jsonl(source, size)
            with_new_titles(source, revised)
            megabytes = source.stat().st_size / 2**20
            for engine in options.engines:
                runs = {"create": [], "unchanged": [], "update": []}
                for _ in range(options.repeat):
                    url = fresh_database(engine, options.postgres_url, workdir)
                    env["DATABASE_URL"] = url
                    manage = [sys.executable, "manage.py"]
                    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True)
                    for phase, path in (
                        ("create", source),
                        ("unchanged", source),
                        ("update", revised),
                    ):
                        result = run([*manage, "import_releases", str(path)], env)
                        runs[phase].append(result)
                        print(f"{engine} {size:,} {phase}: {result['wall']:.1f} s", flush=True)
                rows.append((engine, size, megabytes, runs))

    versions = (
        f"PostgreSQL {postgres_version(options.postgres_url)}"
        if ("postgres" in options.engines)
        else ""
    )
    table = render(rows, options.repeat)
    print("\n" + table)
    if not options.no_record:
        record(table, machine(load_at_start) + (f", {versions}" if versions else ""), options)


def median(results, key):
    return statistics.median(result[key] for result in results)


def render(rows, repeat) -> str:
    lines = [
        "| engine | releases | file | import (create) | CPU | peak memory | same file again "
        "| every title changed | target | met |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for engine, size, megabytes, runs in rows:
        create = median(runs["create"], "wall")
        target = TARGETS[engine]
        lines.append(
            f"| {engine} | {size:,} | {megabytes:,.0f} MB | {create:.1f} s "
            f"| {median(runs['create'], 'cpu'):.1f} s | {median(runs['create'], 'rss'):.0f} MB "
            f"| {median(runs['unchanged'], 'wall'):.1f} s | {median(runs['update'], 'wall'):.1f} s "
            f"| {target:.0f} s ({create / target:.0%}) | {'yes' if create < target else 'NO'} |"
        )
    lines.append("")
    lines.append(f"Medians of {repeat} run{'s' if repeat != 1 else ''} each.")
    return "\n".join(lines)


NOTES = (
    "Reading the table: *import (create)* is the wall time the target applies to; "
    "*CPU* is the user and system time of the command and its worker processes, the "
    "work itself, which does not depend on what else the machine is running. When other "
    "jobs share the two cores (see the load average above), wall time stretches and CPU "
    "time does not. *Peak memory* is the largest resident size of the importing process: "
    "files are read a chunk at a time, so it grows with the number of releases only by "
    "the slugs kept to find duplicates (about a third of a kilobyte each), not with the "
    "size of the file (2.4 kB a release here)."
)


def record(table: str, machine_line: str, options) -> None:
    command = " ".join([".venv/bin/python benchmarks/bench_import.py", *sys.argv[1:]])
    section = "\n".join(
        [
            START,
            "## Import (`import_releases`)",
            "",
            "Method: `benchmarks/bench_import.py` writes synthetic releases in the import "
            "format (about 1.8 kB of Markdown body, 1–3 agencies, 0–2 programmes, 0–3 "
            "figures each), then for each engine and size, from an empty migrated database, "
            "times the command in a child process: the first import, the same file again, "
            "and a file with every title changed. Wall and CPU time and peak resident memory "
            "are the child's own (`os.wait4`); `DJANGO_DEBUG=false`.",
            "",
            f"Command: `{command}`",
            "",
            f"Machine: {machine_line}.",
            "",
            table,
            "",
            NOTES,
            END,
        ]
    )
    DOC.parent.mkdir(exist_ok=True)
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    if START in text and END in text:
        text = text[: text.index(START)] + section + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    DOC.write_text(text, encoding="utf-8")
    print(f"Recorded in {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
