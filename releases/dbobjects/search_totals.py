"""Published releases per tagset and year, kept by triggers on the search documents.

A word in nearly every release matches nearly the whole archive, and counting its
facets visits every match. Such a search is counted the other way round instead
(releases/search/facets.py): these totals less the releases that do not match.
Finding those needs something every release holds, to take the word from: SENTINEL,
a token no text can produce, rides in every release's indexed text (a private-use
character that the search form turns into a space, so no reader can type it).

Each (tagset, year), each tagset in all years (year 0) and each year in all tagsets
(tagset 0): the search reads the few rows its scope needs.
"""

from .objects import DbObject, function, table, trigger

SENTINEL = "\ue000"
TOTALS = "releases_searchtotal"
DOCUMENTS = "releases_searchdocument"
PUBLISHED = "published"  # Release.Status.PUBLISHED

TABLE = f"""CREATE TABLE {TOTALS} (
    tagset integer NOT NULL,
    year integer NOT NULL,
    published integer NOT NULL,
    PRIMARY KEY (tagset, year)
)"""

# --- SQLite ----------------------------------------------------------------------------

SQLITE_YEAR = "CAST(substr({row}.published_on, 1, 4) AS integer)"

# SQLite has no VALUES joined to a row, so the three groupings come one after the other.
SQLITE_COUNT = f"""INSERT INTO {TOTALS} (tagset, year, published)
    WITH d AS (SELECT tagset, {SQLITE_YEAR.format(row="d")} AS year FROM {DOCUMENTS} d
                WHERE d.status = '{PUBLISHED}')
    SELECT tagset, year, count(*) FROM d GROUP BY tagset, year
    UNION ALL SELECT tagset, 0, count(*) FROM d GROUP BY tagset
    UNION ALL SELECT 0, year, count(*) FROM d GROUP BY year"""


def _sqlite_change(row: str, sign: str) -> str:
    year = SQLITE_YEAR.format(row=row)
    return " ".join(
        f"INSERT INTO {TOTALS} (tagset, year, published)"
        f" SELECT {tagset}, {year_key}, {sign}1 WHERE {row}.status = '{PUBLISHED}'"
        f" ON CONFLICT (tagset, year) DO UPDATE SET published = published {sign} 1;"
        for tagset, year_key in ((f"{row}.tagset", year), (f"{row}.tagset", "0"), ("0", year))
    )


def _sqlite() -> list[DbObject]:
    def on_documents(event: str, when: str, body: str) -> DbObject:
        name = f"releases_searchtotal_{event}"
        return trigger(
            name, DOCUMENTS, f"CREATE TRIGGER {name} {when} ON {DOCUMENTS} BEGIN {body} END"
        )

    return [
        table(TOTALS, f"{TABLE} WITHOUT ROWID"),
        on_documents("insert", "AFTER INSERT", _sqlite_change("NEW", "+")),
        on_documents("delete", "AFTER DELETE", _sqlite_change("OLD", "-")),
        # The index deletes and inserts rows rather than updating them: this is for SQL
        # written by hand.
        on_documents(
            "update",
            "AFTER UPDATE OF status, published_on, tagset",
            f"{_sqlite_change('OLD', '-')} {_sqlite_change('NEW', '+')}",
        ),
    ]


# --- PostgreSQL ------------------------------------------------------------------------

# The same three keys of a row, joined to it.
KEYS = "(VALUES (d.tagset, d.year), (d.tagset, 0), (0, d.year)) AS k (tagset, year)"
POSTGRES_COUNT = (
    f"INSERT INTO {TOTALS} (tagset, year, published)"
    " SELECT k.tagset, k.year, count(*)"
    " FROM (SELECT tagset, EXTRACT(year FROM published_on)::integer AS year"
    f"       FROM {DOCUMENTS} WHERE status = '{PUBLISHED}') d"
    f" CROSS JOIN LATERAL {KEYS} GROUP BY k.tagset, k.year"
)
NEW_ROWS = "SELECT tagset, published_on, status, 1 AS sign FROM new_rows"
OLD_ROWS = "SELECT tagset, published_on, status, -1 AS sign FROM old_rows"
# event: (when, transition tables, the signed (tagset, day, status) rows it counts)
POSTGRES_EVENTS = {
    "insert": ("AFTER INSERT", "NEW TABLE AS new_rows", NEW_ROWS),
    "delete": ("AFTER DELETE", "OLD TABLE AS old_rows", OLD_ROWS),
    "update": (
        "AFTER UPDATE",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        f"{NEW_ROWS} UNION ALL {OLD_ROWS}",
    ),
}


def _postgresql() -> list[DbObject]:
    declared = [table(TOTALS, TABLE)]
    for event, (when, tables, rows) in POSTGRES_EVENTS.items():
        name = f"releases_search_count_totals_{event}"
        declared += [
            function(
                name,
                "",
                f"""CREATE OR REPLACE FUNCTION {name}() RETURNS trigger
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
    END $$""",
            ),
            trigger(
                f"releases_searchtotal_{event}",
                DOCUMENTS,
                f"CREATE TRIGGER releases_searchtotal_{event} {when} ON {DOCUMENTS}"
                f" REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
            ),
        ]
    declared += [
        function(
            "releases_search_count_totals_truncate",
            "",
            "CREATE OR REPLACE FUNCTION releases_search_count_totals_truncate() RETURNS trigger"
            f" LANGUAGE plpgsql AS $$ BEGIN TRUNCATE {TOTALS}; RETURN NULL; END $$",
        ),
        trigger(
            "releases_searchtotal_truncate",
            DOCUMENTS,
            f"CREATE TRIGGER releases_searchtotal_truncate AFTER TRUNCATE ON {DOCUMENTS}"
            " FOR EACH STATEMENT EXECUTE FUNCTION releases_search_count_totals_truncate()",
        ),
    ]
    return declared


def objects(vendor: str) -> list[DbObject]:
    return _postgresql() if vendor == "postgresql" else _sqlite()


def rebuild(cursor, vendor: str) -> str:
    """Count afresh: the triggers only ever adjust the totals."""
    cursor.execute(f"DELETE FROM {TOTALS}")
    cursor.execute(POSTGRES_COUNT if vendor == "postgresql" else SQLITE_COUNT)
    return f"{cursor.rowcount:,} totals counted"
