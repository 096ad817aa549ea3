"""SQLite's full-text index: FTS5 tables over a view of each release, kept by row triggers.

releases_searchdocument holds one row per release keyed by doc_key =
(Julian day of published_on << 32) | id, so FTS5 returns matches newest first without
sorting, and date limits are rowid ranges. Beside it: the release's status, kind, date
and tagset (its kind, agencies and programmes: what its facet values are), so listing
filters and facets read no release rows, and its tag text as indexed.

releases_searchindex (FTS5, porter stemming, diacritics folded) and
releases_searchspelling (FTS5, unstemmed: the vocabulary for "did you mean") are
external-content tables over releases_searchcontent, a view of that row and its
release; releases_searchvocabulary lists the spelling index's words. The spelling
index holds only releases with published status, so that no draft's word is ever
offered as a correction (those published for a later day are told apart when it is
read: releases/search/sqlite.py).

Triggers (not save() or signals) keep the index right however data arrives: admin
saves, tag changes, deletes, loaddata, bulk_create, QuerySet.update(). Each write
trigger comes in two: at once, or, inside a batch of writes
(releases.search.batches.indexed_at_end: a row in releases_searchbatch), taking the
release out of the index while its old text is at hand and noting it in
releases_searchpending, to be indexed once when the batch ends.
"""

from . import search_coverage
from .objects import DbObject, table, trigger, view
from .search_totals import SENTINEL

DOCUMENTS = "releases_searchdocument"
FTS_TABLES = ("releases_searchindex", "releases_searchspelling")
BATCH, PENDING = "releases_searchbatch", "releases_searchpending"
# Each link table, and the tag table and columns its tags are indexed by.
TAG_TABLES = {
    "releases_taggedagency": ("releases_agency", "name, acronym"),
    "releases_taggedprogramme": ("releases_programme", "name"),
    "releases_taggedfigure": ("releases_figure", "name"),
}

# Which search documents each FTS table holds, as a condition on releases_searchdocument:
# the spelling index, only published ones. Taking a row out must name exactly the rows
# put in (FTS5's 'delete' subtracts whatever it is given), so both read this.
HOLDS = {"releases_searchindex": "", "releases_searchspelling": " AND status = 'published'"}

# Agencies (name and acronym), programmes and figures, then agencies' former names and
# acronyms (a renamed agency stays findable by its old name), then the sentinel.
TAGS = f"""(trim(trim(
    coalesce((SELECT group_concat(a.name || ' ' || a.acronym, ' ') FROM releases_taggedagency t
              JOIN releases_agency a ON a.id = t.tag_id WHERE t.content_object_id = r.id), '')
    || ' ' || coalesce((SELECT group_concat(p.name, ' ') FROM releases_taggedprogramme t
              JOIN releases_programme p ON p.id = t.tag_id WHERE t.content_object_id = r.id), '')
    || ' ' || coalesce((SELECT group_concat(f.name, ' ') FROM releases_taggedfigure t
              JOIN releases_figure f ON f.id = t.tag_id WHERE t.content_object_id = r.id), ''))
    || ' ' || coalesce((SELECT group_concat(al.name || ' ' || al.acronym, ' ')
              FROM releases_taggedagency t JOIN releases_agencyalias al ON al.agency_id = t.tag_id
              WHERE t.content_object_id = r.id), ''))
    || ' ' || char({ord(SENTINEL)}))"""

# A release's kind and its agency and programme ids: what its facet values are.
SIGNATURE = """r.kind
    || '|' || coalesce((SELECT group_concat(tag_id) FROM (SELECT tag_id
              FROM releases_taggedagency WHERE content_object_id = r.id ORDER BY tag_id)), '')
    || '|' || coalesce((SELECT group_concat(tag_id) FROM (SELECT tag_id
              FROM releases_taggedprogramme WHERE content_object_id = r.id ORDER BY tag_id)), '')"""


def index(ids: str) -> list[str]:
    """Statements that add the releases whose ids `ids` selects to the index."""
    statements = [
        "INSERT OR IGNORE INTO releases_searchtagset (kind, signature)"
        f" SELECT kind, signature FROM releases_searchsource WHERE release_id IN ({ids});",
    ]
    for facet, through in (
        ("agency", "releases_taggedagency"),
        ("programme", "releases_taggedprogramme"),
    ):
        statements.append(
            "INSERT OR IGNORE INTO releases_searchtagsetmember (tagset_id, facet, tag_id)"
            f" SELECT ts.id, '{facet}', t.tag_id FROM releases_searchsource s"
            " JOIN releases_searchtagset ts ON ts.signature = s.signature"
            f" JOIN {through} t ON t.content_object_id = s.release_id"
            f" WHERE s.release_id IN ({ids});"
        )
    statements.append(
        f"INSERT INTO {DOCUMENTS} (doc_key, release_id, status, kind, published_on, tagset, tags)"
        " SELECT s.doc_key, s.release_id, s.status, s.kind, s.published_on, ts.id, s.tags"
        " FROM releases_searchsource s JOIN releases_searchtagset ts ON ts.signature = s.signature"
        f" WHERE s.release_id IN ({ids});"
    )
    for fts in FTS_TABLES:
        statements.append(
            f"INSERT INTO {fts} (rowid, title, summary, tags, body)"
            " SELECT doc_key, title, summary, tags, body FROM releases_searchcontent"
            f" WHERE doc_key IN (SELECT doc_key FROM {DOCUMENTS}"
            f" WHERE release_id IN ({ids}){HOLDS[fts]});"
        )
    return statements


