"""Bulk import of releases from JSON Lines or CSV.

One pass over the files, streamed a chunk of records at a time, in one
transaction: every record is checked; while no problem has been found each
chunk is written with bulk inserts and updates; at the end, any problem rolls
the whole transaction back, so every problem is reported and nothing is
written. A record whose slug exists updates that release with the fields it
gives; fields it leaves out keep their values. Parsing, checking and Markdown
rendering run in worker processes for big files, writing in this one.
"""

import contextlib
import csv
import datetime
import functools
import io
import json
import multiprocessing
import os
import re
import sys
import time
from collections import defaultdict, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import OutputWrapper
from django.core.validators import URLValidator
from django.db import connection, connections, transaction
from django.utils import timezone
from django.utils.text import slugify

from .markup import render_markdown
from .models import (
    Agency,
    Figure,
    Programme,
    Release,
    ReleaseRevision,
    format_number,
    parse_figure,
)
from .search.batches import indexed_at_end
from .text import tidy, tidy_line

MULTILINE_FIELDS = {"summary", "body"}
RELEASE_FIELDS = (
    "title", "slug", "kind", "published_on", "summary", "body",
    "source", "source_url", "language", "status",
)  # fmt: skip
TAG_FIELDS = ("agencies", "programmes", "figures")
REQUIRED = ("title", "slug", "published_on", "body")
TAG_MODELS = {"agencies": Agency, "programmes": Programme, "figures": Figure}
# Archives arrive already issued, so a new release is published unless the record says not.
DEFAULTS = {
    "kind": Release.Kind.PRESS_RELEASE,
    "summary": "",
    "source": "",
    "source_url": "",
    "language": "en",
    "status": Release.Status.PUBLISHED,
}
MAX_LENGTHS = {
    name: Release._meta.get_field(name).max_length
    for name in ("title", "slug", "source", "source_url", "language")
}
TAG_NAME_MAX = Agency._meta.get_field("name").max_length
SLUG = re.compile(r"^[-a-zA-Z0-9_]+\Z")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}\Z")
LANGUAGE = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*\Z")
FIGURE_MAX = Decimal(10) ** 16  # DecimalField(max_digits=20, decimal_places=4)
KINDS = tuple(Release.Kind.values)
STATUSES = tuple(Release.Status.values)
validate_url = URLValidator(schemes=["http", "https"])


@functools.lru_cache(maxsize=4096)
def slug_of(name: str) -> str:
    # The same few agency and programme names recur on every line of an archive.
    return slugify(name, allow_unicode=True)


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    field: str
    message: str

    def __str__(self):
        return f"{self.path}:{self.line}: {self.field}: {self.message}"


@dataclass
class Record:
    path: str
    line: int
    values: dict  # release fields the record gives, as Python values
    tags: dict  # kind -> list of tag names, for the kinds the record gives
    figures: dict  # figure name -> (value, label)
    body_html: str = ""

    @property
    def slug(self):
        return self.values["slug"]


@dataclass
class Summary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    new_tags: dict = field(default_factory=lambda: dict.fromkeys(TAG_FIELDS, 0))

    def __str__(self):
        tags = ", ".join(f"{count:,} {kind}" for kind, count in self.new_tags.items())
        return (
            f"{self.created:,} created, {self.updated:,} updated, "
            f"{self.unchanged:,} unchanged; new tags: {tags}"
        )


# --- Reading ---------------------------------------------------------------------------


def file_format(path: Path, given: str | None) -> str:
    if given:
        return given
    return "csv" if path.suffix.lower() == ".csv" else "jsonl"


def read_jsonl(path: Path, progress) -> Iterator[tuple[int, bytes]]:
    """(line number, raw line) for each non-blank line; parsing happens in `prepare`."""
    with path.open("rb") as stream:
        for number, raw in enumerate(stream, 1):
            progress.advance(len(raw))
            if raw.strip():
                yield number, raw


def parse_json_line(path: str, number: int, raw: bytes) -> dict | Problem:
    try:
        data = json.loads(raw.rstrip(b"\r\n"))
    except UnicodeDecodeError:
        return Problem(path, number, "record", "is not UTF-8 text")
    except json.JSONDecodeError as error:
        return Problem(path, number, "json", f"invalid JSON: {error.msg} (column {error.colno})")
    if not isinstance(data, dict):
        return Problem(path, number, "record", "must be a JSON object")
    return data


CSV_LISTS = ("agencies", "programmes", "figures")
CSV_OPTIONAL_WHEN_EMPTY = ("kind", "status", "language")


