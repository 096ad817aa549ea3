"""Agency, programme, kind and year counts over every match: the one SQL statement.

How a search's facets are counted (SearchResults._count_facets in __init__.py):

1. `g`, the matches grouped by tagset and date, comes one of two ways:
   - from the matches: the engine's `matches(query, scope)` inside its GROUPED;
   - by subtraction, when `plain_words()` and `subtraction_pays()` say it is
     faster (below): `scope_totals()`, less the releases that lack a match (the
     engine's `lacking(query, scope)`) and those on the days the totals hold but the
     scope leaves out (the engine's `days()` for each range), combined by
     `totals_less_lacking()` inside the engine's SIGNED.
2. `count_sql()` reads `g` into one row per facet value (facet, slug, name, n),
   with the engine's SQL for its dialect (TAGSETS, YEARS, MEMBERS, JOIN).
3. The engine's `facet_rows()` runs that statement; `values()` sorts its rows into
   FacetValue lists.

Nothing here calls an engine: the caller passes in the engine's SQL fragments and
what its functions returned, so each step is SQL built from plain values.

Counting by subtraction. A word in nearly every release matches nearly the whole
archive, and counting its matches by tagset and year visits each of them (97,000
for `digital` at 100,000 releases). The same counts are the archive's published
releases per tagset and year, which triggers keep (releases/dbobjects/search_totals.py),
less the published releases in scope that do *not* match, and less those outside the
scope's dates in its first and last year. The releases that do not match come from
the full-text index itself: every release's indexed text holds SENTINEL, so
"SENTINEL and not the query" is an index search like any other, over a few thousand
releases instead of 97,000.

This pays only when few releases lack the query (fewer than the engine's
LACKING_SHARE of the archive), which the archive's own word counts bound before
anything is read: each required group of words misses at most the releases lacking
its commonest word. Only plain words qualify (a phrase or an excluded word has no
such bound, and PostgreSQL would re-read every release to rule a phrase out), and
only within scopes the totals can express: dates, kind, agencies and programmes, not
figures.
"""

import datetime
from dataclasses import dataclass
from typing import NamedTuple

from django.utils import timezone

from releases.dbobjects.search_totals import TOTALS
from releases.models import Release

from .query import Query
from .scope import Scope

FACETS = ("agency", "programme", "kind", "year")
NULL = "CAST(NULL AS integer)"

# `g` holds the grouped matches (by tagset and date, or signed rows by subtraction: the
# rest reads both the same), `t` one row per tagset with its count. A tagset is a
# release's kind + agencies + programmes, precomputed per release (~7,000 of them at
# 100,000 releases), so everything after `g` reads those few thousand rows. Agency and
# programme counts come from one lookup of each tagset's members (the engine's
# MEMBERS), summed per tag (about 70 of them) before the names are joined, rather
# than a lookup per facet and a grouping by name. The joins run in the order written
# (the engine's JOIN keyword for that: SQLite guesses badly here). Tag slugs and names
# are unique, so grouping by tag id counts the same.
COUNTS = """WITH g AS MATERIALIZED (
    {grouped}
), t AS MATERIALIZED (
    {tagsets}
), tags AS MATERIALIZED (
    SELECT s.facet, s.tag_id, sum(t.n) AS n FROM t {members} GROUP BY s.facet, s.tag_id
)
SELECT 'kind', ts.kind, NULL, sum(t.n) FROM t
  {join} releases_searchtagset ts ON ts.id = t.tagset GROUP BY ts.kind
UNION ALL
{years}
UNION ALL
SELECT 'agency', a.slug, a.name, tags.n FROM tags
  {join} releases_agency a ON a.id = tags.tag_id WHERE tags.facet = 'agency'
UNION ALL
SELECT 'programme', p.slug, p.name, tags.n FROM tags
  {join} releases_programme p ON p.id = tags.tag_id WHERE tags.facet = 'programme'"""


@dataclass(frozen=True)
class FacetValue:
    """One way to narrow the results: pass `slug` back as the `facet` filter."""

    slug: str
    name: str
    count: int


def count_sql(grouped: str, *, tagsets: str, years: str, members: str, join: str) -> str:
    """The statement for every facet's rows over `g`, given the engine's SQL for each part."""
    return COUNTS.format(grouped=grouped, tagsets=tagsets, years=years, members=members, join=join)


def values(rows: list[tuple]) -> dict[str, list[FacetValue]]:
    """The rows as each facet's values, most common first; years newest first."""
    kinds = dict(Release.Kind.choices)
    facets: dict[str, list[FacetValue]] = {facet: [] for facet in FACETS}
    for facet, slug, name, count in rows:
        if facet == "kind":
            name = kinds.get(slug, slug)
        elif facet == "year":
            slug = name = str(int(slug))
        facets[facet].append(FacetValue(slug=slug, name=name, count=int(count)))
    for facet, found in facets.items():
        if facet == "year":
            found.sort(key=lambda v: v.slug, reverse=True)
        else:
            found.sort(key=lambda v: (-v.count, v.name))
    return facets


# --- Counting by subtraction -----------------------------------------------------------


def plain_words(query: Query, scope: Scope) -> list[str] | None:
    """The words whose document counts decide, or None when the query cannot be subtracted."""
    if query.excluded or scope.figures or not query:
        return None
    if any(len(term.words) != 1 or term.quoted for term in query.terms):
        return None
    return sorted({term.words[0] for term in query.terms})


