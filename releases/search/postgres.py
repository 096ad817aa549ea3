"""PostgreSQL engine: stored tsvectors under GIN indexes (releases/dbobjects/search_postgres.py).

Every term the reader typed reaches PostgreSQL as a bound parameter of
phraseto_tsquery(), which parses and stems it exactly as the documents were;
the tsquery operators (&&, ||, !!) combine them. No reader text is ever
parsed as tsquery syntax, so no input can raise.

The members of engine.Engine are what the rest of the search uses of this module.
"""

import datetime

from django.db import transaction

from releases.dbobjects.search_totals import SENTINEL

from .query import Query
from .scope import Scope
from .snippets import START, STOP

CONFIG = "releases_english"
MARKS = f'StartSel="{START}", StopSel="{STOP}"'
# The whole summary (it is short), and up to two passages of the body.
SUMMARY_HEADLINE = f"{MARKS}, HighlightAll=true"
BODY_HEADLINE = (
    f'{MARKS}, MaxWords=32, MinWords=12, ShortWord=2, MaxFragments=2, FragmentDelimiter=" … "'
)

# Title, then title + summary + tags, then anywhere: the relevance tiers.
TIERS = ((3, "title_vector"), (2, "head_vector"), (1, None))


def tsquery(query: Query, *, positive_only: bool = False) -> tuple[str, list]:
    params: list = []

    def term(t):
        params.append(t.text)
        return f"phraseto_tsquery('{CONFIG}', %s)"

    sql = " && ".join("(" + " || ".join(term(t) for t in group) + ")" for group in query.groups)
    if query.excluded and not positive_only:
        sql = f"({sql}) && !!({' || '.join(term(t) for t in query.excluded)})"
    return sql, params


def vector(query: Query) -> str:
    """The whole-release vector, as the expression under the index that suits the query.

    A phrase (or a word the parser splits, such as "covid-19") is answered by the index
    that keeps word positions; plain words by GIN (releases/dbobjects/search_postgres.py).
    """
    if any(len(term.words) > 1 for term in (*query.terms, *query.excluded)):
        return "releases_search_positions(d.vector)"
    return "d.vector"


def matching(query: Query, scope: Scope) -> tuple[str, list]:
    q_sql, q_params = tsquery(query)
    conditions, params = scope.conditions()
    return " AND ".join([f"{vector(query)} @@ ({q_sql})", *conditions]), q_params + params


# Up to this many matches, rank them all (GIN, then sort: the cost grows with the
# matches); above, walk the date index, which finds a page after reading about
# 20 × (releases ÷ matches) rows per relevance tier, so the fewer the matches the longer
# the walk. The two cross near here (docs/benchmarks.md).
FEW = 2_000


def page(
    cursor, query: Query, scope: Scope, sort: str, offset: int, limit: int, total: int | None
) -> list[int]:
    where, params = matching(query, scope)
    few = total is not None and total <= FEW
    if few:
        # A phrase's matches are estimated from its words alone; trusting that, the
        # planner would walk the date index past every release to find a rare phrase.
        return ranked_few(cursor, query, where, params, sort, offset, limit)
    if sort in {"newest", "oldest"}:
        order = "DESC" if sort == "newest" else "ASC"
        cursor.execute(
            f"SELECT d.release_id FROM releases_searchdocument d WHERE {where}"
            f" ORDER BY d.published_on {order}, d.release_id {order} LIMIT %s OFFSET %s",
            [*params, limit, offset],
        )
        return [row[0] for row in cursor.fetchall()]
    # Rank a bounded set: each tier's newest offset+limit matches are enough to
    # decide this page, and each comes straight off an index.
    pos_sql, pos_params = tsquery(query, positive_only=True)
    # A match in the title (or head) is a match in the whole vector, each field keeping
    # its positions there: unless a word is excluded, those tiers need not read the
    # (large, out-of-line) whole vector of every release they walk past.
    scope_sql, scope_params = scope.conditions()
    branches, branch_params = [], []
    for tier, column in TIERS:
        if column:
            rest, rest_params = (
                (where, params) if query.excluded else (" AND ".join(scope_sql), scope_params)
            )
            condition = f"d.{column} @@ ({pos_sql}) AND {rest}"
            condition_params = [*pos_params, *rest_params]
        else:
            condition, condition_params = where, params
        branches.append(
            f"(SELECT d.release_id, {tier} AS tier, d.published_on"
            f" FROM releases_searchdocument d WHERE {condition}"
            " ORDER BY d.published_on DESC, d.release_id DESC LIMIT %s)"
        )
        branch_params += [*condition_params, offset + limit]
    cursor.execute(
        f"SELECT release_id FROM ({' UNION ALL '.join(branches)}) candidates"
        " GROUP BY release_id"
        " ORDER BY max(tier) DESC, max(published_on) DESC, release_id DESC LIMIT %s OFFSET %s",
        [*branch_params, limit, offset],
    )
    return [row[0] for row in cursor.fetchall()]


def ranked_few(cursor, query, where, params, sort, offset, limit) -> list[int]:
    pos_sql, pos_params = tsquery(query, positive_only=True)
    order = {
        "newest": "d.published_on + 0 DESC, d.release_id DESC",
        "oldest": "d.published_on + 0, d.release_id",
    }.get(sort)
    if order is None:
        order = (
            f"CASE WHEN d.title_vector @@ ({pos_sql}) THEN 3"
            f" WHEN d.head_vector @@ ({pos_sql}) THEN 2 ELSE 1 END DESC,"
            " d.published_on + 0 DESC, d.release_id DESC"
        )
        params = [*params, *pos_params, *pos_params]
    cursor.execute(
        f"SELECT d.release_id FROM releases_searchdocument d WHERE {where}"
        f" ORDER BY {order} LIMIT %s OFFSET %s",
        [*params, limit, offset],
    )
    return [row[0] for row in cursor.fetchall()]


