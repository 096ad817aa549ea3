"""Writing one chunk of checked records: new releases created, changed ones updated.

Every step writes the whole chunk in a statement or a few, never one a record, and runs
inside the import's transaction, so a later problem still rolls all of it back.
"""

from collections import defaultdict

from django.db import connection
from django.utils import timezone

from .. import revisions
from ..models import Release, ReleaseRevision
from .records import RELEASE_FIELDS, TAG_FIELDS, Record, Summary
from .tags import TAG_MODELS, KnownTags

# Archives arrive already issued, so a new release is published unless the record says not.
DEFAULTS = {
    "kind": Release.Kind.PRESS_RELEASE,
    "summary": "",
    "source": "",
    "source_url": "",
    "language": "en",
    "status": Release.Status.PUBLISHED,
}


def write(records: list[Record], summary: Summary, tags: KnownTags):
    """Create, update or skip each record of one chunk, in a handful of queries."""
    now = timezone.now()
    existing = {
        release.slug: release
        for release in Release.objects.select_for_update().filter(
            slug__in=[record.slug for record in records]
        )
    }
    chunk = Chunk(tags, current_tags([release.pk for release in existing.values()]), now)
    for record in records:
        wanted = tags.wanted(record)
        release = existing.get(record.slug)
        if release is None:
            chunk.create(record, wanted)
        elif not chunk.update(release, record, wanted):
            summary.unchanged += 1
    chunk.save()
    summary.created += len(chunk.created)
    summary.updated += len(chunk.updated)


class Chunk:
    """One chunk's writes, gathered record by record, then saved a step at a time."""

    def __init__(self, tags: KnownTags, current_tags: dict, now):
        self.tags = tags
        self.current_tags = current_tags
        self.now = now
        self.created: list[Release] = []
        self.updated: list[tuple[Release, list[str]]] = []  # with the release fields changed
        self.changes: list[revisions.Change] = []  # what each updated release's revision says
        self.links = {kind: [] for kind in TAG_FIELDS}  # (release, tag ids) to link
        self.relinked = {kind: [] for kind in TAG_FIELDS}  # release ids whose links are replaced
        self.to_render: list[tuple[Release, Record]] = []  # whose body_html the record has

    def create(self, record: Record, wanted: dict[str, set[int]]):
        release = Release(**{**DEFAULTS, **record.values})
        self.created.append(release)
        self.to_render.append((release, record))
        for kind, ids in wanted.items():
            self.links[kind].append((release, ids))

    def update(self, release: Release, record: Record, wanted: dict[str, set[int]]) -> bool:
        """Apply the record to an existing release; False when that changes nothing."""
        was_public = release.is_public
        changes = self.apply(release, record, wanted)
        if not changes:
            return False
        if "body" in changes:
            self.to_render.append((release, record))
        release.version += 1
        release.updated_at = self.now
        self.updated.append((release, [name for name in changes if name in RELEASE_FIELDS]))
        self.changes.append(
            revisions.Change(
                release_id=release.pk,
                version=release.version,
                changes=changes,
                was_public=was_public,
                is_public=release.is_public,
                note=f"Updated from {record.path} line {record.line}",
            )
        )
        return True

    def apply(self, release: Release, record: Record, wanted: dict[str, set[int]]) -> dict:
        """Set the record's values on an existing release; return {field: [old, new]}."""
        changes = {}
        for name, value in record.values.items():
            if name == "status" and release.is_withdrawn:
                continue  # an editor withdrew it: only reinstating in the admin undoes that
            old = getattr(release, name)
            if old != value:
                changes[name] = [as_text(old), as_text(value)]
                setattr(release, name, value)
        for kind, ids in wanted.items():
            old_ids = self.current_tags[kind].get(release.pk, {})
            if set(old_ids) != ids:
                new_names = sorted(self.tags.names[kind][tag_id] for tag_id in ids)
                changes[kind] = [", ".join(sorted(old_ids.values())), ", ".join(new_names)]
                self.relinked[kind].append(release.pk)
                self.links[kind].append((release, ids))
        return changes

    def save(self):
        """Write the releases, then their links, then the updated ones' revisions."""
        for release, record in self.to_render:
            release.body_html = record.body_html
        Release.objects.bulk_create(self.created, batch_size=500)
        for fields, releases in group_by_changed_fields(self.updated).items():
            update_rows(Release, fields, releases)
        for kind in TAG_FIELDS:
            through = TAG_MODELS[kind].through_model()
            if self.relinked[kind]:
                through.objects.filter(content_object_id__in=self.relinked[kind]).delete()
            pairs = [(r.pk, tag_id) for r, ids in self.links[kind] for tag_id in ids]
            insert_links(through, pairs)
        # Not a column of the updates above: record() stamps revised_at by the one rule.
        revisions.record(self.changes, via=ReleaseRevision.Via.IMPORT, saved_at=self.now)


def current_tags(release_ids) -> dict[str, dict[int, dict[int, str]]]:
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
        groups[(*fields, "version", "updated_at")].append(release)
    return groups


def update_rows(model, names, objects) -> None:
    """UPDATE the named columns of each object, as one statement run for every row.

    `bulk_update` builds, for each column, a CASE expression with a branch for every
    object in the batch, and compiling those is costly in Python; this prepares one short
    UPDATE and runs it with each row's values, so nothing grows with the batch (the
    import figures are in docs/benchmarks.md). Like bulk_update it is plain SQL UPDATE,
    so triggers fire.
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

    A link is two integers: building a model instance for each one costs more than the
    database spends storing it. It is a plain INSERT, so database triggers on the table
    fire exactly as for bulk_create. Not executemany(): that is one statement a row, and
    PostgreSQL's statement-level triggers then run once per link.
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