def word_frequencies(cursor, word_counts: tuple[str, list]) -> tuple[int, dict[str, int]]:
    """The archive's published releases, and how many releases hold each word.

    `word_counts` is the engine's SQL for the words' counts (its `word_counts()`).
    """
    lookups, params = word_counts
    cursor.execute(
        "SELECT NULL, published FROM releases_tally WHERE kind = 'archive' AND tag_id = 0"
        f" UNION ALL {lookups}",
        params,
    )
    rows = cursor.fetchall()
    archive = next((n for word, n in rows if word is None), 0)
    return archive, {word: n for word, n in rows if word is not None}


def subtraction_pays(query: Query, archive: int, frequencies: dict[str, int], share: float) -> bool:
    """Whether less than `share` of the archive can lack a match, by the words' document counts.

    `share` is the engine's LACKING_SHARE: where counting the releases that lack a
    match stops paying, measured against counting the matches.
    """
    lacking = sum(
        max(archive - max(frequencies.get(term.words[0], 0) for term in group), 0)
        for group in query.groups
    )
    return lacking < share * archive


class Totals(NamedTuple):
    """SQL for the published releases of a scope's tagsets and years, as (tagset, year, n)."""

    sql: str
    params: list
    # The days these totals count that the scope does not: to be subtracted.
    days_left_out: list[tuple[datetime.date, datetime.date]]


def scope_totals(scope: Scope) -> Totals:
    """The kept totals covering the scope: one row per tagset and one per year."""
    tagsets, tagset_params = scope.tagset_conditions("s")
    tagsets = ["s.tagset <> 0", *tagsets]
    if scope.first_day is None and scope.last_day >= timezone.localdate():
        # Every year: each tagset's row for all years, and each year's for all tagsets
        # (its tagsets' rows when some are left out). Outside: releases scheduled later.
        by_year = ["s.tagset = 0"] if len(tagsets) == 1 else tagsets
        sql = (
            f"SELECT s.tagset, {NULL}, s.published FROM {TOTALS} s"
            f" WHERE s.year = 0 AND {' AND '.join(tagsets)}"
            f" UNION ALL SELECT {NULL}, s.year, s.published FROM {TOTALS} s"
            f" WHERE s.year <> 0 AND {' AND '.join(by_year)}"
        )
        params = [*tagset_params, *(tagset_params if len(tagsets) > 1 else [])]
        return Totals(
            sql, params, [(scope.last_day + datetime.timedelta(days=1), datetime.date.max)]
        )
    years = ["s.year <> 0", "s.year <= %s", *(["s.year >= %s"] if scope.first_day else [])]
    year_params = [scope.last_day.year, *([scope.first_day.year] if scope.first_day else [])]
    rows = f"FROM {TOTALS} s WHERE {' AND '.join(years + tagsets)}"
    sql = (
        f"SELECT s.tagset, {NULL}, s.published {rows}"
        f" UNION ALL SELECT {NULL}, s.year, s.published {rows}"
    )
    return Totals(sql, [*year_params, *tagset_params] * 2, outside_days(scope))


def outside_days(scope: Scope) -> list[tuple[datetime.date, datetime.date]]:
    """Days of the scope's first and last years that the scope leaves out."""
    days = []
    if scope.first_day and scope.first_day > datetime.date(scope.first_day.year, 1, 1):
        day_before = scope.first_day - datetime.timedelta(days=1)
        days.append((datetime.date(scope.first_day.year, 1, 1), day_before))
    if scope.last_day < datetime.date(scope.last_day.year, 12, 31):
        next_day = scope.last_day + datetime.timedelta(days=1)
        days.append((next_day, datetime.date(scope.last_day.year, 12, 31)))
    return days


def totals_less_lacking(
    scope: Scope,
    totals: Totals,
    lacking: tuple[str, list],
    outside: list[tuple[str, list]],
    *,
    year: str,
) -> tuple[str, list]:
    """SQL for (tagset, year, n) rows, one of tagset and year NULL, that sum to the counts.

    The scope's `totals` (positive), less (negative) the releases in scope that do not
    match (`lacking`: the engine's FROM and WHERE for them) and those in the totals'
    tagsets on the days left out (`outside`: the engine's condition for each range of
    `totals.days_left_out`). `year` is the engine's SQL for a search document's year.
    """
    releases, params = lacking
    subtracted = [f"SELECT d.tagset, {year} AS year FROM {releases}"]
    if outside:
        ranges, range_params = zip(*outside, strict=True)
        tagsets, tagset_params = scope.tagset_conditions("d")
        where = ["d.status = %s", f"({' OR '.join(ranges)})", *tagsets]
        subtracted.append(
            f"SELECT d.tagset, {year} FROM releases_searchdocument d WHERE {' AND '.join(where)}"
        )
        params = [
            *params,
            scope.STATUS,
            *(value for bounds in range_params for value in bounds),
            *tagset_params,
        ]
    sql = (
        f"WITH o AS MATERIALIZED ({' UNION ALL '.join(subtracted)})"
        f" SELECT o.tagset AS tagset, {NULL} AS year, -count(*) AS n FROM o GROUP BY o.tagset"
        f" UNION ALL SELECT {NULL}, o.year, -count(*) FROM o GROUP BY o.year"
        f" UNION ALL {totals.sql}"
    )
    return sql, [*params, *totals.params]
