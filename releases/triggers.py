"""Database triggers: bumping `ArchiveState` whenever public data changes, and
copying each release's date onto its tag links.

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


# --- Each tag link carries its release's date ----------------------------------------
# So that a tag's releases nearest a date are one walk along the link table's
# (tag, published_on, release) index: the related-releases ranking.

LINK_TABLES = ("releases_taggedagency", "releases_taggedprogramme", "releases_taggedfigure")
RELEASE_TABLE = "releases_release"


def _link_dates_postgresql() -> list[str]:
    copy_to_links = "\n".join(
        f"    UPDATE {table} SET published_on = NEW.published_on"
        f" WHERE content_object_id = NEW.id AND published_on IS DISTINCT FROM NEW.published_on;"
        for table in LINK_TABLES
    )
    statements = [
        f"""CREATE OR REPLACE FUNCTION releases_link_date() RETURNS trigger AS $$
BEGIN
    NEW.published_on := (SELECT published_on FROM {RELEASE_TABLE} WHERE id = NEW.content_object_id);
    RETURN NEW;
END $$ LANGUAGE plpgsql;""",
        f"""CREATE OR REPLACE FUNCTION releases_release_date() RETURNS trigger AS $$
BEGIN
{copy_to_links}
    RETURN NULL;
END $$ LANGUAGE plpgsql;""",
        # A link inserted before its release (loaddata defers foreign keys) found no
        # date: it looks again at commit. (A trigger on every new release instead cost
        # an import of 10,000 releases 50 s.)
        """CREATE OR REPLACE FUNCTION releases_link_date_late() RETURNS trigger AS $$
BEGIN
    EXECUTE format('UPDATE %I SET published_on = (SELECT published_on FROM releases_release'
                   ' WHERE id = $1) WHERE id = $2', TG_TABLE_NAME)
        USING NEW.content_object_id, NEW.id;
    RETURN NULL;
END $$ LANGUAGE plpgsql;""",
        f"DROP TRIGGER IF EXISTS releases_release_date_update ON {RELEASE_TABLE};",
        f"CREATE TRIGGER releases_release_date_update AFTER UPDATE OF published_on"
        f" ON {RELEASE_TABLE} FOR EACH ROW"
        " WHEN (OLD.published_on IS DISTINCT FROM NEW.published_on)"
        " EXECUTE FUNCTION releases_release_date();",
    ]
    for table in LINK_TABLES:
        statements += [
            f"DROP TRIGGER IF EXISTS {table}_date ON {table};",
            f"CREATE TRIGGER {table}_date BEFORE INSERT OR UPDATE OF content_object_id"
            f" ON {table} FOR EACH ROW EXECUTE FUNCTION releases_link_date();",
            f"DROP TRIGGER IF EXISTS {table}_date_late ON {table};",
            f"CREATE CONSTRAINT TRIGGER {table}_date_late AFTER INSERT ON {table}"
            " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.published_on IS NULL)"
            " EXECUTE FUNCTION releases_link_date_late();",
        ]
    return statements


def _link_dates_sqlite() -> list[str]:
    # No BEFORE trigger in SQLite can change the row: each new link is updated after.
    copy_to_links = " ".join(
        f"UPDATE {table} SET published_on = NEW.published_on WHERE content_object_id = NEW.id;"
        for table in LINK_TABLES
    )
    statements = [
        "DROP TRIGGER IF EXISTS releases_release_date_insert;",
        "DROP TRIGGER IF EXISTS releases_release_date_update;",
        f"CREATE TRIGGER releases_release_date_insert AFTER INSERT ON {RELEASE_TABLE}"
        f" BEGIN {copy_to_links} END;",
        f"CREATE TRIGGER releases_release_date_update AFTER UPDATE OF published_on"
        f" ON {RELEASE_TABLE} WHEN OLD.published_on IS NOT NEW.published_on"
        f" BEGIN {copy_to_links} END;",
    ]
    for table in LINK_TABLES:
        from_release = (
            f"UPDATE {table} SET published_on = (SELECT published_on FROM {RELEASE_TABLE}"
            f" WHERE id = NEW.content_object_id) WHERE id = NEW.id;"
        )
        statements += [
            f"DROP TRIGGER IF EXISTS {table}_date_insert;",
            f"DROP TRIGGER IF EXISTS {table}_date_move;",
            f"CREATE TRIGGER {table}_date_insert AFTER INSERT ON {table} BEGIN {from_release} END;",
            f"CREATE TRIGGER {table}_date_move AFTER UPDATE OF content_object_id ON {table}"
            f" BEGIN {from_release} END;",
        ]
    return statements


def install_link_date_triggers(connection):
    """Create (or re-create) the triggers copying release dates onto tag links."""
    statements = (
        _link_dates_postgresql() if connection.vendor == "postgresql" else _link_dates_sqlite()
    )
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def copy_link_dates(connection):
    """Give every existing link its release's date (once, when the column is added)."""
    with connection.cursor() as cursor:
        for table in LINK_TABLES:
            if connection.vendor == "postgresql":
                # The search index holds no link dates: its trigger would re-index every
                # release (7 minutes at 100,000 releases).
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_search_update")
                cursor.execute(
                    f"UPDATE {table} SET published_on = r.published_on"
                    f" FROM {RELEASE_TABLE} r WHERE r.id = {table}.content_object_id"
                )
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_search_update")
            else:
                cursor.execute(
                    f"UPDATE {table} SET published_on = (SELECT published_on"
                    f" FROM {RELEASE_TABLE} r WHERE r.id = {table}.content_object_id)"
                )
