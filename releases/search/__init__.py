"""Full-text search over published releases: the one interface to both engines.

    results = search_releases(query='"smart city" -tusstar', filters=form.filters())
    results.count()      # every match, counted in SQL
    results.facets       # agency, programme, kind and year counts over every match
    results[0:20]        # one page of Release objects, each with a .snippet (safe HTML)
    results.suggestion   # "did you mean" text when nothing matched, else None

Counting and faceting visit every match (a word in nearly every release means
every release), so a view passes `remember` (see releases.caching.remember) to
keep them until the archive's data changes.

Relevance puts releases whose title matches first, then those matching in
the summary or tags, then the rest; within each group the newest comes
first. `sort="newest"` or `"oldest"` orders by date alone. The engines
(postgres.py, sqlite.py, each an engine.Engine) answer with the same releases in
the same order; docs/search.md lists the few differences. The count and facets are one
statement, built in facets.py from the engine's SQL.
"""

from functools import cached_property

from django.db import connections, router
from django.utils import timezone

from releases.models import Release

from . import facets, postgres, snippets, spelling, sqlite
from .engine import Engine
from .facets import FacetValue
from .query import Query, parse
from .scope import Scope

ENGINES: dict[str, Engine] = {"postgresql": postgres, "sqlite": sqlite}
SORTS = ("relevance", "newest", "oldest")
# Up to this many matches, the ids of all of them are remembered in order with the
# count: the next page, or the same search again, then runs no search. Finding the
# first page costs about as much as finding them all (a phrase on PostgreSQL re-reads
# every release holding its words; the engines rank a few thousand by sorting), and
# 2,000 ids keep in about 10 kB.
REMEMBERED_IDS = 2_000


def search_releases(
    *,
    query: str,
    filters: dict | None = None,
    sort: str = "relevance",
    remember=None,
    tags: tuple[str, ...] = (),
):
    """Published releases matching `query` within the listing `filters` (`filter_by` kwargs).

    `remember(name, compute)`, when given, may return an earlier `compute()`
    stored under `name`; it is used for the count and facets. `tags` names the
    tag kinds to load with each release (`ReleaseQuerySet.with_tag_lists`; all
    by default).
    """
    return SearchResults(
        query=parse(query), filters=filters or {}, sort=sort, remember=remember, tags=tags
    )