def read_csv(path: Path, progress) -> Iterator[tuple[int, dict | Problem]]:
    name = str(path)
    with path.open("rb") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        reader = csv.reader(text)
        try:
            header = [column.strip() for column in next(reader)]
        except StopIteration:
            return
        except UnicodeDecodeError:
            yield 1, Problem(name, 1, "header", "is not UTF-8 text")
            return
        unknown = [c for c in header if c not in RELEASE_FIELDS and c not in TAG_FIELDS]
        missing = [c for c in REQUIRED if c not in header]
        if unknown or missing:
            for column in unknown:
                yield 1, Problem(name, 1, "header", f"unknown column “{column}”")
            for column in missing:
                yield 1, Problem(name, 1, "header", f"the required column “{column}” is missing")
            return
        line = reader.line_num
        while True:
            start = line + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError:
                yield start, Problem(name, start, "record", "is not UTF-8 text; stopped here")
                return
            except csv.Error as error:
                yield start, Problem(name, start, "record", f"unreadable CSV: {error}")
                return
            line = reader.line_num
            progress.advance_to(raw.tell())
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                message = f"has {len(row)} cells; the header has {len(header)}"
                yield start, Problem(name, start, "record", message)
                continue
            data = {}
            for column, cell in zip(header, row, strict=True):
                if column in CSV_LISTS:
                    data[column] = [part.strip() for part in cell.split(";") if part.strip()]
                elif column in CSV_OPTIONAL_WHEN_EMPTY and not cell.strip():
                    continue
                else:
                    data[column] = cell
            yield start, data


READERS = {"jsonl": read_jsonl, "csv": read_csv}


# --- Checking one record ---------------------------------------------------------------


