"""SQLite engine: FTS5 external-content tables (declared in releases/dbobjects/search_sqlite.py).

Raw FTS5 MATCH raises on `"unclosed`, `-`, `(`, `AND` and the empty string,
so reader input never reaches it as syntax: every term becomes a quoted
FTS5 string (which FTS5 tokenises and stems like the documents) and only
this module writes the operators between them.

The index's rowid is (Julian day of publication << 32) | release id, so
FTS5 yields matches newest first, and date limits are rowid ranges.

The members of engine.Engine are what the rest of the search uses of this module.
"""

import datetime

from releases.dbobjects.search_totals import SENTINEL

from .query import Query, Term
from .scope import Scope
from .snippets import ELLIPSIS, START, STOP

JULIAN_DAY_OF_ORDINAL_ZERO = 1_721_424
FROM_INDEX = (
    "releases_searchindex CROSS JOIN releases_searchdocument d"
    " ON d.doc_key = releases_searchindex.rowid"
)
TIERS = ((3, "{title}"), (2, "{title summary tags}"), (1, None))


def doc_key(day: datetime.date) -> int:
    return (day.toordinal() + JULIAN_DAY_OF_ORDINAL_ZERO) << 32


def quoted(text: str) -> str:
    """Text as an FTS5 string: matched as words, never read as query syntax."""
    return '"' + text.replace('"', '""') + '"'


def string(term: Term) -> str:
    return quoted(term.text)


def expression(query: Query, *, positive_only: bool = False) -> str:
    sql = " AND ".join("(" + " OR ".join(map(string, group)) + ")" for group in query.groups)
    if query.excluded and not positive_only:
        sql = f"({sql}) NOT ({' OR '.join(map(string, query.excluded))})"
    return sql


def matching(match: str, scope: Scope) -> tuple[str, list]:
    conditions, params = scope.conditions()
    low = doc_key(scope.first_day) if scope.first_day else 0
    high = doc_key(scope.last_day) | 0xFFFFFFFF
    where = " AND ".join(
        [
            "releases_searchindex MATCH %s",
            "releases_searchindex.rowid BETWEEN %s AND %s",
            *conditions,
        ]
    )
    return where, [match, low, high, *params]


def page(
    cursor, query: Query, scope: Scope, sort: str, offset: int, limit: int, total: int | None
) -> list[int]:
    full = expression(query)
    if sort in {"newest", "oldest"}:
        where, params = matching(full, scope)
        order = "DESC" if sort == "newest" else "ASC"
        cursor.execute(
            f"SELECT d.release_id FROM {FROM_INDEX} WHERE {where}"
            f" ORDER BY releases_searchindex.rowid {order} LIMIT %s OFFSET %s",
            [*params, limit, offset],
        )
        return [row[0] for row in cursor.fetchall()]
    # Rank a bounded set: each tier's newest offset+limit matches decide this page.
    positive = expression(query, positive_only=True)
    branches, branch_params = [], []
    for tier, columns in TIERS:
        match = f"({columns} : ({positive})) AND ({full})" if columns else full
        where, params = matching(match, scope)
        branches.append(
            f"SELECT * FROM (SELECT d.release_id, d.doc_key, {tier} AS tier FROM {FROM_INDEX}"
            f" WHERE {where} ORDER BY releases_searchindex.rowid DESC LIMIT %s)"
        )
        branch_params += [*params, offset + limit]
    cursor.execute(
        f"SELECT release_id FROM ({' UNION ALL '.join(branches)})"
        " GROUP BY release_id ORDER BY max(tier) DESC, max(doc_key) DESC LIMIT %s OFFSET %s",
        [*branch_params, limit, offset],
    )
    return [row[0] for row in cursor.fetchall()]


def facet_rows(cursor, sql: str, params: list) -> list[tuple]:
    cursor.execute(sql, params)
    return cursor.fetchall()


def matches(query: Query, scope: Scope) -> tuple[str, list]:
    """SQL for (release_id, tagset, published_on) of every match, for counting facets."""
    where, params = matching(expression(query), scope)
    return f"SELECT d.release_id, d.tagset, d.published_on FROM {FROM_INDEX} WHERE {where}", params


