"""Which releases a search looks in, as SQL over the index's own columns.

The search index keeps each release's status, kind, date and tagset (its
agencies and programmes) beside its text, so the listing filters are applied
without reading the (wide) release rows; only a figure filter reads links.
This mirrors `ReleaseQuerySet.published()` and `filter_by()`; the tests hold
the two to the same answers.
"""

import datetime
from dataclasses import dataclass

from releases.models import Release

TAG_TABLES = {
    "agencies": "releases_taggedagency",
    "programmes": "releases_taggedprogramme",
    "figures": "releases_taggedfigure",
}
# A release's agencies and programmes are members of its tagset (kind + agencies +
# programmes, kept by the search triggers); figures are not.
TAGSET_FACETS = {"agencies": "agency", "programmes": "programme"}


@dataclass(frozen=True)
class Scope:
    """Published releases dated first_day..last_day with the given kind and tags (tag ids)."""

    last_day: datetime.date
    first_day: datetime.date | None = None
    kind: str = ""
    agencies: tuple[int, ...] = ()
    programmes: tuple[int, ...] = ()
    figures: tuple[int, ...] = ()

    STATUS = Release.Status.PUBLISHED

    @classmethod
    def from_filters(cls, filters: dict, today: datetime.date) -> "Scope":
        """Build from the keyword arguments `ReleaseQuerySet.filter_by` takes."""
        firsts, lasts = [filters.get("date_from")], [today, filters.get("date_to")]
        if year := filters.get("year"):
            firsts.append(datetime.date(year, 1, 1))
            lasts.append(datetime.date(year, 12, 31))
        return cls(
            first_day=max((d for d in firsts if d), default=None),
            last_day=min(d for d in lasts if d),
            kind=filters.get("kind") or "",
            **{field: tuple(tag.pk for tag in filters.get(field) or ()) for field in TAG_TABLES},
        )

    @property
    def is_empty(self) -> bool:
        return self.first_day is not None and self.first_day > self.last_day

    def conditions(self, alias: str = "d") -> tuple[list[str], list]:
        """WHERE conditions on an alias of releases_searchdocument, and their parameters."""
        sql = [f"{alias}.status = %s", f"{alias}.published_on <= %s"]
        params: list = [self.STATUS, self.last_day]
        if self.first_day:
            sql.append(f"{alias}.published_on >= %s")
            params.append(self.first_day)
        if self.kind:
            sql.append(f"{alias}.kind = %s")
            params.append(self.kind)
        tagsets, tagset_params = self.tagset_conditions(alias, kind=False)
        sql += tagsets
        params += tagset_params
        for tag_id in self.figures:
            sql.append(
                f"EXISTS (SELECT 1 FROM {TAG_TABLES['figures']} t"
                f" WHERE t.content_object_id = {alias}.release_id AND t.tag_id = %s)"
            )
            params.append(tag_id)
        return sql, params

    def tagset_conditions(self, alias: str, *, kind: bool = True) -> tuple[list[str], list]:
        """Conditions on `alias.tagset`: agencies, programmes and (when `kind`) the kind."""
        sql, params = [], []
        if kind and self.kind:
            sql.append(
                f"{alias}.tagset IN (SELECT k.id FROM releases_searchtagset k WHERE k.kind = %s)"
            )
            params.append(self.kind)
        for field, facet in TAGSET_FACETS.items():
            for tag_id in getattr(self, field):
                # The few hundred tagsets holding the tag, looked up once, rather than a
                # probe of the link table per match (docs/benchmarks.md: a word in every
                # release within one agency, on SQLite).
                sql.append(
                    f"{alias}.tagset IN (SELECT m.tagset_id FROM releases_searchtagsetmember m"
                    " WHERE m.facet = %s AND m.tag_id = %s)"
                )
                params += [facet, tag_id]
        return sql, params
