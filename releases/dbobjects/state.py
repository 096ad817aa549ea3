"""The data version: `ArchiveState`'s one row, bumped by triggers whenever public data changes.

ETags, Last-Modified and the page cache are keyed on it (releases/caching.py), so it
must move with every write however it arrives: admin, import, `update()`, `loaddata`
or SQL. A new table whose rows pages show belongs in TRACKED_TABLES.
"""

from .objects import DbObject, function, trigger

STATE_TABLE = "releases_archivestate"
TRACKED_TABLES = (
    "releases_release",
    "releases_agency",
    "releases_programme",
    "releases_figure",
    "releases_taggedagency",
    "releases_taggedprogramme",
    "releases_taggedfigure",
    "releases_agencyalias",
    "releases_releaseslug",
    "releases_agencyredirect",
    "releases_programmeredirect",
    "releases_figureredirect",
)

BUMP_POSTGRESQL = (
    f"UPDATE {STATE_TABLE} SET version = version + 1, changed_at = clock_timestamp() WHERE id = 1"
)
BUMP_SQLITE = (
    f"UPDATE {STATE_TABLE} SET version = version + 1,"
    " changed_at = strftime('%Y-%m-%d %H:%M:%f', 'now') WHERE id = 1"
)


def objects(vendor: str) -> list[DbObject]:
    if vendor == "postgresql":
        declared = [
            function(
                "releases_touch_state",
                "",
                "CREATE OR REPLACE FUNCTION releases_touch_state() RETURNS trigger AS $$\n"
                f"BEGIN\n    {BUMP_POSTGRESQL};\n    RETURN NULL;\nEND\n$$ LANGUAGE plpgsql",
            )
        ]
        # One bump per statement keeps bulk imports cheap.
        declared += [
            trigger(
                f"{table}_touch_state",
                table,
                f"CREATE TRIGGER {table}_touch_state AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE"
                f" ON {table} FOR EACH STATEMENT EXECUTE FUNCTION releases_touch_state()",
            )
            for table in TRACKED_TABLES
        ]
        return declared
    # SQLite has only row triggers.
    return [
        trigger(
            f"{table}_touch_state_{event.lower()}",
            table,
            f"CREATE TRIGGER {table}_touch_state_{event.lower()} AFTER {event} ON {table}"
            f" BEGIN {BUMP_SQLITE}; END",
        )
        for table in TRACKED_TABLES
        for event in ("INSERT", "UPDATE", "DELETE")
    ]


def ensure_row(cursor) -> None:
    """Make sure the one row exists: `flush` empties the table."""
    cursor.execute(
        f"INSERT INTO {STATE_TABLE} (id, version, changed_at)"
        f" SELECT 1, 0, CURRENT_TIMESTAMP WHERE NOT EXISTS (SELECT 1 FROM {STATE_TABLE})"
    )


def rebuild(cursor, vendor: str) -> str:
    """Nothing is derived here but the version, which moves on."""
    ensure_row(cursor)
    bump(cursor, vendor)
    return "data version moved on"


def bump(cursor, vendor: str) -> None:
    """Tell every cache that the data changed (after derived data is rebuilt)."""
    cursor.execute(BUMP_POSTGRESQL if vendor == "postgresql" else BUMP_SQLITE)