def unindex_current(ids: str) -> list[str]:
    """Take releases out of the index by their stored text (their text has not changed)."""
    statements = [
        f"INSERT INTO {fts} ({fts}, rowid, title, summary, tags, body)"
        " SELECT 'delete', doc_key, title, summary, tags, body FROM releases_searchcontent"
        f" WHERE doc_key IN (SELECT doc_key FROM {DOCUMENTS}"
        f" WHERE release_id IN ({ids}){HOLDS[fts]});"
        for fts in FTS_TABLES
    ]
    statements.append(f"DELETE FROM {DOCUMENTS} WHERE release_id IN ({ids});")
    return statements


def unindex_old() -> list[str]:
    """Take a release out of the index by OLD (its row already holds the new text)."""
    statements = [
        f"INSERT INTO {fts} ({fts}, rowid, title, summary, tags, body)"
        " SELECT 'delete', doc_key, OLD.title, OLD.summary, tags, OLD.body"
        f" FROM {DOCUMENTS} WHERE release_id = OLD.id{HOLDS[fts]};"
        for fts in FTS_TABLES
    ]
    statements.append(f"DELETE FROM {DOCUMENTS} WHERE release_id = OLD.id;")
    return statements


def reindex(ids: str) -> list[str]:
    return unindex_current(ids) + index(ids)


def note(ids: str) -> str:
    return f"INSERT OR IGNORE INTO {PENDING} (release_id) {ids};"


def on(name: str, table_name: str, event: str, statements: list[str]) -> DbObject:
    body = "\n".join(statements)
    return trigger(name, table_name, f"CREATE TRIGGER {name} {event} BEGIN\n{body}\nEND")


OUTSIDE_A_BATCH = f"WHEN NOT EXISTS (SELECT 1 FROM {BATCH})"
INSIDE_A_BATCH = f"WHEN EXISTS (SELECT 1 FROM {BATCH})"


def write_triggers() -> list[DbObject]:
    """Releases and links written: each trigger at once, and its `_later` inside a batch."""
    # (table, name, event, statements at once, statements inside a batch)
    writes = [
        (
            "releases_release",
            "releases_search_release_insert",
            "AFTER INSERT ON releases_release",
            index("SELECT NEW.id"),
            [note("SELECT NEW.id")],
        ),
        (
            "releases_release",
            "releases_search_release_update",
            "AFTER UPDATE OF title, summary, body, published_on, kind, status ON releases_release",
            unindex_old() + index("SELECT NEW.id"),
            [*unindex_old(), note("SELECT NEW.id")],
        ),
    ]
    for through in TAG_TABLES:
        for event, ids in (
            ("insert", "SELECT NEW.content_object_id"),
            ("delete", "SELECT OLD.content_object_id"),
            ("update", "SELECT OLD.content_object_id UNION SELECT NEW.content_object_id"),
        ):
            # A link updated without moving (its date copied in, link_dates.py) leaves
            # the index alone.
            columns = " OF content_object_id, tag_id" if event == "update" else ""
            writes.append(
                (
                    through,
                    f"{through}_search_{event}",
                    f"AFTER {event.upper()}{columns} ON {through}",
                    reindex(ids),
                    [*unindex_current(ids), note(ids)],
                )
            )
    declared = []
    for table_name, name, event, at_once, later in writes:
        declared += [
            on(name, table_name, f"{event} {OUTSIDE_A_BATCH}", at_once),
            on(f"{name}_later", table_name, f"{event} {INSIDE_A_BATCH}", later),
        ]
    return declared