def shown(value) -> str:
    """A value quoted for a problem message, cut short."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = text if len(text) <= 60 else text[:59] + "…"
    return f"“{text}”" if isinstance(value, str) else text


def check_text(value, name, problems, *, required=False):
    if value is None or value == "":
        if required:
            problems.append((name, "is required"))
        return None
    if not isinstance(value, str):
        problems.append((name, "must be text"))
        return None
    if "\x00" in value:
        problems.append((name, "contains a NUL character"))
        return None
    limit = MAX_LENGTHS.get(name)
    if limit and len(value) > limit:
        problems.append((name, f"is {len(value):,} characters long; the limit is {limit}"))
        return None
    if required and not value.strip():
        problems.append((name, "is required"))
        return None
    return tidy(value) if name in MULTILINE_FIELDS else tidy_line(value)


def check_tag_names(value, kind, problems) -> list[str] | None:
    if not isinstance(value, list):
        problems.append((kind, "must be a list of names"))
        return None
    names = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            problems.append((kind, f"{json.dumps(item, ensure_ascii=False)[:40]} is not a name"))
        elif "\x00" in item:
            problems.append((kind, "a name contains a NUL character"))
        elif len(item.strip()) > TAG_NAME_MAX:
            problems.append((kind, f"“{item[:40]}…” is longer than {TAG_NAME_MAX} characters"))
        elif not slug_of(item):
            problems.append((kind, f"“{item}” has no letters or digits to make an address from"))
        else:
            names.append(" ".join(tidy(item).split()))
    return list(dict.fromkeys(names))


def check_figure(item, problems) -> tuple[str, Decimal, str] | None:
    if isinstance(item, str):
        parsed = parse_figure(item)
        if parsed is None:
            problems.append(
                ("figures", f"“{item[:60]}” needs a number first, like “8 MoUs signed”")
            )
            return None
        value, label = parsed
        name = item.strip()
    elif isinstance(item, dict):
        unknown = set(item) - {"label", "value", "name"}
        if unknown:
            problems.append(("figures", f"unknown key “{sorted(unknown)[0]}” in a figure"))
            return None
        raw, label, name = item.get("value"), item.get("label"), item.get("name")
        if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
            problems.append(("figures", f"value {json.dumps(raw)[:40]} is not a number"))
            return None
        try:
            value = Decimal(str(raw).replace(",", "").strip())
        except InvalidOperation:
            problems.append(("figures", f"value “{str(raw)[:40]}” is not a number"))
            return None
        if not value.is_finite() or abs(value) >= FIGURE_MAX:
            problems.append(("figures", f"value {str(raw)[:40]} is out of range"))
            return None
        if value.as_tuple().exponent < -4:
            problems.append(("figures", f"value {raw} has more than 4 decimal places"))
            return None
        if not isinstance(label, str) or not label.strip() or "\x00" in label:
            problems.append(("figures", "a figure needs a label, e.g. “MoUs signed”"))
            return None
        label = label.strip()
        if name is not None and (not isinstance(name, str) or not name.strip()):
            problems.append(("figures", "a figure's name must be text"))
            return None
        name = name.strip() if name else f"{format_number(value)} {label}"
    else:
        problems.append(("figures", "each figure must be an object with label and value"))
        return None
    if len(name) > TAG_NAME_MAX or len(label) > TAG_NAME_MAX:
        problems.append(("figures", f"“{name[:40]}…” is longer than {TAG_NAME_MAX} characters"))
        return None
    return name, value, label


def check_record(data: dict, path: str, line: int) -> tuple[Record | None, list[Problem]]:
    """Turn one raw record into a Record, or say everything that is wrong with it."""
    problems: list[tuple[str, str]] = []
    for key in data:
        if key not in RELEASE_FIELDS and key not in TAG_FIELDS:
            problems.append((str(key)[:40], "is not a field of the import format"))
    values = {}
    for name in ("title", "slug", "summary", "body", "source", "source_url"):
        if name in data or name in REQUIRED:
            value = check_text(data.get(name), name, problems, required=name in REQUIRED)
            if value is not None or (name in data and data[name] == ""):
                values[name] = value if value is not None else ""
    slug = values.get("slug")
    if slug and not SLUG.match(slug):
        problems.append(("slug", f"“{slug[:60]}” may hold only letters, digits, - and _"))
    if values.get("source_url"):
        try:
            validate_url(values["source_url"])
        except ValidationError:
            problems.append(("source_url", f"“{values['source_url'][:60]}” is not a web address"))

    published_on = data.get("published_on")
    if published_on in (None, ""):
        problems.append(("published_on", "is required"))
    else:
        try:
            if not isinstance(published_on, str) or not DATE.match(published_on):
                raise ValueError
            values["published_on"] = datetime.date.fromisoformat(published_on)
        except ValueError:
            problems.append(
                ("published_on", f"{shown(published_on)} is not a date written YYYY-MM-DD")
            )

    for name, choices in (("kind", KINDS), ("status", STATUSES)):
        if name in data:
            if data[name] in choices:
                values[name] = data[name]
            else:
                problems.append(
                    (name, f"unknown {name} {shown(data[name])}; use one of {', '.join(choices)}")
                )
    if "language" in data:
        language = check_text(data["language"], "language", problems, required=True)
        if language is not None and not LANGUAGE.match(language):
            problems.append(("language", f"“{language}” is not a language code such as en or zh"))
        elif language is not None:
            values["language"] = language

    tags = {}
    for kind in ("agencies", "programmes"):
        if kind in data:
            names = check_tag_names(data[kind], kind, problems)
            if names is not None:
                tags[kind] = names
    figures = {}
    if "figures" in data:
        if not isinstance(data["figures"], list):
            problems.append(("figures", "must be a list"))
        else:
            for item in data["figures"]:
                checked = check_figure(item, problems)
                if checked:
                    figures[checked[0]] = checked[1:]
            tags["figures"] = list(figures)

    if problems:
        return None, [Problem(path, line, name, message) for name, message in problems]
    return Record(path, line, values, tags, figures), []


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


# --- Progress on a terminal ------------------------------------------------------------


class Progress:
    """A one-line progress bar on a terminal; silent when output is not a terminal."""

    def __init__(self, stream=None, total_bytes=0):
        self.stream = stream or sys.stderr
        self.enabled = hasattr(self.stream, "isatty") and self.stream.isatty()
        # A management command's stderr adds a newline to each write unless told not to.
        self.write = (
            functools.partial(self.stream.write, ending="", style_func=str)
            if isinstance(self.stream, OutputWrapper)
            else self.stream.write
        )
        self.total = max(total_bytes, 1)
        self.done = 0
        self.label = ""
        self.shown_at = 0.0

    def start(self, label):
        self.label, self.done = label, 0

    def advance(self, count):
        self.advance_to(self.done + count)

    def advance_to(self, position):
        self.done = position
        now = time.monotonic()
        if self.enabled and now - self.shown_at > 0.2:
            self.shown_at = now
            self.draw()

    def draw(self):
        share = min(self.done / self.total, 1.0)
        bar = "#" * int(share * 30)
        self.write(f"\r{self.label:<10} [{bar:<30}] {share:4.0%}")
        self.stream.flush()

    def finish(self):
        if self.enabled:
            self.done = self.total
            self.draw()
            self.write("\n")
            self.stream.flush()


# --- Importing -------------------------------------------------------------------------


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
        self.allow_new_tags = allow_new_tags
        self.progress = progress or Progress(io.StringIO())
        self.chunk_size = chunk_size
        self.workers = workers
        self.tag_ids = {kind: {} for kind in TAG_FIELDS}  # typed name -> tag id
        self.canonical = {kind: {} for kind in TAG_FIELDS}  # tag id -> name, for history

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

    def run(self, *, dry_run: bool = False) -> tuple[list[Problem], Summary | None]:
        missing = [path for path in self.paths if not path.is_file()]
        if missing:
            return [Problem(str(path), 0, "file", "no such file") for path in missing], None
        self.progress.total = sum(path.stat().st_size for path in self.paths)
        self.progress.start("Importing")
        problems, summary = [], Summary()
        seen = {}  # slug -> "file:line" where it first appeared
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
                problems.extend(self.resolve_tags(records, summary, create=not problems))
                if not problems:
                    with indexed_at_end():
                        self.write(records, summary)
            self.progress.finish()
            if problems or dry_run:
                transaction.set_rollback(True)
        if problems:
            order = {str(path): n for n, path in enumerate(self.paths)}
            return sorted(problems, key=lambda p: (order.get(p.path, 0), p.line)), None
        return [], summary

    def resolve_tags(self, records, summary, *, create: bool) -> list[Problem]:
        """Find the id of every tag these records name, creating new tags when allowed."""
        problems = []
        for kind, model in TAG_MODELS.items():
            known = self.tag_ids[kind]
            unknown = {}  # name -> first record naming it
            for record in records:
                for name in record.tags.get(kind, ()):
                    if name not in known:
                        unknown.setdefault(name, record)
            if not unknown:
                continue
            for name, tag in model.objects.resolve(list(unknown)).items():
                known[name] = tag.pk
                self.canonical[kind][tag.pk] = tag.name
            missing = {name: record for name, record in unknown.items() if name not in known}
            if missing and not self.allow_new_tags:
                label = model._meta.verbose_name
                problems += [
                    Problem(record.path, record.line, kind, f"no {label} called “{name}”")
                    for name, record in missing.items()
                ]
            elif missing and create:
                self.create_tags(kind, missing, summary)
        return problems

    def create_tags(self, kind, missing: dict, summary):
        model = TAG_MODELS[kind]
        new = {}  # slug -> tag, so "Smart-City" and "smart city" make one tag
        for name, record in missing.items():
            slug = slug_of(name)
            if slug not in new:
                new[slug] = tag = model(name=name, slug=slug)
                if model is Figure:
                    tag.value, tag.label = record.figures[name]
        model.objects.bulk_create(new.values(), batch_size=500)
        for name in missing:
            tag = new[slug_of(name)]
            self.tag_ids[kind][name] = tag.pk
            self.canonical[kind][tag.pk] = tag.name
        summary.new_tags[kind] += len(new)

    def write(self, records: list[Record], summary: Summary):
        """Create, update or skip each record of one chunk, in a handful of queries."""
        now = timezone.now()
        existing = {
            release.slug: release
            for release in Release.objects.select_for_update().filter(
                slug__in=[record.slug for record in records]
            )
        }
        current_tags = self.current_tags([release.pk for release in existing.values()])
        created, updated, revisions = [], [], []
        links = {kind: [] for kind in TAG_FIELDS}  # (release, tag ids) to link
        relinked = {kind: [] for kind in TAG_FIELDS}  # release ids whose links are replaced
        to_render = []
        for record in records:
            wanted = {
                kind: {self.tag_ids[kind][name] for name in names}
                for kind, names in record.tags.items()
            }
            release = existing.get(record.slug)
            if release is None:
                release = Release(**{**DEFAULTS, **record.values})
                created.append(release)
                to_render.append((release, record))
                for kind, ids in wanted.items():
                    links[kind].append((release, ids))
                continue
            was_public = release.is_public
            changes = self.apply(record, release, wanted, current_tags, relinked, links)
            if not changes:
                summary.unchanged += 1
                continue
            if "body" in changes:
                to_render.append((release, record))
            release.version += 1
            release.updated_at = now
            if was_public and release.is_public and set(changes) - {"status"}:
                release.revised_at = now
            updated.append((release, [name for name in changes if name in RELEASE_FIELDS]))
            revisions.append(
                ReleaseRevision(
                    release=release,
                    version=release.version,
                    saved_at=now,
                    via=ReleaseRevision.Via.IMPORT,
                    note=f"Updated from {record.path} line {record.line}",
                    changes=changes,
                )
            )
        for release, record in to_render:
            release.body_html = record.body_html
        Release.objects.bulk_create(created, batch_size=500)
        for fields, releases in group_by_changed_fields(updated).items():
            update_rows(Release, fields, releases)
        for kind in TAG_FIELDS:
            through = TAG_MODELS[kind].through_model()
            if relinked[kind]:
                through.objects.filter(content_object_id__in=relinked[kind]).delete()
            insert_links(through, [(r.pk, tag_id) for r, ids in links[kind] for tag_id in ids])
        ReleaseRevision.objects.bulk_create(revisions, batch_size=500)
        summary.created += len(created)
        summary.updated += len(updated)

    def apply(self, record, release, wanted, current_tags, relinked, links) -> dict:
        """Set the record's values on an existing release; return {field: [old, new]}."""
        changes = {}
        for name, value in record.values.items():
            old = getattr(release, name)
            if old != value:
                changes[name] = [as_text(old), as_text(value)]
                setattr(release, name, value)
        for kind, ids in wanted.items():
            old_ids = current_tags[kind].get(release.pk, {})
            if set(old_ids) != ids:
                new_names = sorted(self.canonical[kind][tag_id] for tag_id in ids)
                changes[kind] = [", ".join(sorted(old_ids.values())), ", ".join(new_names)]
                relinked[kind].append(release.pk)
                links[kind].append((release, ids))
        return changes

    def current_tags(self, release_ids) -> dict[str, dict[int, dict[int, str]]]:
        """kind -> release id -> {tag id: tag name}, for the releases about to be compared."""
        tags = {kind: defaultdict(dict) for kind in TAG_FIELDS}
        if not release_ids:
            return tags
        for kind in TAG_FIELDS:
            through = TAG_MODELS[kind].through_model()
            rows = through.objects.filter(content_object_id__in=release_ids).values_list(
                "content_object_id", "tag_id", "tag__name"
            )
            for release_id, tag_id, name in rows:
                tags[kind][release_id][tag_id] = name
        return tags


