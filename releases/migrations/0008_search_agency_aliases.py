"""Fold agencies' former names (and former acronyms) into the search index.

An agency that was renamed stays findable by its old name: each release's
indexed tag text gains the former names of its agencies, and triggers on
releases_agencyalias re-index that agency's releases when a former name is
added, changed or removed.
"""

import importlib

from django.db import migrations

search = importlib.import_module("releases.migrations.0007_search_index")

ALIASES_SQLITE = """coalesce((SELECT group_concat(al.name || ' ' || al.acronym, ' ')
    FROM releases_taggedagency t JOIN releases_agencyalias al ON al.agency_id = t.tag_id
    WHERE t.content_object_id = r.id), '')"""

SQLITE_TAGS = f"trim({search.SQLITE_TAGS} || ' ' || {ALIASES_SQLITE})"


def sqlite_view(tags):
    return f"""CREATE VIEW releases_searchsource AS
        SELECT ((CAST(julianday(r.published_on) AS integer) << 32) | r.id) AS doc_key,
               r.id AS release_id, r.status AS status, r.kind AS kind,
               r.published_on AS published_on, {tags} AS tags,
               {search.SQLITE_SIGNATURE} AS signature
        FROM releases_release r"""


def sqlite_alias_triggers():
    by_agency = "SELECT content_object_id FROM releases_taggedagency WHERE tag_id = {}.agency_id"
    return [
        search.sqlite_trigger(
            "releases_agencyalias_search_insert",
            "AFTER INSERT ON releases_agencyalias",
            search.sqlite_reindex(by_agency.format("NEW")),
        ),
        search.sqlite_trigger(
            "releases_agencyalias_search_delete",
            "AFTER DELETE ON releases_agencyalias",
            search.sqlite_reindex(by_agency.format("OLD")),
        ),
        search.sqlite_trigger(
            "releases_agencyalias_search_update",
            "AFTER UPDATE ON releases_agencyalias",
            search.sqlite_reindex(by_agency.format("OLD") + " UNION " + by_agency.format("NEW")),
        ),
    ]


def sqlite_statements(tags, with_triggers):
    statements = ["DROP VIEW releases_searchsource", sqlite_view(tags)]
    if with_triggers:
        statements += sqlite_alias_triggers()
    else:
        statements += [
            f"DROP TRIGGER IF EXISTS releases_agencyalias_search_{event}"
            for event in ("insert", "delete", "update")
        ]
    # Re-index everything so existing releases carry (or lose) their agencies' former names.
    return statements + [
        s.rstrip(";") for s in search.sqlite_reindex("SELECT id FROM releases_release")
    ]


POSTGRES_TAGS = """CREATE OR REPLACE FUNCTION releases_search_tags(release bigint) RETURNS text
    LANGUAGE sql STABLE AS $$
        SELECT concat_ws(' ',
            (SELECT string_agg(concat_ws(' ', a.name, nullif(a.acronym, '')), ' ')
               FROM releases_taggedagency t JOIN releases_agency a ON a.id = t.tag_id
              WHERE t.content_object_id = release),
            (SELECT string_agg(concat_ws(' ', al.name, nullif(al.acronym, '')), ' ')
               FROM releases_taggedagency t JOIN releases_agencyalias al ON al.agency_id = t.tag_id
              WHERE t.content_object_id = release),
            (SELECT string_agg(p.name, ' ')
               FROM releases_taggedprogramme t JOIN releases_programme p ON p.id = t.tag_id
              WHERE t.content_object_id = release),
            (SELECT string_agg(f.name, ' ')
               FROM releases_taggedfigure t JOIN releases_figure f ON f.id = t.tag_id
              WHERE t.content_object_id = release))
    $$"""

POSTGRES_FORWARD = [
    POSTGRES_TAGS,
    """CREATE FUNCTION releases_search_alias_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM releases_search_reindex(ARRAY(
            SELECT content_object_id FROM releases_taggedagency
             WHERE tag_id IN (SELECT agency_id FROM changed)));
        RETURN NULL;
    END
    $$""",
    *(
        f"""CREATE TRIGGER releases_agencyalias_search_{event.lower()}
            AFTER {event} ON releases_agencyalias REFERENCING {table} TABLE AS changed
            FOR EACH STATEMENT EXECUTE FUNCTION releases_search_alias_changed()"""
        for event, table in (("INSERT", "NEW"), ("DELETE", "OLD"))
    ),
    """CREATE TRIGGER releases_agencyalias_search_update_new
        AFTER UPDATE ON releases_agencyalias REFERENCING NEW TABLE AS changed
        FOR EACH STATEMENT EXECUTE FUNCTION releases_search_alias_changed()""",
    """CREATE TRIGGER releases_agencyalias_search_update_old
        AFTER UPDATE ON releases_agencyalias REFERENCING OLD TABLE AS changed
        FOR EACH STATEMENT EXECUTE FUNCTION releases_search_alias_changed()""",
    "SELECT releases_search_reindex(ARRAY(SELECT id FROM releases_release))",
]

POSTGRES_BACKWARD = [
    *(
        f"DROP TRIGGER IF EXISTS releases_agencyalias_search_{name} ON releases_agencyalias"
        for name in ("insert", "delete", "update_new", "update_old")
    ),
    "DROP FUNCTION IF EXISTS releases_search_alias_changed()",
    next(s for s in search.POSTGRES_FORWARD if "FUNCTION releases_search_tags" in s).replace(
        "CREATE FUNCTION", "CREATE OR REPLACE FUNCTION"
    ),
    "SELECT releases_search_reindex(ARRAY(SELECT id FROM releases_release))",
]


def run(forward):
    def operation(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor == "sqlite":
            statements = (
                sqlite_statements(SQLITE_TAGS, with_triggers=True)
                if forward
                else sqlite_statements(search.SQLITE_TAGS, with_triggers=False)
            )
        else:
            statements = POSTGRES_FORWARD if forward else POSTGRES_BACKWARD
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return operation


class Migration(migrations.Migration):
    dependencies = [("releases", "0007_search_index")]

    operations = [migrations.RunPython(run(True), run(False))]
