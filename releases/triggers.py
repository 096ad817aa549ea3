"""The triggers that bump `ArchiveState` whenever public data changes.

SQLite drops a table's triggers when a migration rebuilds the table, so
they are (re)installed after every `migrate` by a post_migrate handler, not
only by the migration that introduced them. A new table whose data pages
show belongs in TRACKED_TABLES.
"""

from django.db import migrations

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

POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION releases_touch_state() RETURNS trigger AS $$
BEGIN
    UPDATE {STATE_TABLE} SET version = version + 1, changed_at = clock_timestamp() WHERE id = 1;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
"""


def _create(vendor, table):
    if vendor == "postgresql":
        # One bump per statement keeps bulk imports cheap.
        return [
            f"CREATE TRIGGER {table}_touch_state AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION releases_touch_state();"
        ]
    # SQLite has only row triggers.
    return [
        f"CREATE TRIGGER {table}_touch_state_{event.lower()} AFTER {event} ON {table} BEGIN "
        f"UPDATE {STATE_TABLE} SET version = version + 1, "
        f"changed_at = strftime('%Y-%m-%d %H:%M:%f', 'now') WHERE id = 1; END;"
        for event in ("INSERT", "UPDATE", "DELETE")
    ]


def _drop(vendor, table):
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {table}_touch_state ON {table};"]
    return [
        f"DROP TRIGGER IF EXISTS {table}_touch_state_{event.lower()};"
        for event in ("INSERT", "UPDATE", "DELETE")
    ]


def install_state_triggers(connection, tables=TRACKED_TABLES):
    """Create (or re-create) the triggers; safe to run any number of times."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRES_FUNCTION)
        for table in tables:
            for sql in _drop(connection.vendor, table) + _create(connection.vendor, table):
                cursor.execute(sql)


def touch_state_operation(tables):
    """A migration operation adding (and on reverse, dropping) the triggers."""

    def forward(apps, schema_editor):
        install_state_triggers(schema_editor.connection, tables)

    def backward(apps, schema_editor):
        for table in tables:
            for sql in _drop(schema_editor.connection.vendor, table):
                schema_editor.execute(sql)

    return migrations.RunPython(forward, backward)
