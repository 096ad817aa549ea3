"""Bulk import of releases from JSON Lines or CSV.

One pass over the files, streamed a chunk of records at a time, in one
transaction: every record is checked; while no problem has been found each
chunk is written with bulk inserts and updates; at the end, any problem rolls
the whole transaction back, so every problem is reported and nothing is
written. A record whose slug exists updates that release with the fields it
gives; fields it leaves out keep their values. Parsing, checking and Markdown
rendering run in worker processes for big files, writing in this one.

The stages, in order: `read` streams each file's records, `check` turns each into a
Record or its problems, `tags` finds or creates the tags they name, `write` writes a
chunk. `records` holds what passes between them; `Importer` here runs them.
"""

import contextlib
import io
import multiprocessing
import os
from collections import deque
from collections.abc import Iterator
from pathlib import Path

from django.db import connection, connections, transaction

from ..markup import render_markdown
from ..search.batches import indexed_at_end
from .check import check_record
from .progress import Progress
from .read import READERS, file_format, parse_json_line, read_past
from .records import Problem, Record, Summary
from .tags import KnownTags
from .write import write

__all__ = ["Importer", "Problem", "Progress", "Record", "Summary", "prepare"]


def prepare(path: str, items: list) -> list[tuple[int, str | None, Record | None, list]]:
    """Parse, check and render one batch of raw records: (line, slug, record, problems).

    Pure computation with no database access, so it can run in a worker process.
    """
    prepared = []
    for line, item in items:
        data = parse_json_line(path, line, item) if isinstance(item, bytes) else item
        if isinstance(data, Problem):
            prepared.append((line, None, None, [data]))
            continue
        slug = data.get("slug")
        record, problems = check_record(data, path, line)
        if record is not None:
            record.body_html = (
                render_markdown(record.values["body"]) if "body" in record.values else ""
            )
        prepared.append((line, slug if isinstance(slug, str) else None, record, problems))
    return prepared


class Importer:
    """Import files in one pass and one transaction: check each chunk, write it if every
    record so far was good, and roll everything back at the end if any was not, so that
    every problem in every file is reported and nothing is written."""

    def __init__(
        self,
        paths,
        *,
        file_format: str | None = None,
        allow_new_tags: bool = True,
        progress: Progress | None = None,
        chunk_size: int = 1000,
        workers: int | None = None,
    ):
        self.paths = [Path(p) for p in paths]
        self.format = file_format
        self.progress = progress or Progress(io.StringIO())
        self.chunk_size = chunk_size
        self.workers = workers
        self.tags = KnownTags(allow_new=allow_new_tags)

    def run(self, *, dry_run: bool = False) -> tuple[list[Problem], Summary | None]:
        missing = [path for path in self.paths if not path.is_file()]
        if missing:
            return [Problem(str(path), 0, "file", "no such file") for path in missing], None
        self.progress.total = sum(path.stat().st_size for path in self.paths)
        self.progress.start("Importing")
        problems, summary = [], Summary()
        seen = {}  # slug -> "file:line" where it first appeared
        warned = set()  # files already warned that the import reads past their versions
        with self.worker_pool() as pool, transaction.atomic():
            for path, batch in self.prepared(pool):
                records = []
                for line, slug, record, found in batch:
                    problems.extend(found)
                    if slug:
                        first = seen.setdefault(slug, f"{path}:{line}")
                        if first != f"{path}:{line}":
                            message = f"“{slug}” already appears at {first}"
                            problems.append(Problem(path, line, "slug", message))
                    if record is not None:
                        records.append(record)
                summary.warnings += read_past(records, warned)
                problems.extend(self.tags.resolve(records, summary, create=not problems))
                if not problems:
                    with indexed_at_end():
                        write(records, summary, self.tags)
            self.progress.finish()
            if problems or dry_run:
                transaction.set_rollback(True)
        if problems:
            order = {str(path): n for n, path in enumerate(self.paths)}
            return sorted(problems, key=lambda p: (order.get(p.path, 0), p.line)), None
        return [], summary

    def batches(self) -> Iterator[tuple[str, list]]:
        """(file, raw items) a chunk at a time, read lazily so memory stays flat."""
        for path in self.paths:
            reader = READERS[file_format(path, self.format)]
            items = []
            for item in reader(path, self.progress):
                items.append(item)
                if len(items) >= self.chunk_size:
                    yield str(path), items
                    items = []
            if items:
                yield str(path), items

    @contextlib.contextmanager
    def worker_pool(self):
        """Worker processes for parsing and rendering; None when not worth starting."""
        workers = self.workers
        if workers is None:  # worth the start-up only for big files
            big = sum(path.stat().st_size for path in self.paths) > 20 * 2**20
            workers = min(max((os.cpu_count() or 1) - 1, 1), 3) if big else 0
        if not workers:
            yield None
            return
        # Workers never touch the database. Closing the parent's connections before
        # forking keeps them from even holding a copy (the parent reconnects to write);
        # inside a caller's transaction they must stay open, and still go unused.
        if not connection.in_atomic_block:
            connections.close_all()
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            pool.size = workers
            yield pool

    def prepared(self, pool) -> Iterator[tuple[str, list]]:
        """Each batch parsed, checked and rendered, in file order."""
        if pool is None:
            for path, items in self.batches():
                yield path, prepare(path, items)
            return
        pending = deque()
        for path, items in self.batches():
            pending.append((path, pool.apply_async(prepare, (path, items))))
            if len(pending) > 2 * pool.size:  # bounded read-ahead keeps memory flat
                done_path, result = pending.popleft()
                yield done_path, result.get()
        while pending:
            done_path, result = pending.popleft()
            yield done_path, result.get()
