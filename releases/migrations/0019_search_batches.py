"""Index a batch of writes once, at its end (releases.search.batches.indexed_at_end).

The index triggers re-index a release on every statement that touches it, and an
import writes each release and then its agency, programme and figure links: four
re-indexings of every new release on PostgreSQL (one per statement), and on SQLite,
whose triggers run per row, one per link as well. That made an import several times
slower than the same import without the index (docs/benchmarks.md, Import).

While `releases_searchbatch` holds a row, the release and link triggers only take
the release out of the index (SQLite must do that while the indexed text is still at
hand) and note it in `releases_searchpending`; deleting the row indexes every noted
release once. The row is written and deleted inside one transaction, so no other
connection sees it: their writes are indexed at once, as before.
"""

import importlib

from django.db import migrations

search = importlib.import_module("releases.migrations.0007_search_index")

BATCH, PENDING = "releases_searchbatch", "releases_searchpending"
LINK_TABLES = tuple(search.SQLITE_TAG_TABLES)

# --- SQLite: each write trigger in two, for outside and inside a batch -------------

OUTSIDE = f"WHEN NOT EXISTS (SELECT 1 FROM {BATCH})"
INSIDE = f"WHEN EXISTS (SELECT 1 FROM {BATCH})"


def note(ids):
    return f"INSERT OR IGNORE INTO {PENDING} (release_id) {ids};"


def sqlite_write_triggers():
    """(name, event, at once, inside a batch) for each trigger a batch holds back."""
    triggers = [
        (
            "releases_search_release_insert",
            "AFTER INSERT ON releases_release",
            search.sqlite_index("SELECT NEW.id"),
            [note("SELECT NEW.id")],
        ),
        (
            "releases_search_release_update",
            "AFTER UPDATE OF title, summary, body, published_on, kind, status ON releases_release",
            search.sqlite_unindex_old() + search.sqlite_index("SELECT NEW.id"),
            [*search.sqlite_unindex_old(), note("SELECT NEW.id")],
        ),
    ]
    for through in LINK_TABLES:
        for event, ids in (
            ("insert", "SELECT NEW.content_object_id"),
            ("delete", "SELECT OLD.content_object_id"),
            ("update", "SELECT OLD.content_object_id UNION SELECT NEW.content_object_id"),
        ):
            on = f"AFTER {event.upper()} ON {through}"
            if event == "update":
                on = f"AFTER UPDATE OF content_object_id, tag_id ON {through}"
            triggers.append(
                (
                    f"{through}_search_{event}",
                    on,
                    search.sqlite_reindex(ids),
                    [*search.sqlite_unindex_current(ids), note(ids)],
                )
            )
    return triggers


def sqlite_triggers() -> dict[str, str]:
    """Name -> CREATE TRIGGER, for every trigger this migration creates (apps.py re-creates
    them if a table rebuild drops them)."""
    triggers = {}
    for name, event, at_once, later in sqlite_write_triggers():
        triggers[name] = search.sqlite_trigger(name, f"{event} {OUTSIDE}", at_once)
        triggers[f"{name}_later"] = search.sqlite_trigger(
            f"{name}_later", f"{event} {INSIDE}", later
        )
    pending = f"SELECT release_id FROM {PENDING}"
    triggers["releases_searchbatch_end"] = search.sqlite_trigger(
        "releases_searchbatch_end",
        f"AFTER DELETE ON {BATCH}",
        [*search.sqlite_reindex(pending), f"DELETE FROM {PENDING};"],
    )
    return triggers


def sqlite_forward():
    statements = [
        f"CREATE TABLE {BATCH} (id integer PRIMARY KEY CHECK (id = 1))",
        f"CREATE TABLE {PENDING} (release_id integer PRIMARY KEY)",
    ]
    statements += [f"DROP TRIGGER {name}" for name, *_ in sqlite_write_triggers()]
    return statements + list(sqlite_triggers().values())


def sqlite_backward():
    statements = ["DROP TRIGGER releases_searchbatch_end"]
    for name, event, at_once, _ in sqlite_write_triggers():
        statements += [
            f"DROP TRIGGER {name}_later",
            f"DROP TRIGGER {name}",
            search.sqlite_trigger(name, event, at_once),
        ]
    return [*statements, f"DROP TABLE {PENDING}", f"DROP TABLE {BATCH}"]


# --- PostgreSQL: the statement triggers' functions note instead of re-indexing -----

REINDEX = "PERFORM releases_search_reindex("
TOUCHED = "PERFORM releases_search_touched("
# Functions of the release and link triggers, and how many re-indexings each holds.
WRITE_FUNCTIONS = {"releases_search_release_changed": 2, "releases_search_link_changed": 1}

POSTGRES_FORWARD = [
    f"CREATE TABLE {BATCH} (id integer PRIMARY KEY CHECK (id = 1))",
    f"CREATE TABLE {PENDING} (release_id bigint NOT NULL)",
    f"""CREATE FUNCTION releases_search_touched(ids bigint[]) RETURNS void
    LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM {BATCH}) THEN
            INSERT INTO {PENDING} (release_id) SELECT unnest(ids);
        ELSE
            PERFORM releases_search_reindex(ids);
        END IF;
    END $$""",
    f"""CREATE FUNCTION releases_search_batch_end() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM releases_search_reindex(ARRAY(SELECT DISTINCT release_id FROM {PENDING}));
        DELETE FROM {PENDING};
        RETURN NULL;
    END $$""",
    f"""CREATE TRIGGER releases_searchbatch_end AFTER DELETE ON {BATCH}
    FOR EACH STATEMENT EXECUTE FUNCTION releases_search_batch_end()""",
]

POSTGRES_BACKWARD = [
    f"DROP TRIGGER releases_searchbatch_end ON {BATCH}",
    "DROP FUNCTION releases_search_batch_end()",
    "DROP FUNCTION releases_search_touched(bigint[])",
    f"DROP TABLE {PENDING}",
    f"DROP TABLE {BATCH}",
]


def rewrite_functions(schema_editor, old, new):
    with schema_editor.connection.cursor() as cursor:
        for name, count in WRITE_FUNCTIONS.items():
            cursor.execute("SELECT pg_get_functiondef(%s::regproc)", [name])
            (definition,) = cursor.fetchone()
            assert definition.count(old) == count, name
            cursor.execute(definition.replace(old, new))


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES_FORWARD:
            schema_editor.execute(statement)
        rewrite_functions(schema_editor, REINDEX, TOUCHED)
    else:
        for statement in sqlite_forward():
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        rewrite_functions(schema_editor, TOUCHED, REINDEX)
        for statement in POSTGRES_BACKWARD:
            schema_editor.execute(statement)
    else:
        for statement in sqlite_backward():
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("releases", "0018_search_phrase_positions"),
    ]

    operations = [migrations.RunPython(forward, backward)]
