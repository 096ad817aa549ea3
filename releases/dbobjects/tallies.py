"""How many published releases carry each tag, and the archive holds: `Tally`, kept by triggers.

Tag pages, the home page and every listing's filter menus show each tag's count of
published releases. Counting them from the links visits every link, and remembered
counts go stale on every change (the first reader after a press officer's typo fix
would pay for the count). So the database keeps a tally per tag of the links to
releases whose status is published, whichever way the data arrives (admin, import,
`update()`, `loaddata`), and a count reads one row. The archive's own count of
releases with published status is kept the same way, in a row of its own.

The tally ignores dates: a release scheduled for a later day is counted from the
moment it is published, and `TagQuerySet.with_release_counts` takes those few off at
read time (their links carry the release's date, see link_dates.py).

Links may arrive before their release (`loaddata` and the generator defer foreign
keys), so a new release counts the links already waiting for it, and a new link
counts only if its release exists: each pair is counted once, in either order.
Deleting works the same way round.
"""

from .link_dates import LINK_TABLES, RELEASE_TABLE
from .objects import DbObject, function, trigger

TALLY_TABLE = "releases_tally"
PUBLISHED = "published"  # Release.Status.PUBLISHED (this package reads no models)
KINDS = dict(zip(LINK_TABLES, ("agency", "programme", "figure"), strict=True))
ARCHIVE = "'archive', 0"  # the archive's own row (kind, tag_id): Tally.ARCHIVE


def objects(vendor: str) -> list[DbObject]:
    return _postgresql() if vendor == "postgresql" else _sqlite()


def _postgresql() -> list[DbObject]:
    def add(rows: str) -> str:
        return (
            f"INSERT INTO {TALLY_TABLE} (kind, tag_id, published) {rows}"
            f" ON CONFLICT (kind, tag_id) DO UPDATE"
            f" SET published = {TALLY_TABLE}.published + EXCLUDED.published"
        )

    def counted(links: str) -> str:
        # Signed links summed per tag where their release is published. Grouped, so that
        # one statement never adds to the same tally twice (which ON CONFLICT refuses);
        # ordered, so that concurrent writers lock tallies in the same order (no deadlock).
        return add(
            f"SELECT TG_ARGV[0], x.tag_id, sum(x.sign) FROM ({links}) x"
            f" JOIN {RELEASE_TABLE} r ON r.id = x.release_id WHERE r.status = '{PUBLISHED}'"
            " GROUP BY x.tag_id HAVING sum(x.sign) <> 0 ORDER BY x.tag_id"
        )

    def release_links(releases: str) -> str:
        # Every link of the given (id, sign) releases, summed per tag.
        links = " UNION ALL ".join(
            f"SELECT '{kind}' AS kind, l.tag_id, x.sign FROM ({releases}) x"
            f" JOIN {table} l ON l.content_object_id = x.id"
            for table, kind in KINDS.items()
        )
        return add(
            f"SELECT kind, tag_id, sum(sign) FROM ({links}) found"
            " GROUP BY kind, tag_id ORDER BY kind, tag_id"
        )

    def archive_total(sign: str, rows: str) -> str:
        return add(
            f"SELECT {ARCHIVE}, {sign}count(*) FROM {rows} WHERE status = '{PUBLISHED}'"
            " HAVING count(*) > 0"
        )

    inserted = "SELECT tag_id, content_object_id AS release_id, 1 AS sign FROM new_rows"
    deleted = "SELECT tag_id, content_object_id AS release_id, -1 AS sign FROM old_rows"
    moved = (
        "SELECT OLD.tag_id AS tag_id, OLD.content_object_id AS release_id, -1 AS sign"
        " UNION ALL SELECT NEW.tag_id, NEW.content_object_id, 1"
    )
    published = f"CASE WHEN NEW.status = '{PUBLISHED}' THEN 1 ELSE -1 END"
    bodies = {
        "links": f"IF TG_OP = 'INSERT' THEN {counted(inserted)}; ELSE {counted(deleted)}; END IF;",
        "link_move": f"{counted(moved)};",
        "release": f"""IF TG_OP = 'INSERT' THEN
        {release_links(f"SELECT id, 1 AS sign FROM new_rows WHERE status = '{PUBLISHED}'")};
        {archive_total("", "new_rows")};
    ELSE
        {release_links(f"SELECT id, -1 AS sign FROM old_rows WHERE status = '{PUBLISHED}'")};
        {archive_total("-", "old_rows")};
    END IF;""",
        "status": f"""{release_links(f"SELECT NEW.id AS id, {published} AS sign")};
    {add(f"SELECT {ARCHIVE}, {published}")};""",
    }
    declared = [
        function(
            f"releases_tally_{name}",
            "",
            f"CREATE OR REPLACE FUNCTION releases_tally_{name}() RETURNS trigger AS $$\n"
            f"BEGIN\n    {body}\n    RETURN NULL;\nEND $$ LANGUAGE plpgsql",
        )
        for name, body in bodies.items()
    ]
    # Inserts and deletes as statement triggers with transition tables: an import of
    # thousands of links adds them up in one grouped statement, not a call per row.
    # Moves (tag merges) and status changes are rare and come one at a time: row
    # triggers that fire only for them, so that other edits pay nothing.
    for table, kind in KINDS.items():
        declared += [
            *_statement_triggers(table, "releases_tally_links", f"'{kind}'"),
            trigger(
                f"{table}_tally_move",
                table,
                f"CREATE TRIGGER {table}_tally_move AFTER UPDATE OF content_object_id, tag_id"
                f" ON {table} FOR EACH ROW WHEN (OLD.content_object_id IS DISTINCT FROM"
                " NEW.content_object_id OR OLD.tag_id IS DISTINCT FROM NEW.tag_id)"
                f" EXECUTE FUNCTION releases_tally_link_move('{kind}')",
            ),
        ]
    declared += [
        *_statement_triggers(RELEASE_TABLE, "releases_tally_release", ""),
        trigger(
            f"{RELEASE_TABLE}_tally_status",
            RELEASE_TABLE,
            f"CREATE TRIGGER {RELEASE_TABLE}_tally_status AFTER UPDATE OF status"
            f" ON {RELEASE_TABLE} FOR EACH ROW WHEN ((OLD.status = '{PUBLISHED}') IS DISTINCT FROM"
            f" (NEW.status = '{PUBLISHED}')) EXECUTE FUNCTION releases_tally_status()",
        ),
    ]
    return declared