class SearchResults:
    """A lazy sequence of matching releases; Django's Paginator can page through it."""

    def __init__(
        self,
        *,
        query: Query,
        filters: dict,
        sort: str = "relevance",
        remember=None,
        tags: tuple[str, ...] = (),
    ):
        if sort not in SORTS:
            raise ValueError(f"sort must be one of {SORTS}")
        self.query = query
        self.filters = filters
        self.sort = sort
        self.remember = remember
        self.tags = tags
        self.scope = Scope.from_filters(filters, timezone.localdate())
        self.using = router.db_for_read(Release)
        vendor = connections[self.using].vendor
        if vendor not in ENGINES:
            raise NotImplementedError(f"Search is not built for {vendor}.")
        self.engine: Engine = ENGINES[vendor]

    @property
    def searchable(self) -> bool:
        return bool(self.query) and not self.scope.is_empty

    def cursor(self):
        return connections[self.using].cursor()

    @cached_property
    def _facet_rows(self) -> list[tuple]:
        if not self.searchable:
            return []
        if self.remember is None:
            return self._count_facets()
        # The sort does not change what matches, so every sort shares one entry.
        name = f"search-facets:{self.using}:{self.query!r}:{self.scope!r}"
        return self.remember(name, self._count_facets)

    def _count_facets(self) -> list[tuple]:
        """Every facet's rows in one statement (facets.py: how it is built)."""
        engine, query, scope = self.engine, self.query, self.scope
        with self.cursor() as cursor:
            if self._counts_by_subtraction(cursor):
                totals = facets.scope_totals(scope)
                outside = [engine.days("d", first, last) for first, last in totals.days_left_out]
                signed, params = facets.totals_less_lacking(
                    scope, totals, engine.lacking(query, scope), outside, year=engine.YEAR
                )
                grouped = engine.SIGNED.format(signed=signed)
            else:
                matches, params = engine.matches(query, scope)
                grouped = engine.GROUPED.format(matches=matches)
            sql = facets.count_sql(
                grouped,
                tagsets=engine.TAGSETS,
                years=engine.YEARS,
                members=engine.MEMBERS,
                join=engine.JOIN,
            )
            return [tuple(row) for row in engine.facet_rows(cursor, sql, params)]

    def _counts_by_subtraction(self, cursor) -> bool:
        """Whether to count the facets as the archive's totals less the releases lacking a match."""
        words = facets.plain_words(self.query, self.scope)
        if words is None:
            return False
        archive, frequencies = facets.word_frequencies(cursor, self.engine.word_counts(words))
        return facets.subtraction_pays(self.query, archive, frequencies, self.engine.LACKING_SHARE)

    def count(self) -> int:
        return sum(int(n) for facet, _, _, n in self._facet_rows if facet == "kind")

    def __len__(self):
        return self.count()

    @cached_property
    def facets(self) -> dict[str, list[FacetValue]]:
        """Counts over every match (not only one page), most common first; years newest first."""
        return facets.values(self._facet_rows)

    def __getitem__(self, index):
        if isinstance(index, int):
            found = self[index : index + 1]
            if not found:
                raise IndexError(index)
            return found[0]
        if index.step not in (None, 1) or (index.start or 0) < 0 or (index.stop or 0) < 0:
            raise ValueError("Only plain, non-negative slices of search results are supported.")
        start = index.start or 0
        stop = index.stop if index.stop is not None else start + 100
        return self.releases(offset=start, limit=max(stop - start, 0))

    def __iter__(self):
        offset, size = 0, 500
        while batch := self.releases(offset=offset, limit=size):
            yield from batch
            offset += size

    def id_batches(self, size: int = 500):
        """Every matching id in order, `size` at a time (for exports)."""
        offset = 0
        while ids := self.ids(offset=offset, limit=size):
            yield ids
            offset += size

    def ids(self, *, offset: int, limit: int) -> list[int]:
        if not self.searchable or limit == 0:
            return []
        # The count, when the page already knew it, helps an engine choose its plan.
        total = self.count() if "_facet_rows" in self.__dict__ else None
        if self.remember is not None and total is not None and total <= REMEMBERED_IDS:
            return self._every_id(total)[offset : offset + limit]
        with self.cursor() as cursor:
            return self.engine.page(cursor, self.query, self.scope, self.sort, offset, limit, total)

    def _every_id(self, total: int) -> list[int]:
        """Every match's id in order, remembered like the count (for at most REMEMBERED_IDS)."""

        def read():
            with self.cursor() as cursor:
                return self.engine.page(cursor, self.query, self.scope, self.sort, 0, total, total)

        name = f"search-ids:{self.using}:{self.query!r}:{self.scope!r}:{self.sort}"
        return self.remember(name, read)

    def releases(self, *, offset: int, limit: int) -> list[Release]:
        """One page of matching releases, in order, each with `snippet` (safe HTML)."""
        ids = self.ids(offset=offset, limit=limit)
        if not ids:
            return []
        with self.cursor() as cursor:
            texts = self.engine.excerpts(cursor, self.query, ids)
        found = (
            Release.objects.using(self.using).published().for_listing().with_tag_lists(*self.tags)
        )
        by_id = {release.pk: release for release in found.with_ids(ids)}
        page = [by_id[pk] for pk in ids if pk in by_id]
        for release in page:
            release.snippet = snippets.choose(*texts.get(release.pk, (None, None)))
        return page

    def _vocabulary(self, letters: list[str]) -> dict[str, int]:
        """Published releases' words starting with these letters, with how many hold each.

        Remembered like the facets: SQLite's FTS5 counts each word's releases from
        its index on every read, and one letter starts thousands of words.
        """

        def read():
            with self.cursor() as cursor:
                return self.engine.vocabulary(cursor, letters)

        if self.remember is None:
            return read()
        return self.remember(f"search-vocabulary:{self.using}:{''.join(letters)}", read)

    def _public_counts(self, counts: dict[str, int]) -> dict[str, int]:
        """The vocabulary's `counts` less the releases not yet due: public releases only.

        The vocabulary counts every release with published status (drafts it never
        holds), as its counts are kept by triggers and a scheduled release becomes
        public at midnight without a write. Remembered like the vocabulary.
        """
        if not counts:
            return {}
        words = sorted(counts)
        today = timezone.localdate()

        def read():
            with self.cursor() as cursor:
                return self.engine.scheduled_counts(cursor, words, today)

        if self.remember is None:
            scheduled = read()
        else:
            scheduled = self.remember(f"search-scheduled:{self.using}:{' '.join(words)}", read)
        public = {word: n - scheduled.get(word, 0) for word, n in counts.items()}
        return {word: n for word, n in public.items() if n > 0}

    @cached_property
    def suggestion(self) -> str | None:
        """A corrected query that finds something, when this one finds nothing."""
        if not self.query or self.count():
            return None
        letters = spelling.prefixes(self.query)
        if not letters:
            return None
        near = spelling.candidates(self.query, self._vocabulary(letters))
        text = spelling.suggestion(self.query, self._public_counts(near))
        if not text:
            return None
        # Only offer a search that finds something within this listing's filters.
        corrected = SearchResults(query=parse(text), filters=self.filters, sort="newest")
        return text if corrected.ids(offset=0, limit=1) else None
