"""What a search engine module offers: the members postgres.py and sqlite.py both define.

SearchResults (__init__.py) picks one module by the database's vendor and uses only
these members of it; how each engine compiles a query (its `matching`, `tsquery` or
`expression`) stays its own. The modules satisfy `Engine` structurally, as a type
checker reads a module: its functions and module-level values are the members.
tests/test_search_engine.py holds both to every member, with the same parameter names.

Functions that return `tuple[str, list]` return SQL and its parameters; `cursor` is a
Django cursor on the search's database.
"""

import datetime
from typing import Protocol

from .query import Query
from .scope import Scope


class Engine(Protocol):
    LACKING_SHARE: float
    """Share of the archive below which counting facets by subtraction pays (facets.py)."""

    GROUPED: str
    """SQL for `g` (facets.count_sql) from `{matches}`: the matches by tagset and date."""

    SIGNED: str
    """SQL for `g` from `{signed}` (facets.totals_less_lacking): its rows summed."""

    TAGSETS: str
    """SQL for `t` (facets.count_sql): one (tagset, n) row per tagset of `g`."""

    YEARS: str
    """SQL for the year facet's rows ('year', year, NULL, n) from `g`."""

    MEMBERS: str
    """SQL joining `t` to each tagset's members `s` (s.facet, s.tag_id)."""

    JOIN: str
    """The join keyword that keeps the joins in the order written."""

    YEAR: str
    """SQL for the year (an integer) of the search document `d`."""

    def page(
        self,
        cursor,
        query: Query,
        scope: Scope,
        sort: str,
        offset: int,
        limit: int,
        total: int | None,
    ) -> list[int]:
        """The ids of one page of matches in `sort` order (`total`, when known, guides the plan)."""

    def excerpts(self, cursor, query: Query, ids: list[int]) -> dict[int, tuple[str, str]]:
        """Each release's highlighted (summary, body excerpt), marked with snippets.START/STOP."""

    def vocabulary(self, cursor, first_letters: list[str]) -> dict[str, int]:
        """The words of published releases starting with these letters, with how many
        releases hold each (drafts' words are not indexed for it)."""

    def scheduled_counts(self, cursor, words: list[str], today: datetime.date) -> dict[str, int]:
        """How many releases published for a day after `today` hold each of these words
        (of the vocabulary's counts, those not yet public; words none holds are left out)."""

    def matches(self, query: Query, scope: Scope) -> tuple[str, list]:
        """SQL for (release_id, tagset, published_on) of every match."""

    def lacking(self, query: Query, scope: Scope) -> tuple[str, list]:
        """FROM and WHERE, over search documents `d`, for the releases in scope not matching."""

    def days(self, alias: str, first: datetime.date, last: datetime.date) -> tuple[str, list]:
        """A condition on search documents `alias` dated first..last."""

    def word_counts(self, words: list[str]) -> tuple[str, list]:
        """SQL for (word, releases holding it) of each of these unstemmed words."""

    def facet_rows(self, cursor, sql: str, params: list) -> list[tuple]:
        """The rows of facets.count_sql's statement, run as this engine's planner needs."""
