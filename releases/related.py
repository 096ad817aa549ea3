"""What a release's page links to besides itself: the previous and next release, and the
releases most related to it by shared tags.

`ReleaseQuerySet.surroundings_of(release)` is the entry point; the functions here take
the queryset whose releases may be linked (published ones, for the public) as
`releases`. One statement finds everything (the related ranking and both neighbours)
and one more fetches the releases it found. The statement's SQL depends only on the
queryset's conditions and how many tags of each kind the release carries, so it is
written once per such shape (`statement`) and given the release's own values.
"""

import copy
import datetime
import itertools
from dataclasses import dataclass

from django.db import connections
from django.db.models import Q

from . import tag_lists

# Sharing a programme says more about two releases than sharing an issuing agency.
WEIGHTS = {"programmes": 3, "agencies": 1, "figures": 1}
# How many releases of each shared tag are considered (see ranking_sql).
CANDIDATES_PER_TAG = 100
# In place of a score, marks the neighbours among the ranked rows.
PREVIOUS, FOLLOWING = -1, -2

# Stand for a release's own id, date and tags' ids in the statement written once per
# shape: no other parameter of it (today, a status) can equal them.
PK_STAND_IN = -5_301_774_091
DATE_STAND_IN = datetime.date(1, 1, 2)
TAG_STAND_IN = -7_201_948_513


@dataclass
class Surroundings:
    """What a release's page links to besides itself."""

    previous: "object | None"
    following: "object | None"
    related: list


def ranking_sql(releases, release, limit):
    """SQL ranking the releases that share tags with this one, or None if it has no tags.

    Rows of (pk, published_on, relatedness): most shared (weighted) first, then
    newest. The candidates are, for each of this release's tags, the
    CANDIDATES_PER_TAG releases carrying it that are nearest in date (half before,
    half after): the cost stays bounded however common a tag is (an agency on most
    of the archive would otherwise make every page rank most of the archive), and an
    old release finds its contemporaries. Each side of a tag is a walk along its link
    table's (tag, date, release) index from this release's date, checking each release
    it meets against `releases`, so a rare tag and a common one cost the same. Each
    candidate's score counts its links to this release's tags through the links'
    unique (release, tag) index.
    """
    others = releases.prefetch_related(None).values("pk", "published_on")
    half = CANDIDATES_PER_TAG // 2
    links = releases.model.tag_links()
    arms, scores, params, score_params = [], [], [], []
    for field, weight in WEIGHTS.items():
        tag_ids = [tag.pk for tag in release.tags_of(field)]
        if not tag_ids:
            continue
        through = links[field]
        for side in nearest_carrying(others, through._meta.model_name, release):
            # Compiled once per side, then given each tag's id in the stand-in's place.
            sql, side_params = side[:half].query.sql_with_params()
            for tag_id in tag_ids:
                # Wrapped: SQLite allows no LIMIT on a bare arm of a UNION.
                arms.append(f"SELECT * FROM ({sql}) AS nearest_{len(arms)}")
                params.extend(tag_id if p == TAG_STAND_IN else p for p in side_params)
        marks = ", ".join(["%s"] * len(tag_ids))
        scores.append(
            f"{int(weight)} * (SELECT COUNT(*) FROM {through._meta.db_table} link"
            f" WHERE link.content_object_id = candidate.pk AND link.tag_id IN ({marks}))"
        )
        score_params.extend(tag_ids)
    if not arms:
        return None
    sql = (
        f"SELECT candidate.pk, candidate.published_on, {' + '.join(scores)} AS relatedness"
        f" FROM ({' UNION '.join(arms)}) candidate"
        " ORDER BY relatedness DESC, candidate.published_on DESC, candidate.pk DESC"
        " LIMIT %s"
    )
    return sql, [*score_params, *params, limit]


def nearest_carrying(releases, link: str, release) -> tuple:
    """`releases` carrying the tag TAG_STAND_IN through `link`: before this release,
    nearest first, and after it.

    Bounded, filtered and ordered on the link's own copy of the date (and its release
    id, for releases of the same day), all in one filter() so that both sides join the
    link table once: the walk is along the link's index.
    """
    date, pk, day = f"{link}__published_on", f"{link}__content_object_id", release.published_on
    tag = {f"{link}__tag": TAG_STAND_IN}
    before = releases.filter(
        Q(**{f"{date}__lt": day}) | Q(**{date: day, f"{pk}__lt": release.pk}),
        **tag,
        **{f"{date}__lte": day},
    ).order_by(f"-{date}", f"-{pk}")
    after = releases.filter(
        Q(**{f"{date}__gt": day}) | Q(**{date: day, f"{pk}__gt": release.pk}),
        **tag,
        **{f"{date}__gte": day},
    ).order_by(date, pk)
    return before, after


