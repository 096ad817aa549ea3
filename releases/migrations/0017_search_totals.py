"""Count a common word's facets from the few releases that lack it.

A word in nearly every release matches nearly the whole archive, and counting its
facets visited every match: 100-150 ms on SQLite, 50-100 ms on PostgreSQL at 100,000
releases, for the first reader after any change. Such a search is now counted the
other way round (releases.search.complement): the archive's published releases per
tagset and year, kept here by triggers, less the releases that do not match. Finding
those needs something every release holds, to take the word from: a token no text
can produce, added to each release's indexed text (SENTINEL, a private-use
character that the search form turns into a space, so no reader can type it).
"""

import importlib

from django.db import migrations

from releases.search.complement import SENTINEL

aliases = importlib.import_module("releases.migrations.0008_search_agency_aliases")
fields = importlib.import_module("releases.migrations.0014_search_field_gaps")
search = importlib.import_module("releases.migrations.0007_search_index")

TOTALS = "releases_searchtotal"
PUBLISHED = "published"  # Release.Status.PUBLISHED

# --- SQLite: the sentinel rides in the indexed tag text -------------------------

SQLITE_TAGS = f"({aliases.SQLITE_TAGS} || ' ' || char({ord(SENTINEL)}))"
SQLITE_YEAR = "CAST(substr({row}.published_on, 1, 4) AS integer)"


def sqlite_totals_triggers():
    def change(row, sign):
        year = SQLITE_YEAR.format(row=row)
        return [
            f"INSERT INTO {TOTALS} (tagset, year, published)"
            f" SELECT {tagset}, {year}, {sign}1 WHERE {row}.status = '{PUBLISHED}'"
            f" ON CONFLICT (tagset, year) DO UPDATE SET published = published {sign} 1;"
            for tagset, year in ((f"{row}.tagset", year), (f"{row}.tagset", "0"), ("0", year))
        ]

    return [
        search.sqlite_trigger(
            "releases_searchtotal_insert",
            "AFTER INSERT ON releases_searchdocument",
            change("NEW", "+"),
        ),
        search.sqlite_trigger(
            "releases_searchtotal_delete",
            "AFTER DELETE ON releases_searchdocument",
            change("OLD", "-"),
        ),
        # The index deletes and inserts rows rather than updating them: this is for
        # SQL written by hand.
        search.sqlite_trigger(
            "releases_searchtotal_update",
            "AFTER UPDATE OF status, published_on, tagset ON releases_searchdocument",
            [*change("OLD", "-"), *change("NEW", "+")],
        ),
    ]


# Each (tagset, year), each tagset in all years (year 0) and each year in all tagsets
# (tagset 0): the search reads the few rows its scope needs. SQLite has no VALUES
# joined to a row, so the three groupings come one after the other.
SQLITE_COUNT = f"""INSERT INTO {TOTALS} (tagset, year, published)
    WITH d AS (SELECT tagset, {SQLITE_YEAR.format(row='d')} AS year FROM releases_searchdocument d
                WHERE d.status = '{PUBLISHED}')
    SELECT tagset, year, count(*) FROM d GROUP BY tagset, year
    UNION ALL SELECT tagset, 0, count(*) FROM d GROUP BY tagset
    UNION ALL SELECT 0, year, count(*) FROM d GROUP BY year"""


def sqlite_forward():
    return [
        f"""CREATE TABLE {TOTALS} (
            tagset integer NOT NULL,
            year integer NOT NULL,
            published integer NOT NULL,
            PRIMARY KEY (tagset, year)
        ) WITHOUT ROWID""",
        *sqlite_totals_triggers(),
        SQLITE_COUNT,
        *sqlite_sentinel(SQLITE_TAGS, f"tags || ' ' || char({ord(SENTINEL)})"),
    ]


def sqlite_backward():
    return [
        *(f"DROP TRIGGER releases_searchtotal_{event}" for event in ("insert", "delete", "update")),
        f"DROP TABLE {TOTALS}",
        *sqlite_sentinel(aliases.SQLITE_TAGS, f"rtrim(rtrim(tags, char({ord(SENTINEL)})), ' ')"),
    ]


def sqlite_sentinel(tags, stored_tags):
    """Index every release's tags as `tags` computes them (the stored copy as `stored_tags`)."""
    return [
        "DROP VIEW releases_searchsource",
        aliases.sqlite_view(tags),
        f"UPDATE releases_searchdocument SET tags = {stored_tags}",
        *(f"INSERT INTO {table} ({table}) VALUES ('rebuild')" for table in search.FTS_TABLES),
    ]


# --- PostgreSQL: the sentinel is a lexeme of the whole-release vector -------------

