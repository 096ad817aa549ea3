"""Every derived database object in one declared home, as its current definition per engine.

Behind the models, the database keeps data derived from the releases, by triggers, so
that it stays right however data arrives (admin, import, `update()`, `loaddata`, SQL).
Each concern is one module:

    state.py          the data version that pages and caches are keyed on
    link_dates.py     each tag link carries its release's date
    tallies.py        each tag's count of published releases
    search_sqlite.py  the full-text index on SQLite (FTS5)
    search_postgres.py  the full-text index on PostgreSQL (tsvector + GIN)
    search_totals.py  published releases per tagset and year, for search facets

Migrations hold the schema and its data; these objects are not in them. `migrate`
keeps them out of its way (apps.py connects this module to its signals):

- Before a migrate that applies any of this app's migrations, every trigger and view
  steps aside (`step_aside`): they are what Django's schema editor would otherwise
  meet (SQLite re-creates a table to alter it; PostgreSQL will not change a column's
  type under a trigger's WHEN clause).
- After every migrate (and every `flush`), `install_all` puts in place whatever is
  missing. A concern whose definition changed since it was installed (its digest,
  kept in releases_dbobjects) is dropped and created afresh; a concern that had
  anything missing is created again where needed. Either way its derived data is
  then rebuilt from the releases, as writes made meanwhile went uncounted.

`rebuild_search_index` and `recount_tags` are the repair commands: they put back any
missing object of their concern and rebuild its data (`rebuild`).
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from . import link_dates, search_postgres, search_sqlite, search_totals, state, tallies
from .objects import DbObject, existing, is_present

DIGESTS = "releases_dbobjects"
DIGESTS_TABLE = (
    f"CREATE TABLE IF NOT EXISTS {DIGESTS}"
    " (concern varchar(40) PRIMARY KEY, digest varchar(64) NOT NULL)"
)


@dataclass(frozen=True)
class Work:
    """What installing or repairing did to one concern, in words."""

    concern: str
    installed: str  # what was created ("" when all was in place)
    rebuilt: str  # what rebuilding its data found and did

    def __str__(self):
        return f"{self.concern}: {self.installed + '; ' if self.installed else ''}{self.rebuilt}"


@dataclass(frozen=True)
class Concern:
    """One kind of derived data: the objects that keep it, and how to derive it afresh."""

    name: str
    objects: list[DbObject]
    rebuild: Callable  # (cursor) -> what it did, in words
    # Concerns whose rebuild makes this one's data stale (its triggers are on their tables).
    after: tuple[str, ...] = ()

    @property
    def digest(self) -> str:
        text = "\n".join(" ".join(s.split()) for obj in self.objects for s in obj.create)
        return hashlib.sha256(text.encode()).hexdigest()


def concerns(cursor, vendor: str) -> list[Concern]:
    """Every concern for this engine, in the order they are installed."""
    if vendor not in {"sqlite", "postgresql"}:
        raise NotImplementedError(f"The archive's derived objects are not built for {vendor}.")
    if vendor == "postgresql":
        search = Concern("search", search_postgres.objects(cursor), search_postgres.rebuild)
    else:
        search = Concern("search", search_sqlite.objects(), search_sqlite.rebuild)
    return [
        Concern("state", state.objects(vendor), lambda c: state.rebuild(c, vendor)),
        Concern("link_dates", link_dates.objects(vendor), lambda c: link_dates.rebuild(c, vendor)),
        Concern("tallies", tallies.objects(vendor), lambda c: tallies.rebuild(c, vendor)),
        search,
        Concern(
            "search_totals",
            search_totals.objects(vendor),
            lambda c: search_totals.rebuild(c, vendor),
            after=("search",),
        ),
    ]


def install_all(using: str = DEFAULT_DB_ALIAS) -> list[Work]:
    """Put every derived object in place; rebuild what changed or went missing.

    Says what it did to each concern it had to work on (nothing when all was in place).
    """
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        found = existing(cursor, connection.vendor)
        if ("table", "releases_release") not in found:
            # Migrated back before the app's tables: nothing to derive from.
            _drop(cursor, connection.vendor, concerns(cursor, connection.vendor))
            cursor.execute(f"DROP TABLE IF EXISTS {DIGESTS}")
            return []
        cursor.execute(DIGESTS_TABLE)
        cursor.execute(f"SELECT concern, digest FROM {DIGESTS}")
        stored = dict(cursor.fetchall())
        state.ensure_row(cursor)
        done, reports = set(), []
        for concern in concerns(cursor, connection.vendor):
            installed = _install(
                cursor, connection.vendor, concern, found, stored.get(concern.name)
            )
            if installed is None:
                stale_after = done.intersection(concern.after)
                if not stale_after:
                    continue
                installed = f"rebuilt after {', '.join(sorted(stale_after))}"
            reports.append(Work(concern.name, installed, concern.rebuild(cursor)))
            _store_digest(cursor, concern)
            done.add(concern.name)
            # Dropping a concern's tables drops other concerns' triggers on them.
            found = existing(cursor, connection.vendor)
        if done:
            state.bump(cursor, connection.vendor)
    return reports


def _install(cursor, vendor, concern: Concern, found, digest) -> str | None:
    """Create what the concern lacks; say what was done, or None when all was in place."""
    if digest != concern.digest:
        _drop(cursor, vendor, [concern])
        _create(cursor, concern.objects)
        return "installed" if digest is None else "definition changed, installed afresh"
    missing = [obj for obj in concern.objects if not is_present(obj, found)]
    if not missing:
        return None
    # Functions are replaced too (CREATE OR REPLACE): PostgreSQL's cached plans of a
    # function keep the ids of a text search configuration dropped and made again.
    _create(cursor, [obj for obj in concern.objects if obj in missing or obj.kind == "function"])
    names = ", ".join(obj.name for obj in missing[:3]) + (", …" if len(missing) > 3 else "")
    return f"put back {len(missing)} missing object{'s' if len(missing) != 1 else ''} ({names})"


def _create(cursor, objects: list[DbObject]) -> None:
    for obj in objects:
        for statement in obj.create:
            cursor.execute(statement)


def _drop(cursor, vendor, dropped: list[Concern]) -> None:
    for concern in reversed(dropped):
        for obj in reversed(concern.objects):
            statement = obj.drop(vendor)
            if statement:
                cursor.execute(statement)


def _store_digest(cursor, concern: Concern) -> None:
    cursor.execute(f"DELETE FROM {DIGESTS} WHERE concern = %s", [concern.name])
    cursor.execute(
        f"INSERT INTO {DIGESTS} (concern, digest) VALUES (%s, %s)", [concern.name, concern.digest]
    )


def step_aside(using: str = DEFAULT_DB_ALIAS) -> int:
    """Drop every trigger and view, for Django's schema editor; `install_all` puts them back."""
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        found = existing(cursor, connection.vendor)
        if ("table", "releases_release") not in found:
            return 0
        dropped = 0
        for concern in reversed(concerns(cursor, connection.vendor)):
            for obj in reversed(concern.objects):
                if obj.is_code and is_present(obj, found):
                    cursor.execute(obj.drop(connection.vendor))
                    dropped += 1
    return dropped