def ranked(releases, release, limit=5, neighbours=True) -> list[tuple[int, int]]:
    """(pk, relatedness) rows of the releases around this one, the neighbours marked
    PREVIOUS and FOLLOWING in place of a score.

    Plain numbers, so that a page can keep them until the data changes.
    """
    tags = {field: [tag.pk for tag in release.tags_of(field)] for field in WEIGHTS}
    sql, params = statement(releases, tuple(len(ids) for ids in tags.values()), limit, neighbours)
    if sql is None:
        return []
    # As compiled: SQLite's dates are text by then.
    as_date = connections[releases.db].ops.adapt_datefield_value
    values = {PK_STAND_IN: release.pk, as_date(DATE_STAND_IN): as_date(release.published_on)}
    own_tags = (pk for ids in tags.values() for pk in ids)
    values.update(zip(tag_stand_ins(), own_tags, strict=False))  # endless stand-ins
    with connections[releases.db].cursor() as cursor:
        cursor.execute(sql, [values.get(param, param) for param in params])
        return [(pk, score) for pk, score in cursor.fetchall() if pk is not None]


# Written statements by the queryset's conditions, database and tag counts: writing one
# costs as much Python as running it, on every release page's first visit.
_statements = {}


def tag_stand_ins():
    return itertools.count(TAG_STAND_IN - 1, -1)


def statement(releases, tag_counts: tuple, limit: int, neighbours: bool):
    """The statement for this shape of release, written on first use."""
    key = (
        releases.db,
        releases.query.where,
        tuple(releases.query.alias_map),
        tag_counts,
        limit,
        neighbours,
        CANDIDATES_PER_TAG,
        tuple(WEIGHTS.items()),
    )
    try:
        return _statements[key]
    except KeyError:
        pass
    except TypeError:  # a condition on something unhashable: written each time
        return write_statement(releases, tag_counts, limit, neighbours)
    if len(_statements) > 1_000:
        _statements.clear()
    written = _statements[key] = write_statement(releases, tag_counts, limit, neighbours)
    return written


def write_statement(releases, tag_counts, limit, neighbours):
    """The ranking and both neighbours as one UNION ALL, for a stand-in release."""
    links = releases.model.tag_links()
    stand_in = releases.model(pk=PK_STAND_IN, published_on=DATE_STAND_IN)
    tag_ids = tag_stand_ins()
    for field, count in zip(WEIGHTS, tag_counts, strict=True):
        model = links[field].tag_model()
        setattr(
            stand_in, tag_lists.attribute(field), [model(pk=next(tag_ids)) for _ in range(count)]
        )
    parts, params = [], []
    ranking = ranking_sql(releases, stand_in, limit)
    if ranking is not None:
        parts.append(f"SELECT pk, relatedness FROM ({ranking[0]}) ranked")
        params.extend(ranking[1])
    # Scalar subqueries: each reads one index entry next to the release.
    sides = (
        ((releases.before(stand_in), PREVIOUS), (releases.after(stand_in), FOLLOWING))
        if neighbours
        else ()
    )
    for side, role in sides:
        sql, side_params = side.prefetch_related(None).values("pk")[:1].query.sql_with_params()
        parts.append(f"SELECT ({sql}), %s")
        params.extend([*side_params, role])
    if not parts:
        return None, ()
    return " UNION ALL ".join(parts), tuple(params)


def surroundings(releases, rows) -> Surroundings:
    """The releases of `ranked()`'s rows, in one query (and the queryset's prefetches)."""
    shown = {other.pk: other for other in releases.with_ids({pk for pk, _ in rows})}
    related, roles = [], {}
    for pk, score in rows:
        if pk not in shown:
            continue  # unpublished or deleted since the ranking
        if score < 0:
            roles[score] = shown[pk]
        else:
            # A copy: the previous or next release may be related too.
            other = copy.copy(shown[pk])
            other.relatedness = score
            related.append(other)
    related.sort(key=lambda r: (r.relatedness, r.published_on, r.pk), reverse=True)
    return Surroundings(
        previous=roles.get(PREVIOUS), following=roles.get(FOLLOWING), related=related
    )