def other_triggers() -> list[DbObject]:
    """Deletes, renamed tags, agencies' former names, and the end of a batch."""
    declared = [
        on(
            "releases_search_release_delete",
            "releases_release",
            "AFTER DELETE ON releases_release",
            unindex_old(),
        )
    ]
    for through, (tag_table, columns) in TAG_TABLES.items():
        declared.append(
            on(
                f"{tag_table}_search_rename",
                tag_table,
                f"AFTER UPDATE OF {columns} ON {tag_table}",
                reindex(f"SELECT content_object_id FROM {through} WHERE tag_id = NEW.id"),
            )
        )
    by_agency = "SELECT content_object_id FROM releases_taggedagency WHERE tag_id = {}.agency_id"
    for event, ids in (
        ("insert", by_agency.format("NEW")),
        ("delete", by_agency.format("OLD")),
        ("update", by_agency.format("OLD") + " UNION " + by_agency.format("NEW")),
    ):
        declared.append(
            on(
                f"releases_agencyalias_search_{event}",
                "releases_agencyalias",
                f"AFTER {event.upper()} ON releases_agencyalias",
                reindex(ids),
            )
        )
    pending = f"SELECT release_id FROM {PENDING}"
    declared.append(
        on(
            "releases_searchbatch_end",
            BATCH,
            f"AFTER DELETE ON {BATCH}",
            [*reindex(pending), f"DELETE FROM {PENDING};"],
        )
    )
    return declared


def objects() -> list[DbObject]:
    fts_columns = (
        "title, summary, tags, body, content='releases_searchcontent', content_rowid='doc_key'"
    )
    return [
        table(
            "releases_searchtagset",
            """CREATE TABLE releases_searchtagset (
    id integer PRIMARY KEY AUTOINCREMENT,
    kind varchar(20) NOT NULL,
    signature text NOT NULL UNIQUE
)""",
        ),
        table(
            "releases_searchtagsetmember",
            """CREATE TABLE releases_searchtagsetmember (
    tagset_id integer NOT NULL,
    facet varchar(10) NOT NULL,
    tag_id integer NOT NULL,
    PRIMARY KEY (tagset_id, facet, tag_id)
) WITHOUT ROWID""",
        ),
        table(
            DOCUMENTS,
            f"""CREATE TABLE {DOCUMENTS} (
    doc_key integer PRIMARY KEY,
    release_id integer NOT NULL UNIQUE,
    status varchar(10) NOT NULL,
    kind varchar(20) NOT NULL,
    published_on date NOT NULL,
    tagset integer NOT NULL,
    tags text NOT NULL
)""",
        ),
        table(BATCH, f"CREATE TABLE {BATCH} (id integer PRIMARY KEY CHECK (id = 1))"),
        table(PENDING, f"CREATE TABLE {PENDING} (release_id integer PRIMARY KEY)"),
        DbObject(
            "virtual table",
            "releases_searchindex",
            (
                f"CREATE VIRTUAL TABLE releases_searchindex USING fts5({fts_columns},"
                " tokenize='porter unicode61 remove_diacritics 2')",
            ),
        ),
        DbObject(
            "virtual table",
            "releases_searchspelling",
            (
                f"CREATE VIRTUAL TABLE releases_searchspelling USING fts5({fts_columns},"
                " tokenize='unicode61 remove_diacritics 2', detail='none')",
            ),
        ),
        DbObject(
            "virtual table",
            "releases_searchvocabulary",
            (
                "CREATE VIRTUAL TABLE releases_searchvocabulary"
                " USING fts5vocab(releases_searchspelling, 'row')",
            ),
        ),
        view(
            "releases_searchsource",
            f"""CREATE VIEW releases_searchsource AS
    SELECT ((CAST(julianday(r.published_on) AS integer) << 32) | r.id) AS doc_key,
           r.id AS release_id, r.status AS status, r.kind AS kind,
           r.published_on AS published_on, {TAGS} AS tags, {SIGNATURE} AS signature
    FROM releases_release r""",
        ),
        view(
            "releases_searchcontent",
            f"""CREATE VIEW releases_searchcontent AS
    SELECT d.doc_key AS doc_key, r.title AS title, r.summary AS summary, d.tags AS tags,
           r.body AS body
    FROM {DOCUMENTS} d JOIN releases_release r ON r.id = d.release_id""",
        ),
        *write_triggers(),
        *other_triggers(),
    ]


def rebuild(cursor) -> str:
    """Index every release afresh; say how many were missing from the index or stale in it."""
    counts = search_coverage.before_rebuild(cursor)
    for fts in FTS_TABLES:
        cursor.execute(f"INSERT INTO {fts} ({fts}) VALUES ('delete-all')")
    for derived in (PENDING, DOCUMENTS, "releases_searchtagsetmember", "releases_searchtagset"):
        cursor.execute(f"DELETE FROM {derived}")
    for statement in index("SELECT id FROM releases_release"):
        cursor.execute(statement.rstrip(";"))
    cursor.execute("INSERT INTO releases_searchindex (releases_searchindex) VALUES ('optimize')")
    return search_coverage.report(*counts)
