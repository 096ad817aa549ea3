import importlib

from django.db import migrations

# SQLite's FTS5 indexes every word and splits a hyphenated word into its parts;
# PostgreSQL dropped English stop words and also indexed "five-year" whole. So the same
# query could find different releases: "minister of trade" found "minister for trade" on
# PostgreSQL only, "and smart" found every "smart", "Singapore's" every "Singapore",
# "one" (Porter's "on") nearly everything on SQLite only, and "five-year" missed "five
# year" on PostgreSQL only. Now PostgreSQL keeps stop words and indexes the parts of a
# hyphenated word alone, as SQLite does: vectors grow by about a sixth.
FORWARD = [
    "ALTER TEXT SEARCH DICTIONARY releases_porter (StopWords)",
    "ALTER TEXT SEARCH CONFIGURATION releases_english DROP MAPPING FOR asciihword, hword",
]
BACKWARD = [
    "ALTER TEXT SEARCH DICTIONARY releases_porter (StopWords = english)",
    """ALTER TEXT SEARCH CONFIGURATION releases_english
        ADD MAPPING FOR asciihword WITH releases_porter""",
    """ALTER TEXT SEARCH CONFIGURATION releases_english
        ADD MAPPING FOR hword WITH unaccent, releases_porter""",
]

# Every stemmed vector again, the title's too (0014's helper holds off the words
# trigger and bumps the data version).
RECOMPUTE = """UPDATE releases_searchdocument d
   SET title_vector = to_tsvector('releases_english', r.title),
       head_vector = releases_search_fields(r.title, r.summary, t.tags),
       vector = releases_search_fields(r.title, r.summary, t.tags, r.body)
  FROM releases_release r CROSS JOIN LATERAL (SELECT releases_search_tags(r.id) AS tags) t
 WHERE r.id = d.release_id"""


def run(statements):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)
        fields = importlib.import_module("releases.migrations.0014_search_field_gaps")
        fields.recompute(schema_editor, RECOMPUTE)

    return operation


class Migration(migrations.Migration):
    dependencies = [
        ("releases", "0015_search_tagset_signatures"),
    ]

    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