# The same three keys of a row, joined to it.
KEYS = "(VALUES (d.tagset, d.year), (d.tagset, 0), (0, d.year)) AS k (tagset, year)"
POSTGRES_COUNT = (
    f"INSERT INTO {TOTALS} (tagset, year, published)"
    " SELECT k.tagset, k.year, count(*)"
    " FROM (SELECT tagset, EXTRACT(year FROM published_on)::integer AS year"
    f"       FROM releases_searchdocument WHERE status = '{PUBLISHED}') d"
    f" CROSS JOIN LATERAL {KEYS} GROUP BY k.tagset, k.year"
)
SENTINEL_TEXT = f"$sentinel${SENTINEL}$sentinel$"
SENTINEL_SQL = f"{SENTINEL_TEXT}::tsvector"
ALL_FIELDS = "releases_search_fields(r.title, r.summary, t.tags, r.body)"



def postgres_totals_function(event: str, rows: str) -> str:
    """The function behind one statement trigger: `rows` are its signed (tagset, day, status)."""
    return f"""CREATE FUNCTION releases_search_count_totals_{event}() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        -- Grouped, so that no statement adds to one total twice (ON CONFLICT refuses),
        -- and ordered, so that concurrent writers lock totals in the same order.
        INSERT INTO {TOTALS} AS s (tagset, year, published)
        SELECT k.tagset, k.year, sum(d.sign)
          FROM (SELECT tagset, EXTRACT(year FROM published_on)::integer AS year, sign
                  FROM ({rows}) c WHERE status = '{PUBLISHED}') d
          CROSS JOIN LATERAL {KEYS}
         GROUP BY 1, 2 HAVING sum(d.sign) <> 0 ORDER BY 1, 2
        ON CONFLICT (tagset, year) DO UPDATE SET published = s.published + excluded.published;
        RETURN NULL;
    END $$"""


NEW_ROWS = "SELECT tagset, published_on, status, 1 AS sign FROM new_rows"
OLD_ROWS = "SELECT tagset, published_on, status, -1 AS sign FROM old_rows"
POSTGRES_TRIGGERS = {
    "insert": ("AFTER INSERT", "NEW TABLE AS new_rows", NEW_ROWS),
    "delete": ("AFTER DELETE", "OLD TABLE AS old_rows", OLD_ROWS),
    "update": (
        "AFTER UPDATE",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        f"{NEW_ROWS} UNION ALL {OLD_ROWS}",
    ),
}


def reindex_function(schema_editor) -> str:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_functiondef('releases_search_reindex(bigint[])'::regprocedure)"
        )
        return cursor.fetchone()[0]


def postgres_forward(schema_editor):
    reindex = reindex_function(schema_editor)
    assert ALL_FIELDS + "," in reindex
    schema_editor.execute(reindex.replace(ALL_FIELDS + ",", f"{ALL_FIELDS} || {SENTINEL_SQL},"))
    fields.recompute(
        schema_editor, f"UPDATE releases_searchdocument SET vector = vector || {SENTINEL_SQL}"
    )
    schema_editor.execute(
        f"""CREATE TABLE {TOTALS} (
            tagset integer NOT NULL,
            year integer NOT NULL,
            published integer NOT NULL,
            PRIMARY KEY (tagset, year)
        )"""
    )
    for event, (when, tables, rows) in POSTGRES_TRIGGERS.items():
        schema_editor.execute(postgres_totals_function(event, rows))
        schema_editor.execute(
            f"CREATE TRIGGER releases_searchtotal_{event} {when} ON releases_searchdocument"
            f" REFERENCING {tables}"
            f" FOR EACH STATEMENT EXECUTE FUNCTION releases_search_count_totals_{event}()"
        )
    schema_editor.execute(
        f"""CREATE FUNCTION releases_search_count_totals_truncate() RETURNS trigger
        LANGUAGE plpgsql AS $$ BEGIN TRUNCATE {TOTALS}; RETURN NULL; END $$"""
    )
    schema_editor.execute(
        "CREATE TRIGGER releases_searchtotal_truncate AFTER TRUNCATE ON releases_searchdocument"
        " FOR EACH STATEMENT EXECUTE FUNCTION releases_search_count_totals_truncate()"
    )
    schema_editor.execute(POSTGRES_COUNT)


def postgres_backward(schema_editor):
    for event in [*POSTGRES_TRIGGERS, "truncate"]:
        schema_editor.execute(f"DROP TRIGGER releases_searchtotal_{event} ON releases_searchdocument")
        schema_editor.execute(f"DROP FUNCTION releases_search_count_totals_{event}()")
    schema_editor.execute(f"DROP TABLE {TOTALS}")
    reindex = reindex_function(schema_editor)
    schema_editor.execute(reindex.replace(f" || {SENTINEL_SQL}", ""))
    fields.recompute(
        schema_editor,
        f"UPDATE releases_searchdocument SET vector = ts_delete(vector, {SENTINEL_TEXT})",
    )


def run(forward):
    def operation(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor == "sqlite":
            for statement in sqlite_forward() if forward else sqlite_backward():
                schema_editor.execute(statement, params=None)
        elif vendor == "postgresql":
            (postgres_forward if forward else postgres_backward)(schema_editor)

    return operation


class Migration(migrations.Migration):
    dependencies = [
        ("releases", "0016_search_words_as_sqlite"),
    ]

    operations = [migrations.RunPython(run(True), run(False))]
