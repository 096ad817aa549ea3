"""How many published releases carry each tag, and the archive holds, kept by triggers.

Tag pages, the home page and every listing's filter menus show each tag's
count of published releases. Counting them from the links visits every link
(0.8 s for the three kinds at 100,000 releases, ten times that at a million),
and the remembered counts go stale on every change: the first reader after a
press officer's typo fix paid it. So the database keeps a tally per tag of the
links to releases whose status is published, whichever way the data arrives
(admin, import, `update()`, `loaddata`), and a count reads one row. The
archive's own count of releases with published status is kept the same way, in
a row of its own.

The tally ignores dates: a release scheduled for a later day is counted from
the moment it is published, and `TagQuerySet.with_release_counts` takes those
few off at read time (their links carry the release's date, see triggers.py).

Links may arrive before their release (`loaddata` and the generator defer
foreign keys), so a new release counts the links already waiting for it, and a
new link counts only if its release exists: each pair is counted once, in
either order. Deleting works the same way round.
"""

from .triggers import LINK_TABLES, RELEASE_TABLE

TALLY_TABLE = "releases_tally"
PUBLISHED = "published"  # Release.Status.PUBLISHED (this module is imported by migrations)
KINDS = dict(zip(LINK_TABLES, ("agency", "programme", "figure"), strict=True))
ARCHIVE = "'archive', 0"  # the archive's own row (kind, tag_id): Tally.ARCHIVE


def _postgresql() -> list[str]:
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
    functions = f"""
CREATE OR REPLACE FUNCTION releases_tally_links() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN {counted(inserted)}; ELSE {counted(deleted)}; END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION releases_tally_link_move() RETURNS trigger AS $$
BEGIN
    {counted(moved)};
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION releases_tally_release() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {release_links(f"SELECT id, 1 AS sign FROM new_rows WHERE status = '{PUBLISHED}'")};
        {archive_total("", "new_rows")};
    ELSE
        {release_links(f"SELECT id, -1 AS sign FROM old_rows WHERE status = '{PUBLISHED}'")};
        {archive_total("-", "old_rows")};
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION releases_tally_status() RETURNS trigger AS $$
BEGIN
    {release_links(f"SELECT NEW.id AS id, {published} AS sign")};
    {add(f"SELECT {ARCHIVE}, {published}")};
    RETURN NULL;
END $$ LANGUAGE plpgsql;"""
    statements = [functions]
    # Inserts and deletes as statement triggers with transition tables: an import of
    # thousands of links adds them up in one grouped statement, not a call per row.
    # Moves (tag merges) and status changes are rare and come one at a time: row
    # triggers that fire only for them, so that other edits pay nothing.
    for table, kind in KINDS.items():
        statements += [
            *_statement_triggers(table, "releases_tally_links", f"'{kind}'"),
            f"DROP TRIGGER IF EXISTS {table}_tally_move ON {table};",
            f"CREATE TRIGGER {table}_tally_move AFTER UPDATE OF content_object_id, tag_id"
            f" ON {table} FOR EACH ROW WHEN (OLD.content_object_id IS DISTINCT FROM"
            " NEW.content_object_id OR OLD.tag_id IS DISTINCT FROM NEW.tag_id)"
            f" EXECUTE FUNCTION releases_tally_link_move('{kind}');",
        ]
    statements += [
        *_statement_triggers(RELEASE_TABLE, "releases_tally_release", ""),
        f"DROP TRIGGER IF EXISTS {RELEASE_TABLE}_tally_status ON {RELEASE_TABLE};",
        f"CREATE TRIGGER {RELEASE_TABLE}_tally_status AFTER UPDATE OF status ON {RELEASE_TABLE}"
        f" FOR EACH ROW WHEN ((OLD.status = '{PUBLISHED}') IS DISTINCT FROM"
        f" (NEW.status = '{PUBLISHED}')) EXECUTE FUNCTION releases_tally_status();",
    ]
    return statements


def _statement_triggers(table, function, argument) -> list[str]:
    statements = []
    for event, rows in (("INSERT", "NEW TABLE AS new_rows"), ("DELETE", "OLD TABLE AS old_rows")):
        name = f"{table}_tally_{event.lower()}"
        statements += [
            f"DROP TRIGGER IF EXISTS {name} ON {table};",
            f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {rows}"
            f" FOR EACH STATEMENT EXECUTE FUNCTION {function}({argument});",
        ]
    return statements


