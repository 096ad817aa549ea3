"""Rebuild the full-text search index from the releases, for repair after manual SQL.

Triggers keep the index exact as data changes (see migration 0007_search_index);
this command is for when something bypassed them, such as a restore of one
table. It rebuilds inside a transaction, so searches see the old index or the
new one, never half of each.
"""

import importlib
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connections, transaction

# The migrations hold the one definition of how a release is indexed and counted.
schema = importlib.import_module("releases.migrations.0007_search_index")
totals = importlib.import_module("releases.migrations.0017_search_totals")

COUNTS = """
SELECT (SELECT count(*) FROM releases_release),
       (SELECT count(*) FROM releases_release r WHERE NOT EXISTS
            (SELECT 1 FROM releases_searchdocument d WHERE d.release_id = r.id)),
       (SELECT count(*) FROM releases_searchdocument d WHERE NOT EXISTS
            (SELECT 1 FROM releases_release r WHERE r.id = d.release_id))
"""

REBUILD = {
    "sqlite": [
        *(f"INSERT INTO {table} ({table}) VALUES ('delete-all')" for table in schema.FTS_TABLES),
        "DELETE FROM releases_searchdocument",
        "DELETE FROM releases_searchtagsetmember",
        "DELETE FROM releases_searchtagset",
        *(s.rstrip(";") for s in schema.sqlite_index("SELECT id FROM releases_release")),
        "INSERT INTO releases_searchindex (releases_searchindex) VALUES ('optimize')",
        # Recount from scratch: the totals are, like the word counts, only adjusted.
        f"DELETE FROM {totals.TOTALS}",
        totals.SQLITE_COUNT,
    ],
    "postgresql": [
        "TRUNCATE releases_searchdocument, releases_searchtagset, releases_searchtagsetmember",
        "SELECT releases_search_reindex(ARRAY(SELECT id FROM releases_release))",
        # Recount from scratch: the counts are the one thing the triggers only adjust.
        "DELETE FROM releases_searchword",
        "INSERT INTO releases_searchword (word, documents)"
        " SELECT word, count(*) FROM releases_searchdocument, unnest(tsvector_to_array(words)) word"
        " GROUP BY word",
        f"DELETE FROM {totals.TOTALS}",
        totals.POSTGRES_COUNT,
    ],
}


class Command(BaseCommand):
    help = "Rebuild the full-text search index from the releases and report what changed."

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default")

    def handle(self, *args, database, **options):
        connection = connections[database]
        if connection.vendor not in REBUILD:
            raise CommandError(f"Search is not built for {connection.vendor}.")
        started = time.monotonic()
        with transaction.atomic(using=database), connection.cursor() as cursor:
            cursor.execute(COUNTS)
            releases, missing, stale = cursor.fetchone()
            for statement in REBUILD[connection.vendor]:
                cursor.execute(statement)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE releases_searchdocument")
        self.stdout.write(
            f"Indexed {releases} release{'s' if releases != 1 else ''} in "
            f"{time.monotonic() - started:.1f} s; before the rebuild {missing} "
            f"{'was' if missing == 1 else 'were'} missing from the index and {stale} stale "
            f"entr{'y was' if stale == 1 else 'ies were'} removed."
        )
