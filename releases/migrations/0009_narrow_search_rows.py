"""PostgreSQL: keep the search documents' row narrow, their vectors out of line.

Counting and faceting a common word visits one row per match through the GIN
bitmap, reading only tagset, status and date. With the vectors compressed
inline a row averaged ~900 bytes (11,000 pages for 100,000 releases); moved
out of line it is ~130 bytes (1,700 pages), and a 97,000-match facet scan
went from ~70 to ~50 ms (docs/benchmarks.md). Existing rows move when they are
next written; `rebuild_search_index` rewrites them all.
"""

from django.db import migrations


def narrow(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE releases_searchdocument SET (toast_tuple_target = 128)"
        )


def widen(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE releases_searchdocument RESET (toast_tuple_target)")


class Migration(migrations.Migration):
    dependencies = [("releases", "0008_search_agency_aliases")]

    operations = [migrations.RunPython(narrow, widen, elidable=False)]