def _sqlite() -> list[str]:
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

    triggers = {}
    for table, kind in KINDS.items():
        triggers[f"{table}_tally_insert"] = (
            f"AFTER INSERT ON {table}",
            add(kind, "NEW.tag_id", published("NEW.content_object_id")),
        )
        triggers[f"{table}_tally_delete"] = (
            f"AFTER DELETE ON {table}",
            take(kind, "OLD.tag_id", published("OLD.content_object_id")),
        )
        triggers[f"{table}_tally_move"] = (
            f"AFTER UPDATE OF content_object_id, tag_id ON {table}"
            " WHEN OLD.content_object_id IS NOT NEW.content_object_id"
            " OR OLD.tag_id IS NOT NEW.tag_id",
            take(kind, "OLD.tag_id", published("OLD.content_object_id"))
            + " "
            + add(kind, "NEW.tag_id", published("NEW.content_object_id")),
        )
    status = f"'{PUBLISHED}'"
    triggers |= {
        f"{RELEASE_TABLE}_tally_insert": (
            f"AFTER INSERT ON {RELEASE_TABLE} WHEN NEW.status = {status}",
            add_links("NEW.id"),
        ),
        f"{RELEASE_TABLE}_tally_delete": (
            f"AFTER DELETE ON {RELEASE_TABLE} WHEN OLD.status = {status}",
            take_links("OLD.id"),
        ),
        f"{RELEASE_TABLE}_tally_publish": (
            f"AFTER UPDATE OF status ON {RELEASE_TABLE}"
            f" WHEN OLD.status IS NOT {status} AND NEW.status = {status}",
            add_links("NEW.id"),
        ),
        f"{RELEASE_TABLE}_tally_unpublish": (
            f"AFTER UPDATE OF status ON {RELEASE_TABLE}"
            f" WHEN OLD.status = {status} AND NEW.status IS NOT {status}",
            take_links("NEW.id"),
        ),
    }
    statements = []
    for name, (when, body) in triggers.items():
        statements += [
            f"DROP TRIGGER IF EXISTS {name};",
            f"CREATE TRIGGER {name} {when} BEGIN {body} END;",
        ]
    return statements


def install_tally_triggers(connection):
    """Create (or re-create) the triggers keeping the tallies; safe to run again."""
    statements = _postgresql() if connection.vendor == "postgresql" else _sqlite()
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def recount_tallies(connection):
    """Count every tag's published releases, and the archive's, afresh."""
    counted = " UNION ALL ".join(
        f"SELECT '{kind}', l.tag_id, count(*) FROM {table} l"
        f" JOIN {RELEASE_TABLE} r ON r.id = l.content_object_id"
        f" WHERE r.status = '{PUBLISHED}' GROUP BY l.tag_id"
        for table, kind in KINDS.items()
    )
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TALLY_TABLE}")
        cursor.execute(f"INSERT INTO {TALLY_TABLE} (kind, tag_id, published) {counted}")
        cursor.execute(
            f"INSERT INTO {TALLY_TABLE} (kind, tag_id, published) SELECT {ARCHIVE}, count(*)"
            f" FROM {RELEASE_TABLE} WHERE status = '{PUBLISHED}'"
        )


TRIGGERS = [
    *(f"{table}_tally_{event}" for table in LINK_TABLES for event in ("insert", "delete", "move")),
    *(
        f"{RELEASE_TABLE}_tally_{event}"
        for event in ("insert", "delete", "status", "publish", "unpublish")
    ),
]
FUNCTIONS = ("links", "link_move", "release", "status")


def drop_tally_triggers(connection):
    with connection.cursor() as cursor:
        for name in TRIGGERS:
            table = name.rsplit("_tally_", 1)[0]
            on = f" ON {table}" if connection.vendor == "postgresql" else ""
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}{on}")
        if connection.vendor == "postgresql":
            for function in FUNCTIONS:
                cursor.execute(f"DROP FUNCTION IF EXISTS releases_tally_{function}()")
