import importlib

from django.db import migrations

# A link updated without moving (its date copied in from its release, migration 0011)
# leaves the release's search document as it was: PostgreSQL's statement triggers
# cannot name columns when they read the changed rows, so the function compares them.
# Re-indexing there had made `generate_releases` 4× slower (a deferred date update
# per link, each re-indexing its release) and a release's date change index it twice.
LINK_CHANGED = """CREATE OR REPLACE FUNCTION releases_search_link_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        ids := ARRAY(SELECT DISTINCT content_object_id FROM new_rows);
    ELSIF TG_OP = 'DELETE' THEN
        ids := ARRAY(SELECT DISTINCT content_object_id FROM old_rows);
    ELSIF TG_OP = 'UPDATE' THEN
        ids := ARRAY(
            SELECT DISTINCT unnest(ARRAY[o.content_object_id, n.content_object_id])
              FROM old_rows o JOIN new_rows n ON n.id = o.id
             WHERE (o.content_object_id, o.tag_id) IS DISTINCT FROM (n.content_object_id, n.tag_id));
    ELSE
        ids := ARRAY(SELECT release_id FROM releases_searchdocument);
    END IF;
    IF cardinality(ids) > 0 THEN
        PERFORM releases_search_reindex(ids);
    END IF;
    RETURN NULL;
END $$"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(LINK_CHANGED)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    search = importlib.import_module("releases.migrations.0007_search_index")
    schema_editor.execute(search.postgres_function("releases_search_link_changed"))


class Migration(migrations.Migration):
    dependencies = [
        ("releases", "0011_link_dates"),
    ]

    operations = [migrations.RunPython(forward, backward)]