def _statement_triggers(table, function_name, argument) -> list[DbObject]:
    return [
        trigger(
            f"{table}_tally_{event.lower()}",
            table,
            f"CREATE TRIGGER {table}_tally_{event.lower()} AFTER {event} ON {table}"
            f" REFERENCING {rows} FOR EACH STATEMENT EXECUTE FUNCTION {function_name}({argument})",
        )
        for event, rows in (
            ("INSERT", "NEW TABLE AS new_rows"),
            ("DELETE", "OLD TABLE AS old_rows"),
        )
    ]


def _sqlite() -> list[DbObject]:
    # Additions insert the tally when it is missing; subtractions only update, so that
    # `flush` (which empties the tallies and the links in either order) leaves none
    # below zero.
    def one_more(rows):
        # `WHERE` before `ON CONFLICT` keeps SQLite from reading the upsert as a join.
        return (
            f"INSERT INTO {TALLY_TABLE} (kind, tag_id, published) {rows}"
            " ON CONFLICT (kind, tag_id) DO UPDATE SET published = published + 1;"
        )

    def add(kind, tag, condition):
        return one_more(f"SELECT '{kind}', {tag}, 1 WHERE {condition}")

    def one_fewer(where):
        return f"UPDATE {TALLY_TABLE} SET published = published - 1 WHERE {where};"

    def take(kind, tag, condition):
        return one_fewer(f"kind = '{kind}' AND tag_id = {tag} AND {condition}")

    def published(release):
        return (
            f"EXISTS (SELECT 1 FROM {RELEASE_TABLE} r"
            f" WHERE r.id = {release} AND r.status = '{PUBLISHED}')"
        )

    def add_links(release):
        # The release's tags, and the archive's own row.
        tags = " ".join(
            one_more(f"SELECT '{kind}', tag_id, 1 FROM {t} WHERE content_object_id = {release}")
            for t, kind in KINDS.items()
        )
        return f"{tags} {one_more(f'SELECT {ARCHIVE}, 1 WHERE 1')}"

    def take_links(release):
        # The release's tags, and the archive's own row.
        tags = " ".join(
            one_fewer(
                f"kind = '{kind}' AND tag_id IN"
                f" (SELECT tag_id FROM {t} WHERE content_object_id = {release})"
            )
            for t, kind in KINDS.items()
        )
        return f"{tags} {one_fewer(f'(kind, tag_id) = ({ARCHIVE})')}"

    # name: (table, event, WHEN condition, body)
    triggers = {}
    for table, kind in KINDS.items():
        triggers[f"{table}_tally_insert"] = (
            table,
            "AFTER INSERT",
            "",
            add(kind, "NEW.tag_id", published("NEW.content_object_id")),
        )
        triggers[f"{table}_tally_delete"] = (
            table,
            "AFTER DELETE",
            "",
            take(kind, "OLD.tag_id", published("OLD.content_object_id")),
        )
        triggers[f"{table}_tally_move"] = (
            table,
            "AFTER UPDATE OF content_object_id, tag_id",
            "WHEN OLD.content_object_id IS NOT NEW.content_object_id"
            " OR OLD.tag_id IS NOT NEW.tag_id",
            take(kind, "OLD.tag_id", published("OLD.content_object_id"))
            + " "
            + add(kind, "NEW.tag_id", published("NEW.content_object_id")),
        )
    status = f"'{PUBLISHED}'"
    triggers |= {
        f"{RELEASE_TABLE}_tally_insert": (
            RELEASE_TABLE,
            "AFTER INSERT",
            f"WHEN NEW.status = {status}",
            add_links("NEW.id"),
        ),
        f"{RELEASE_TABLE}_tally_delete": (
            RELEASE_TABLE,
            "AFTER DELETE",
            f"WHEN OLD.status = {status}",
            take_links("OLD.id"),
        ),
        f"{RELEASE_TABLE}_tally_publish": (
            RELEASE_TABLE,
            "AFTER UPDATE OF status",
            f"WHEN OLD.status IS NOT {status} AND NEW.status = {status}",
            add_links("NEW.id"),
        ),
        f"{RELEASE_TABLE}_tally_unpublish": (
            RELEASE_TABLE,
            "AFTER UPDATE OF status",
            f"WHEN OLD.status = {status} AND NEW.status IS NOT {status}",
            take_links("NEW.id"),
        ),
    }
    declared = []
    for name, (table, event, condition, body) in triggers.items():
        when = f" {condition}" if condition else ""
        declared.append(
            trigger(name, table, f"CREATE TRIGGER {name} {event} ON {table}{when} BEGIN {body} END")
        )
    return declared


