"""What a derived database object is, and how each engine creates, finds and drops one."""

from dataclasses import dataclass

# Kinds that react to writes or read other tables by name. They are what stands in the
# way of Django's schema editor (SQLite re-creates a table to alter it, and checks every
# trigger and view that names it; PostgreSQL refuses to change a column's type under a
# trigger's WHEN clause), so they step aside while migrations run.
CODE_KINDS = {"trigger", "view"}


@dataclass(frozen=True)
class DbObject:
    """One trigger, view, function, table, index, extension or text search object."""

    kind: str
    name: str
    create: tuple[str, ...]
    # The table a trigger or an index is on (PostgreSQL drops a trigger by it).
    table: str = ""
    # A PostgreSQL function's argument types, as DROP FUNCTION names them.
    arguments: str = ""

    @property
    def is_code(self) -> bool:
        return self.kind in CODE_KINDS

    def drop(self, vendor: str) -> str | None:
        if self.kind == "extension":
            return None  # shared with whatever else uses it: never dropped
        if vendor == "sqlite":
            kind = "TABLE" if self.kind == "virtual table" else self.kind.upper()
            return f"DROP {kind} IF EXISTS {self.name}"
        if self.kind == "trigger":
            return f"DROP TRIGGER IF EXISTS {self.name} ON {self.table}"
        if self.kind == "function":
            return f"DROP FUNCTION IF EXISTS {self.name}({self.arguments}) CASCADE"
        kind = {
            "dictionary": "TEXT SEARCH DICTIONARY",
            "configuration": "TEXT SEARCH CONFIGURATION",
        }.get(self.kind, self.kind.upper())
        return f"DROP {kind} IF EXISTS {self.name} CASCADE"


def table(name: str, sql: str) -> DbObject:
    return DbObject("table", name, (sql,))


def view(name: str, sql: str) -> DbObject:
    return DbObject("view", name, (sql,))


def trigger(name: str, on: str, sql: str) -> DbObject:
    return DbObject("trigger", name, (sql,), table=on)


def function(name: str, arguments: str, sql: str) -> DbObject:
    return DbObject("function", name, (sql,), arguments=arguments)


def index(name: str, on: str, sql: str) -> DbObject:
    return DbObject("index", name, (sql,), table=on)


SQLITE_CATALOG = "SELECT type, name FROM sqlite_master WHERE name LIKE 'releases%'"

# Every object of the current schema that a DbObject can be, as (kind, name).
POSTGRES_CATALOG = """
SELECT CASE c.relkind WHEN 'v' THEN 'view' WHEN 'i' THEN 'index' ELSE 'table' END, c.relname
  FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace
   AND c.relkind IN ('r', 'v', 'i', 'p')
UNION ALL
SELECT 'trigger', t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
 WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace
UNION ALL
SELECT 'function', p.proname FROM pg_proc p WHERE p.pronamespace = current_schema()::regnamespace
UNION ALL
SELECT 'dictionary', d.dictname FROM pg_ts_dict d
 WHERE d.dictnamespace = current_schema()::regnamespace
UNION ALL
SELECT 'configuration', c.cfgname FROM pg_ts_config c
 WHERE c.cfgnamespace = current_schema()::regnamespace
UNION ALL
SELECT 'extension', e.extname FROM pg_extension e
"""


def existing(cursor, vendor: str) -> set[tuple[str, str]]:
    """(kind, name) of every object in the database that a declared object could be."""
    if vendor == "sqlite":
        cursor.execute(SQLITE_CATALOG)
        found = set()
        for kind, name in cursor.fetchall():
            found.add((kind, name))
            if kind == "table":  # FTS5 tables are listed as tables
                found.add(("virtual table", name))
        return found
    cursor.execute(POSTGRES_CATALOG)
    return {(kind, name) for kind, name in cursor.fetchall()}


def is_present(obj: DbObject, found: set[tuple[str, str]]) -> bool:
    return (obj.kind, obj.name) in found