# No GROUPING SETS: count the matches by tagset and year together (one sort of the
# matches), then sum those rows by tagset for `t` and by year for the year facet.
GROUPED = (
    "SELECT m.tagset, substr(m.published_on, 1, 4) AS year, count(*) AS n FROM ({matches}) m"
    " GROUP BY m.tagset, substr(m.published_on, 1, 4)"
)
TAGSETS = "SELECT g.tagset, sum(g.n) AS n FROM g WHERE g.tagset IS NOT NULL GROUP BY g.tagset"
YEARS = "SELECT 'year', g.year, NULL, sum(g.n) FROM g WHERE g.year IS NOT NULL GROUP BY g.year"
MEMBERS = "CROSS JOIN releases_searchtagsetmember s ON s.tagset_id = t.tagset"
JOIN = "CROSS JOIN"  # SQLite keeps the written order for CROSS JOIN


# Finding a release that lacks a word costs what finding a match does, so counting
# by subtraction pays while the releases lacking a match are fewer than the matches
# (measured in docs/benchmarks.md, Search).
LACKING_SHARE = 0.5

# Counting by subtraction (facets.totals_less_lacking): its signed rows, each for a
# tagset or for a year (the other NULL), summed. TAGSETS and YEARS read either.
YEAR = "CAST(substr(d.published_on, 1, 4) AS integer)"
SIGNED = (
    "SELECT x.tagset, x.year, sum(x.n) AS n FROM ({signed}) x"
    " GROUP BY x.tagset, x.year HAVING sum(x.n) > 0"
)


def days(alias: str, first: datetime.date, last: datetime.date) -> tuple[str, list]:
    return f"{alias}.doc_key BETWEEN %s AND %s", [doc_key(first), doc_key(last) | 0xFFFFFFFF]


def lacking(query: Query, scope: Scope) -> tuple[str, list]:
    """FROM and WHERE for the releases in scope that do not match."""
    where, params = matching(f'"{SENTINEL}" NOT ({expression(query)})', scope)
    return f"{FROM_INDEX} WHERE {where}", params


def word_counts(words: list[str]) -> tuple[str, list]:
    """SQL for (word, releases holding it) of each of these unstemmed words."""
    sql = " UNION ALL ".join(
        "SELECT term, doc FROM releases_searchvocabulary WHERE term = %s" for _ in words
    )
    return sql, list(words)


def excerpts(cursor, query: Query, ids: list[int]) -> dict[int, tuple[str, str]]:
    """Highlighted summary and body excerpts, only for the releases on the page."""
    placeholders = ", ".join(["%s"] * len(ids))
    cursor.execute(
        # The whole summary (it is short), and the best passage of the body.
        "SELECT d.release_id, highlight(releases_searchindex, 1, %s, %s),"
        " snippet(releases_searchindex, 3, %s, %s, %s, 28)"
        f" FROM {FROM_INDEX} WHERE releases_searchindex MATCH %s"
        " AND releases_searchindex.rowid IN"
        f" (SELECT doc_key FROM releases_searchdocument WHERE release_id IN ({placeholders}))",
        [START, STOP, START, STOP, ELLIPSIS, expression(query, positive_only=True), *ids],
    )
    return {row[0]: (row[1], row[2]) for row in cursor.fetchall()}


def vocabulary(cursor, first_letters: list[str]) -> dict[str, int]:
    ranges = " UNION ALL ".join(
        "SELECT term, doc FROM releases_searchvocabulary WHERE term >= %s AND term < %s"
        for _ in first_letters
    )
    cursor.execute(
        ranges, [bound for letter in first_letters for bound in (letter, letter + chr(0x10FFFF))]
    )
    return dict(cursor.fetchall())


# SQLite allows 500 SELECTs in one compound statement.
LOOKUPS_PER_STATEMENT = 400


def scheduled_counts(cursor, words: list[str], today: datetime.date) -> dict[str, int]:
    # The spelling index's rowid is the document's key: past today's, not yet due.
    after = doc_key(today) | 0xFFFFFFFF
    counts = {}
    for start in range(0, len(words), LOOKUPS_PER_STATEMENT):
        batch = words[start : start + LOOKUPS_PER_STATEMENT]
        cursor.execute(
            " UNION ALL ".join(
                "SELECT %s, (SELECT count(*) FROM releases_searchspelling"
                " WHERE releases_searchspelling MATCH %s AND rowid > %s)"
                for _ in batch
            ),
            [value for word in batch for value in (word, quoted(word), after)],
        )
        counts.update((word, n) for word, n in cursor.fetchall() if n)
    return counts
