"""Pagination that stays fast on deep pages of a large archive."""

import hashlib
from functools import cached_property

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db.models import QuerySet

from .caching import remember


class ArchivePaginator(Paginator):
    """Counts once per data version, and reads deep pages through the index.

    `OFFSET 40000` over full rows visits every skipped row; the ids of a page
    come from an index-only scan first, then only those rows are loaded.
    """

    def __init__(
        self, object_list, per_page, *, request=None, count_key=None, counter=None, **kwargs
    ):
        """`count_key`, when given, names what `object_list` holds (for remembering its
        count) instead of its SQL: writing that SQL twice cost a filtered page 0.7 ms.
        `counter`, when given, counts the same releases a cheaper way."""
        super().__init__(object_list, per_page, **kwargs)
        self.request = request
        self.count_key = count_key
        self.counter = counter

    @cached_property
    def count(self):
        releases = self.object_list
        if not isinstance(releases, QuerySet):
            return Paginator.count.func(self)
        if self.count_key is not None:
            return remember(self.request, f"count:{self.count_key}", self.counter or releases.count)
        try:
            sql = str(releases.query)
        except EmptyResultSet:  # .none(): nothing to count
            return 0
        digest = hashlib.sha256(sql.encode("utf-8", "surrogatepass")).hexdigest()
        return remember(self.request, f"count:{digest}", releases.count)

    def page(self, number):
        releases = self.object_list
        number = self.validate_number(number)
        if not isinstance(releases, QuerySet) or number == 1:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = list(releases.prefetch_related(None).values_list("pk", flat=True)[bottom:top])
        rows = {release.pk: release for release in releases.with_ids(ids)}
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)
