import importlib

from django.db import migrations

from releases.triggers import STATE_TABLE

# PostgreSQL indexed title, summary, tags and body as one text, so a quoted phrase
# could run on from the last word of the title into the first of the summary (and from
# the tags into the body): "digital singapore" found 105 releases at 100,000 that SQLite,
# whose FTS5 columns are separate, rightly did not. Each field is now made into its own
# tsvector and they are joined with a gap of 100 positions, wider than any phrase's
# stop words: a placeholder lexeme that no text can produce (a lone space) pushes the
# next field along and is then deleted.
FIELDS_VECTOR = """CREATE FUNCTION releases_search_fields(VARIADIC fields text[]) RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    vector tsvector;
    field text;
BEGIN
    FOREACH field IN ARRAY fields LOOP
        IF vector IS NULL THEN
            vector := to_tsvector('releases_english', coalesce(field, ''));
        ELSE
            vector := vector || $gap$' ':100$gap$::tsvector
                             || to_tsvector('releases_english', coalesce(field, ''));
        END IF;
    END LOOP;
    RETURN ts_delete(coalesce(vector, ''), ' ');
END $$"""

OLD_HEAD = "to_tsvector('releases_english', concat_ws(' ', r.title, r.summary, t.tags)),"
NEW_HEAD = "releases_search_fields(r.title, r.summary, t.tags),"
OLD_ALL = "to_tsvector('releases_english', concat_ws(' ', r.title, r.summary, t.tags, r.body)),"
NEW_ALL = "releases_search_fields(r.title, r.summary, t.tags, r.body),"

RECOMPUTE = """UPDATE releases_searchdocument d
   SET head_vector = releases_search_fields(r.title, r.summary, t.tags),
       vector = releases_search_fields(r.title, r.summary, t.tags, r.body)
  FROM releases_release r CROSS JOIN LATERAL (SELECT releases_search_tags(r.id) AS tags) t
 WHERE r.id = d.release_id"""

RECOMPUTE_JOINED = """UPDATE releases_searchdocument d
   SET head_vector = to_tsvector('releases_english', concat_ws(' ', r.title, r.summary, t.tags)),
       vector = to_tsvector('releases_english', concat_ws(' ', r.title, r.summary, t.tags, r.body))
  FROM releases_release r CROSS JOIN LATERAL (SELECT releases_search_tags(r.id) AS tags) t
 WHERE r.id = d.release_id"""


def recompute(schema_editor, statement):
    """Run an UPDATE of every search row that leaves its unstemmed `words` as they were.

    Their counting trigger ("did you mean") is held off, as it would re-count every
    word of every release to find no difference; the data version is bumped after.
    """
    schema_editor.execute(
        "ALTER TABLE releases_searchdocument DISABLE TRIGGER releases_searchdocument_words_update"
    )
    schema_editor.execute(statement)
    schema_editor.execute(
        "ALTER TABLE releases_searchdocument ENABLE TRIGGER releases_searchdocument_words_update"
    )
    # Remembered search results (keyed on the data version) may have changed.
    schema_editor.execute(
        f"UPDATE {STATE_TABLE} SET version = version + 1, changed_at = clock_timestamp()"
    )


def original_reindex() -> str:
    search = importlib.import_module("releases.migrations.0007_search_index")
    return search.postgres_function("releases_search_reindex")


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    reindex = original_reindex()
    assert OLD_HEAD in reindex and OLD_ALL in reindex
    schema_editor.execute(FIELDS_VECTOR)
    schema_editor.execute(reindex.replace(OLD_HEAD, NEW_HEAD).replace(OLD_ALL, NEW_ALL))
    recompute(schema_editor, RECOMPUTE)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(original_reindex())
    recompute(schema_editor, RECOMPUTE_JOINED)
    schema_editor.execute("DROP FUNCTION releases_search_fields(VARIADIC text[])")


class Migration(migrations.Migration):
    dependencies = [
        ("releases", "0013_tag_tallies"),
    ]

    operations = [migrations.RunPython(forward, backward)]