def rebuild(cursor, vendor: str) -> str:
    """Count every tag's published releases, and the archive's, afresh; say how many were wrong."""
    cursor.execute(f"SELECT kind, tag_id, published FROM {TALLY_TABLE}")
    before = {(kind, tag): n for kind, tag, n in cursor.fetchall()}
    counted = " UNION ALL ".join(
        f"SELECT '{kind}', l.tag_id, count(*) FROM {table} l"
        f" JOIN {RELEASE_TABLE} r ON r.id = l.content_object_id"
        f" WHERE r.status = '{PUBLISHED}' GROUP BY l.tag_id"
        for table, kind in KINDS.items()
    )
    cursor.execute(f"DELETE FROM {TALLY_TABLE}")
    cursor.execute(f"INSERT INTO {TALLY_TABLE} (kind, tag_id, published) {counted}")
    cursor.execute(
        f"INSERT INTO {TALLY_TABLE} (kind, tag_id, published) SELECT {ARCHIVE}, count(*)"
        f" FROM {RELEASE_TABLE} WHERE status = '{PUBLISHED}'"
    )
    cursor.execute(f"SELECT kind, tag_id, published FROM {TALLY_TABLE}")
    after = {(kind, tag): n for kind, tag, n in cursor.fetchall()}
    wrong = sum(
        1 for key in before.keys() | after.keys() if before.get(key, 0) != after.get(key, 0)
    )
    tags = sum(1 for kind, _ in after if kind != "archive")
    return f"recounted {tags:,} tags and the archive's total; {wrong:,} were wrong"
