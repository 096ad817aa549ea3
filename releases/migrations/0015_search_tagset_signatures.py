import importlib

from django.db import migrations

# PostgreSQL wrote a release's tagset signature with concat_ws, which leaves out a
# NULL part: a release with agency 5 and no programme and one with programme 5 and no
# agency were both "press-release|5", so they shared a tagset whose members were the
# union of both (facet counts and agency filters over-counted). SQLite always wrote
# the empty part ("press-release|5|"), as this does now.
SIGNATURE = """CREATE OR REPLACE FUNCTION releases_search_signature(release bigint, kind text)
RETURNS text LANGUAGE sql STABLE AS $$
    SELECT concat_ws('|', kind,
        coalesce((SELECT string_agg(tag_id::text, ',' ORDER BY tag_id)
                    FROM releases_taggedagency WHERE content_object_id = release), ''),
        coalesce((SELECT string_agg(tag_id::text, ',' ORDER BY tag_id)
                    FROM releases_taggedprogramme WHERE content_object_id = release), ''))
$$"""

# Every tagset again from the links, then each document pointed at its own.
REBUILD_TAGSETS = [
    "TRUNCATE releases_searchtagset, releases_searchtagsetmember RESTART IDENTITY",
    """INSERT INTO releases_searchtagset (kind, signature)
       SELECT DISTINCT r.kind, releases_search_signature(r.id, r.kind)
         FROM releases_release r JOIN releases_searchdocument d ON d.release_id = r.id""",
    """INSERT INTO releases_searchtagsetmember (tagset_id, facet, tag_id)
       SELECT DISTINCT ts.id, m.facet, m.tag_id
         FROM releases_release r
         JOIN releases_searchtagset ts ON ts.signature = releases_search_signature(r.id, r.kind)
         CROSS JOIN LATERAL (
             SELECT 'agency' AS facet, tag_id FROM releases_taggedagency
              WHERE content_object_id = r.id
             UNION ALL
             SELECT 'programme', tag_id FROM releases_taggedprogramme
              WHERE content_object_id = r.id) m""",
]
POINT_DOCUMENTS = """UPDATE releases_searchdocument d SET tagset = ts.id
  FROM releases_release r
  JOIN releases_searchtagset ts ON ts.signature = releases_search_signature(r.id, r.kind)
 WHERE r.id = d.release_id"""


def rebuild_tagsets(schema_editor):
    for statement in REBUILD_TAGSETS:
        schema_editor.execute(statement)
    # 0014's helper: holds off the words trigger, bumps the data version.
    fields = importlib.import_module("releases.migrations.0014_search_field_gaps")
    fields.recompute(schema_editor, POINT_DOCUMENTS)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SIGNATURE)
        rebuild_tagsets(schema_editor)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    search = importlib.import_module("releases.migrations.0007_search_index")
    schema_editor.execute(search.postgres_function("releases_search_signature"))
    rebuild_tagsets(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("releases", "0014_search_field_gaps"),
    ]

    operations = [migrations.RunPython(forward, backward)]
