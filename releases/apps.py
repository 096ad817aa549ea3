import importlib

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def reinstall_triggers(sender, using, **kwargs):
    """Put back triggers that SQLite dropped while a migration rebuilt a table.

    SQLite "alters" a table by copying it into a new one, which loses the
    triggers on it: the change-tracking ones, those copying release dates onto
    tag links, those keeping tag tallies and, for releases_release, the full-text
    index's. Each is defined once and re-created here.
    """
    from .tallies import TALLY_TABLE, install_tally_triggers
    from .triggers import (
        LINK_TABLES,
        STATE_TABLE,
        install_link_date_triggers,
        install_state_triggers,
    )

    connection = connections[using]
    tables = connection.introspection.table_names()
    if TALLY_TABLE in tables:
        install_tally_triggers(connection)
    if LINK_TABLES[0] in tables and has_column(connection, LINK_TABLES[0], "published_on"):
        install_link_date_triggers(connection)
    if STATE_TABLE in tables:
        install_state_triggers(connection)
        # `flush` empties every table and then sends post_migrate: put the one row back.
        from .models import ArchiveState

        ArchiveState.objects.using(using).get_or_create(id=1)
    if connection.vendor == "sqlite" and "releases_searchdocument" in tables:
        schema = importlib.import_module("releases.migrations.0007_search_index")
        triggers = {
            statement.split()[2]: statement
            for statement in schema.SQLITE_FORWARD
            if statement.startswith("CREATE TRIGGER")
        }
        batches = importlib.import_module("releases.migrations.0019_search_batches")
        if batches.BATCH in tables:
            triggers.update(batches.sqlite_triggers())
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            existing = {name for (name,) in cursor.fetchall()}
            for name, statement in triggers.items():
                if name not in existing:
                    cursor.execute(statement)


def has_column(connection, table, column) -> bool:
    with connection.cursor() as cursor:
        description = connection.introspection.get_table_description(cursor, table)
    return any(info.name == column for info in description)


class ReleasesConfig(AppConfig):
    name = "releases"
    verbose_name = "Press releases"

    def ready(self):
        post_migrate.connect(reinstall_triggers, sender=self)