def group_by_changed_fields(updates) -> dict[tuple[str, ...], list[Release]]:
    """(release, changed fields) pairs grouped by the columns their update must write."""
    groups = defaultdict(list)
    for release, changed in updates:
        fields = list(changed)
        if "body" in fields:
            fields.append("body_html")
        groups[(*fields, "version", "updated_at", "revised_at")].append(release)
    return groups


def update_rows(model, names, objects) -> None:
    """UPDATE the named columns of each object, as one statement run for every row.

    `bulk_update` builds a CASE expression per column over each batch; for 10,000
    changed releases it took 8 s of CPU where this takes a fraction of a second
    (docs/benchmarks.md). Like bulk_update it is plain SQL UPDATE, so triggers fire.
    """
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in names]
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote('id')} = %s"
    rows = [
        [field.get_db_prep_save(getattr(obj, field.attname), connection) for field in fields]
        + [obj.pk]
        for obj in objects
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def insert_links(through, pairs: list[tuple[int, int]]) -> None:
    """Insert (release id, tag id) rows into a through table, many rows a statement.

    A link is two integers: building a model instance for each one cost five times
    what the database spends storing it (see docs/benchmarks.md). It is a plain
    INSERT, so database triggers on the table fire exactly as for bulk_create. Not
    executemany(): that is one statement a row, and PostgreSQL's statement-level
    search triggers then re-indexed the release once per link (an import of 10,000
    releases took 250 s instead of 20).
    """
    if not pairs:
        return
    quote = connection.ops.quote_name
    table = quote(through._meta.db_table)
    release = quote(through._meta.get_field("content_object").column)
    tag = quote(through._meta.get_field("tag").column)
    batch = connection.ops.bulk_batch_size([release, tag], pairs)
    with connection.cursor() as cursor:
        for start in range(0, len(pairs), batch):
            rows = pairs[start : start + batch]
            values = ", ".join(["(%s, %s)"] * len(rows))
            cursor.execute(
                f"INSERT INTO {table} ({release}, {tag}) VALUES {values}",
                [value for row in rows for value in row],
            )


def as_text(value) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