def drop_all(using: str = DEFAULT_DB_ALIAS) -> None:
    """Remove every derived object and what they hold; `install_all` builds them again."""
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        _drop(cursor, connection.vendor, concerns(cursor, connection.vendor))
        cursor.execute(f"DROP TABLE IF EXISTS {DIGESTS}")


def rebuild(names: tuple[str, ...], using: str = DEFAULT_DB_ALIAS) -> list[Work]:
    """Repair: put back any missing object of these concerns and rebuild their data afresh.

    Concerns that derive from them (`Concern.after`) are rebuilt too.
    """
    connection = connections[using]
    reports = []
    with transaction.atomic(using=using), connection.cursor() as cursor:
        found = existing(cursor, connection.vendor)
        cursor.execute(DIGESTS_TABLE)
        cursor.execute(f"SELECT concern, digest FROM {DIGESTS}")
        stored = dict(cursor.fetchall())
        chosen = set(names)
        for concern in concerns(cursor, connection.vendor):
            if concern.name not in chosen and not chosen.intersection(concern.after):
                continue
            chosen.add(concern.name)
            installed = _install(
                cursor, connection.vendor, concern, found, stored.get(concern.name)
            )
            reports.append(Work(concern.name, installed or "", concern.rebuild(cursor)))
            _store_digest(cursor, concern)
            found = existing(cursor, connection.vendor)
        state.bump(cursor, connection.vendor)
    return reports


def missing(using: str = DEFAULT_DB_ALIAS) -> list[DbObject]:
    """Every declared object that the database lacks."""
    connection = connections[using]
    with connection.cursor() as cursor:
        found = existing(cursor, connection.vendor)
        return [
            obj
            for concern in concerns(cursor, connection.vendor)
            for obj in concern.objects
            if not is_present(obj, found)
        ]


def declared(using: str = DEFAULT_DB_ALIAS) -> list[DbObject]:
    """Every declared object for this database's engine, in install order."""
    connection = connections[using]
    with connection.cursor() as cursor:
        return [obj for concern in concerns(cursor, connection.vendor) for obj in concern.objects]
