"""Counting a common word's facets from the releases that lack it.

A word in nearly every release matches nearly the whole archive, and counting
its matches by tagset and year visits each of them (SQLite joins and sorts
97,000 rows for `digital` at 100,000 releases: ~100 ms). The same counts are the
archive's published releases per tagset and year, which triggers keep
(releases/dbobjects/search_totals.py), less the published releases in scope that do
*not* match, and less those outside the scope's dates in its first and last
year. The releases that do not match come from the full-text index itself: every
release's indexed text holds SENTINEL, so "SENTINEL and not the query" is an
index search like any other, over a few thousand releases instead of 97,000.

This pays only when few releases lack the query (fewer than the engine's
LACKING_SHARE of the archive), which the archive's own word counts bound before
anything is read: each required group of words misses at most the releases
lacking its commonest word. Only plain words qualify (a phrase or an excluded
word has no such bound, and PostgreSQL would re-read every release to rule a
phrase out), and only within scopes the totals can express: dates, kind,
agencies and programmes, not figures.
"""

import datetime

from django.utils import timezone

from releases.dbobjects.search_totals import TOTALS

from .query import Query
from .scope import Scope


def words(query: Query, scope: Scope) -> list[str] | None:
    """The words whose document counts decide, or None when the query does not qualify."""
    if query.excluded or scope.figures or not query:
        return None
    if any(len(term.words) != 1 or term.quoted for term in query.terms):
        return None
    return sorted({term.words[0] for term in query.terms})


def frequencies(cursor, engine, words: list[str]) -> tuple[int, dict[str, int]]:
    """The archive's published releases, and how many releases hold each word."""
    lookups, params = engine.word_counts(words)
    cursor.execute(
        "SELECT NULL, published FROM releases_tally WHERE kind = 'archive' AND tag_id = 0"
        f" UNION ALL {lookups}",
        params,
    )
    rows = cursor.fetchall()
    archive = next((n for word, n in rows if word is None), 0)
    return archive, {word: n for word, n in rows if word is not None}


def worth_it(query: Query, archive: int, frequencies: dict[str, int], share: float) -> bool:
    """Whether less than `share` of the archive can lack a match, by the words' document counts.

    `share` is the engine's LACKING_SHARE: where counting the releases that lack a
    match stops paying, measured against counting the matches.
    """
    lacking = sum(
        max(archive - max(frequencies.get(term.words[0], 0) for term in group), 0)
        for group in query.groups
    )
    return lacking < share * archive


def signed_counts(engine, query: Query, scope: Scope) -> tuple[str, list]:
    """SQL for (tagset, year, n) rows, one of tagset and year NULL, that sum to the counts.

    The published releases of the scope's tagsets and years, less those outside its
    dates and those in it that do not match.
    """
    null = "CAST(NULL AS integer)"
    tagsets, tagset_params = scope.tagset_conditions("s")
    tagsets = ["s.tagset <> 0", *tagsets]
    if scope.first_day is None and scope.last_day >= timezone.localdate():
        # Every year: each tagset's row for all years, and each year's for all tagsets
        # (its tagsets' rows when some are left out). Outside: releases scheduled later.
        by_year = ["s.tagset = 0"] if len(tagsets) == 1 else tagsets
        totals = (
            f"SELECT s.tagset, {null}, s.published FROM {TOTALS} s"
            f" WHERE s.year = 0 AND {' AND '.join(tagsets)}"
            f" UNION ALL SELECT {null}, s.year, s.published FROM {TOTALS} s"
            f" WHERE s.year <> 0 AND {' AND '.join(by_year)}"
        )
        params = [*tagset_params, *(tagset_params if len(tagsets) > 1 else [])]
        days = [(scope.last_day + datetime.timedelta(days=1), datetime.date.max)]
    else:
        years = ["s.year <> 0", "s.year <= %s", *(["s.year >= %s"] if scope.first_day else [])]
        year_params = [scope.last_day.year, *([scope.first_day.year] if scope.first_day else [])]
        rows = f"FROM {TOTALS} s WHERE {' AND '.join(years + tagsets)}"
        totals = (
            f"SELECT s.tagset, {null}, s.published {rows}"
            f" UNION ALL SELECT {null}, s.year, s.published {rows}"
        )
        params = [*year_params, *tagset_params] * 2
        days = outside_days(scope)

    releases, release_params = engine.lacking(query, scope)
    lacking = [f"SELECT d.tagset, {engine.YEAR} AS year FROM {releases}"]
    if days:
        bounds = [engine.days("d", first, last) for first, last in days]
        ranges, range_params = zip(*bounds, strict=True)
        tagsets, tagset_params = scope.tagset_conditions("d")
        where = ["d.status = %s", f"({' OR '.join(ranges)})", *tagsets]
        lacking.append(
            f"SELECT d.tagset, {engine.YEAR} FROM releases_searchdocument d"
            f" WHERE {' AND '.join(where)}"
        )
        release_params = [
            *release_params,
            scope.STATUS,
            *(value for values in range_params for value in values),
            *tagset_params,
        ]
    sql = (
        f"WITH o AS MATERIALIZED ({' UNION ALL '.join(lacking)})"
        f" SELECT o.tagset AS tagset, {null} AS year, -count(*) AS n FROM o GROUP BY o.tagset"
        f" UNION ALL SELECT {null}, o.year, -count(*) FROM o GROUP BY o.year"
        f" UNION ALL {totals}"
    )
    return sql, [*release_params, *params]


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