def facet_rows(cursor, sql: str, params: list) -> list[tuple]:
    # The planner prices `@@` as nearly free, so for a common word it would rather
    # read and test every document than take the GIN index's bitmap, which is far faster.
    with transaction.atomic(using=cursor.db.alias):
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(sql, params)
        return cursor.fetchall()


def matches(query: Query, scope: Scope) -> tuple[str, list]:
    """SQL for (release_id, tagset, published_on) of every match, for counting facets."""
    where, params = matching(query, scope)
    columns = "d.release_id, d.tagset, d.published_on"
    return f"SELECT {columns} FROM releases_searchdocument d WHERE {where}", params


# Count the matches by tagset and by day in one pass (GROUPING SETS: a row of `g`
# holds either a tagset or a day, the other NULL), then add the ~10,000 days up into
# years: grouping by the date itself is cheaper than working out each match's year
# (EXTRACT returns numeric). `t` is the tagset rows as they are, not grouped again.
GROUPED = (
    "SELECT m.tagset, m.published_on AS day, count(*) AS n FROM ({matches}) m"
    " GROUP BY GROUPING SETS ((m.tagset), (m.published_on))"
)
TAGSETS = "SELECT g.tagset, g.n FROM g WHERE g.tagset IS NOT NULL"
YEARS = (
    "SELECT 'year', EXTRACT(year FROM g.day)::integer::text, NULL, sum(g.n) FROM g"
    " WHERE g.day IS NOT NULL GROUP BY 2"
)
# Each tagset's members through the primary key, one probe per tagset (OFFSET 0 keeps
# the subquery, and so the probe, as written). The planner cannot know how many
# tagsets `t` holds, as it cannot know how many releases a phrase finds: left to
# choose, it hashed all ~25,000 members even for a phrase in 150 releases, while for
# a word in 97% of releases (7,700 tagsets) the probes cost what a hash join does.
MEMBERS = (
    "CROSS JOIN LATERAL (SELECT s.facet, s.tag_id FROM releases_searchtagsetmember s"
    " WHERE s.tagset_id = t.tagset OFFSET 0) s"
)
JOIN = "JOIN"


# GIN finds the releases lacking a word by walking the mark's list of every release,
# so counting by subtraction pays only when far fewer lack a match than hold one
# (measured in docs/benchmarks.md, Search).
LACKING_SHARE = 0.3

# Counting by subtraction (facets.totals_less_lacking): its signed rows, each for a
# tagset or for a year (the other NULL), summed into GROUPED's shape (a year stands as
# its first day).
YEAR = "EXTRACT(year FROM d.published_on)::integer"
SIGNED = (
    "SELECT x.tagset, make_date(x.year, 1, 1) AS day, sum(x.n) AS n FROM ({signed}) x"
    " GROUP BY x.tagset, x.year HAVING sum(x.n) > 0"
)


def days(alias: str, first: datetime.date, last: datetime.date) -> tuple[str, list]:
    return f"{alias}.published_on BETWEEN %s AND %s", [first, last]


def lacking(query: Query, scope: Scope) -> tuple[str, list]:
    """FROM and WHERE for the releases in scope that do not match."""
    q_sql, q_params = tsquery(query)
    conditions, params = scope.conditions()
    where = " AND ".join([f"d.vector @@ (%s::tsquery && !!({q_sql}))", *conditions])
    return f"releases_searchdocument d WHERE {where}", [f"'{SENTINEL}'", *q_params, *params]


def word_counts(words: list[str]) -> tuple[str, list]:
    """SQL for (word, releases holding it) of each of these unstemmed words."""
    return "SELECT word, documents FROM releases_searchword WHERE word = ANY(%s)", [list(words)]


def excerpts(cursor, query: Query, ids: list[int]) -> dict[int, tuple[str, str]]:
    """Highlighted summary and body excerpts, only for the releases on the page."""
    q_sql, q_params = tsquery(query, positive_only=True)
    cursor.execute(
        f"SELECT r.id, ts_headline('{CONFIG}', r.summary, ({q_sql}), %s),"
        f" ts_headline('{CONFIG}', r.body, ({q_sql}), %s)"
        " FROM releases_release r WHERE r.id = ANY(%s)",
        [*q_params, SUMMARY_HEADLINE, *q_params, BODY_HEADLINE, ids],
    )
    return {row[0]: (row[1], row[2]) for row in cursor.fetchall()}


def vocabulary(cursor, first_letters: list[str]) -> dict[str, int]:
    ranges = " OR ".join("(word >= %s AND word < %s)" for _ in first_letters)
    cursor.execute(
        f"SELECT word, documents FROM releases_searchword WHERE documents > 0 AND ({ranges})",
        [bound for letter in first_letters for bound in (letter, letter + chr(0x10FFFF))],
    )
    return dict(cursor.fetchall())


def scheduled_counts(cursor, words: list[str], today: datetime.date) -> dict[str, int]:
    # Off the index of published documents by date: the releases not yet due are few.
    cursor.execute(
        "SELECT word, count(*) FROM releases_searchdocument d,"
        " unnest(tsvector_to_array(d.words)) AS word"
        " WHERE d.status = 'published' AND d.published_on > %s AND word = ANY(%s)"
        " GROUP BY word",
        [today, list(words)],
    )
    return dict(cursor.fetchall())
