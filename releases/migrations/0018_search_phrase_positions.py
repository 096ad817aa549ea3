"""PostgreSQL: an index that knows where each word stands, for quoted phrases.

GIN stores which releases hold a word, not where, so for a phrase PostgreSQL re-read
the vector of every release holding all its words: `"digital singapore"` re-read
98,000 vectors at 100,000 releases (410 ms). The RUM access method (Debian's
postgresql-NN-rum, an extension) keeps the positions in the index, and answers the
same phrase from the index alone (72 ms; a rare phrase 28 -> 5 ms). It is slower than
GIN for plain words and for the releases lacking a word (complement.py: 6 -> 23 ms),
so GIN stays for those and the phrase index is built on an expression of its own,
`releases_search_positions(vector)`, which the search names only for queries with a
phrase. Where the extension is not installed (or this role may not create it), the
expression gets a GIN index: the same answers at the old speed.
"""

from django.db import migrations

FUNCTION = """CREATE FUNCTION releases_search_positions(vector tsvector) RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$ BEGIN RETURN vector; END $$"""
# plpgsql, not sql: an SQL function would be inlined into `vector`, and the planner
# would then offer the phrase index to every search.

RUM_USABLE = """SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'rum')
    OR (EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'rum')
        AND (SELECT rolsuper FROM pg_roles WHERE rolname = current_user))"""

INDEX = "releases_searchdocument_positions"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(RUM_USABLE)
        (rum,) = cursor.fetchone()
    if rum:
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS rum")
        method = "rum (releases_search_positions(vector) rum_tsvector_ops)"
    else:
        method = "gin (releases_search_positions(vector))"
    schema_editor.execute(f"CREATE INDEX {INDEX} ON releases_searchdocument USING {method}")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX {INDEX}")
    schema_editor.execute("DROP FUNCTION releases_search_positions(tsvector)")


class Migration(migrations.Migration):
    dependencies = [
        ("releases", "0017_search_totals"),
    ]

    operations = [migrations.RunPython(forward, backward)]
