"""Full-text search index, kept exact by database triggers on both engines.

Triggers (not save() or signals) keep the index right however data arrives:
admin saves, tag changes, deletes, loaddata, bulk_create, QuerySet.update().

PostgreSQL: releases_searchdocument holds one row per release with stored
tsvectors (title; title + summary + tags; everything) under GIN indexes,
stemmed by the original Porter algorithm as SQLite's FTS5 porter tokenizer is, and
releases_searchword counts the unstemmed words for "did you mean".
Statement-level triggers with transition tables re-index each touched
release once per statement, so bulk loads stay fast.

SQLite: releases_searchdocument holds one row per release keyed by
doc_key = (Julian day of published_on << 32) | id, so FTS5 returns matches
newest first without sorting; releases_searchindex (FTS5, porter stemming,
diacritics folded) and releases_searchspelling (FTS5, unstemmed, for the
vocabulary) are external-content tables over a view of that row and its
release. Row triggers feed both.
"""

from django.db import migrations

# --- SQLite ------------------------------------------------------------------------

SQLITE_TAGS = """trim(
    coalesce((SELECT group_concat(a.name || ' ' || a.acronym, ' ') FROM releases_taggedagency t
              JOIN releases_agency a ON a.id = t.tag_id WHERE t.content_object_id = r.id), '')
    || ' ' || coalesce((SELECT group_concat(p.name, ' ') FROM releases_taggedprogramme t
              JOIN releases_programme p ON p.id = t.tag_id WHERE t.content_object_id = r.id), '')
    || ' ' || coalesce((SELECT group_concat(f.name, ' ') FROM releases_taggedfigure t
              JOIN releases_figure f ON f.id = t.tag_id WHERE t.content_object_id = r.id), ''))"""

# A release's kind and its agency and programme ids: what its facet values are.
SQLITE_SIGNATURE = """r.kind
    || '|' || coalesce((SELECT group_concat(tag_id) FROM (SELECT tag_id FROM releases_taggedagency
              WHERE content_object_id = r.id ORDER BY tag_id)), '')
    || '|' || coalesce((SELECT group_concat(tag_id) FROM (SELECT tag_id FROM releases_taggedprogramme
              WHERE content_object_id = r.id ORDER BY tag_id)), '')"""

FTS_TABLES = ("releases_searchindex", "releases_searchspelling")


def sqlite_index(ids):
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
    statements += [
        "INSERT INTO releases_searchdocument"
        " (doc_key, release_id, status, kind, published_on, tagset, tags)"
        " SELECT s.doc_key, s.release_id, s.status, s.kind, s.published_on, ts.id, s.tags"
        " FROM releases_searchsource s JOIN releases_searchtagset ts ON ts.signature = s.signature"
        f" WHERE s.release_id IN ({ids});",
    ]
    for table in FTS_TABLES:
        statements.append(
            f"INSERT INTO {table} (rowid, title, summary, tags, body)"
            " SELECT doc_key, title, summary, tags, body FROM releases_searchcontent"
            " WHERE doc_key IN (SELECT doc_key FROM releases_searchdocument"
            f" WHERE release_id IN ({ids}));"
        )
    return statements


def sqlite_unindex_current(ids):
    """Remove releases from the index using their stored text (their text has not changed)."""
    statements = [
        f"INSERT INTO {table} ({table}, rowid, title, summary, tags, body)"
        " SELECT 'delete', doc_key, title, summary, tags, body FROM releases_searchcontent"
        " WHERE doc_key IN (SELECT doc_key FROM releases_searchdocument"
        f" WHERE release_id IN ({ids}));"
        for table in FTS_TABLES
    ]
    statements.append(f"DELETE FROM releases_searchdocument WHERE release_id IN ({ids});")
    return statements


def sqlite_unindex_old():
    """Remove a release from the index using OLD (its row already holds the new text)."""
    statements = [
        f"INSERT INTO {table} ({table}, rowid, title, summary, tags, body)"
        " SELECT 'delete', doc_key, OLD.title, OLD.summary, tags, OLD.body"
        " FROM releases_searchdocument WHERE release_id = OLD.id;"
        for table in FTS_TABLES
    ]
    statements.append("DELETE FROM releases_searchdocument WHERE release_id = OLD.id;")
    return statements


def sqlite_reindex(ids):
    return sqlite_unindex_current(ids) + sqlite_index(ids)


def sqlite_trigger(name, event, statements):
    body = "\n".join(statements)
    return f"CREATE TRIGGER {name} {event} BEGIN\n{body}\nEND"


SQLITE_TAG_TABLES = {
    "releases_taggedagency": ("releases_agency", "name, acronym"),
    "releases_taggedprogramme": ("releases_programme", "name"),
    "releases_taggedfigure": ("releases_figure", "name"),
}

SQLITE_FORWARD = [
    """CREATE TABLE releases_searchtagset (
        id integer PRIMARY KEY AUTOINCREMENT,
        kind varchar(20) NOT NULL,
        signature text NOT NULL UNIQUE
    )""",
    """CREATE TABLE releases_searchtagsetmember (
        tagset_id integer NOT NULL,
        facet varchar(10) NOT NULL,
        tag_id integer NOT NULL,
        PRIMARY KEY (tagset_id, facet, tag_id)
    ) WITHOUT ROWID""",
    """CREATE TABLE releases_searchdocument (
        doc_key integer PRIMARY KEY,
        release_id integer NOT NULL UNIQUE,
        status varchar(10) NOT NULL,
        kind varchar(20) NOT NULL,
        published_on date NOT NULL,
        tagset integer NOT NULL,
        tags text NOT NULL
    )""",
    f"""CREATE VIEW releases_searchsource AS
        SELECT ((CAST(julianday(r.published_on) AS integer) << 32) | r.id) AS doc_key,
               r.id AS release_id, r.status AS status, r.kind AS kind,
               r.published_on AS published_on, {SQLITE_TAGS} AS tags,
               {SQLITE_SIGNATURE} AS signature
        FROM releases_release r""",
    """CREATE VIEW releases_searchcontent AS
        SELECT d.doc_key AS doc_key, r.title AS title, r.summary AS summary, d.tags AS tags,
               r.body AS body
        FROM releases_searchdocument d JOIN releases_release r ON r.id = d.release_id""",
    """CREATE VIRTUAL TABLE releases_searchindex USING fts5(
        title, summary, tags, body, content='releases_searchcontent', content_rowid='doc_key',
        tokenize='porter unicode61 remove_diacritics 2')""",
    """CREATE VIRTUAL TABLE releases_searchspelling USING fts5(
        title, summary, tags, body, content='releases_searchcontent', content_rowid='doc_key',
        tokenize='unicode61 remove_diacritics 2', detail='none')""",
    "CREATE VIRTUAL TABLE releases_searchvocabulary USING fts5vocab(releases_searchspelling, 'row')",
    sqlite_trigger(
        "releases_search_release_insert",
        "AFTER INSERT ON releases_release",
        sqlite_index("SELECT NEW.id"),
    ),
    sqlite_trigger(
        "releases_search_release_update",
        "AFTER UPDATE OF title, summary, body, published_on, kind, status ON releases_release",
        sqlite_unindex_old() + sqlite_index("SELECT NEW.id"),
    ),
    sqlite_trigger(
        "releases_search_release_delete", "AFTER DELETE ON releases_release", sqlite_unindex_old()
    ),
]
for through, (tag_table, columns) in SQLITE_TAG_TABLES.items():
    SQLITE_FORWARD += [
        sqlite_trigger(
            f"{through}_search_insert",
            f"AFTER INSERT ON {through}",
            sqlite_reindex("SELECT NEW.content_object_id"),
        ),
        sqlite_trigger(
            f"{through}_search_delete",
            f"AFTER DELETE ON {through}",
            sqlite_reindex("SELECT OLD.content_object_id"),
        ),
        sqlite_trigger(
            f"{through}_search_update",
            f"AFTER UPDATE OF content_object_id, tag_id ON {through}",
            sqlite_reindex("SELECT OLD.content_object_id UNION SELECT NEW.content_object_id"),
        ),
        sqlite_trigger(
            f"{tag_table}_search_rename",
            f"AFTER UPDATE OF {columns} ON {tag_table}",
            sqlite_reindex(f"SELECT content_object_id FROM {through} WHERE tag_id = NEW.id"),
        ),
    ]
# Fill the index for releases that already exist.
SQLITE_FORWARD += [s.rstrip(";") for s in sqlite_index("SELECT id FROM releases_release")]

SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS releases_search_release_insert",
    "DROP TRIGGER IF EXISTS releases_search_release_update",
    "DROP TRIGGER IF EXISTS releases_search_release_delete",
    *(
        f"DROP TRIGGER IF EXISTS {through}_search_{event}"
        for through in SQLITE_TAG_TABLES
        for event in ("insert", "delete", "update")
    ),
    *(f"DROP TRIGGER IF EXISTS {tag}_search_rename" for tag, _ in SQLITE_TAG_TABLES.values()),
    "DROP TABLE IF EXISTS releases_searchvocabulary",
    "DROP TABLE IF EXISTS releases_searchspelling",
    "DROP TABLE IF EXISTS releases_searchindex",
    "DROP VIEW IF EXISTS releases_searchcontent",
    "DROP VIEW IF EXISTS releases_searchsource",
    "DROP TABLE IF EXISTS releases_searchdocument",
    "DROP TABLE IF EXISTS releases_searchtagsetmember",
    "DROP TABLE IF EXISTS releases_searchtagset",
]

# --- PostgreSQL --------------------------------------------------------------------

POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    # The original Porter stemmer (as SQLite FTS5's porter tokenizer uses), accents
    # folded; and the same without stemming for the spelling vocabulary.
    """CREATE TEXT SEARCH DICTIONARY releases_porter
        (TEMPLATE = snowball, Language = porter, StopWords = english)""",
    "CREATE TEXT SEARCH CONFIGURATION releases_english (COPY = english)",
    """ALTER TEXT SEARCH CONFIGURATION releases_english
        ALTER MAPPING FOR asciiword, asciihword, hword_asciipart WITH releases_porter""",
    """ALTER TEXT SEARCH CONFIGURATION releases_english
        ALTER MAPPING FOR hword, hword_part, word WITH unaccent, releases_porter""",
    "CREATE TEXT SEARCH CONFIGURATION releases_simple (COPY = simple)",
    """ALTER TEXT SEARCH CONFIGURATION releases_simple
        ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple""",
    """CREATE TABLE releases_searchtagset (
        id serial PRIMARY KEY,
        kind varchar(20) NOT NULL,
        signature text NOT NULL UNIQUE
    )""",
    """CREATE TABLE releases_searchtagsetmember (
        tagset_id integer NOT NULL,
        facet varchar(10) NOT NULL,
        tag_id bigint NOT NULL,
        PRIMARY KEY (tagset_id, facet, tag_id)
    )""",
    """CREATE TABLE releases_searchdocument (
        release_id bigint PRIMARY KEY,
        status varchar(10) NOT NULL,
        kind varchar(20) NOT NULL,
        published_on date NOT NULL,
        tagset integer NOT NULL,
        title_vector tsvector NOT NULL,
        head_vector tsvector NOT NULL,
        vector tsvector NOT NULL,
        words tsvector NOT NULL
    )""",
    "CREATE INDEX releases_searchdocument_vector ON releases_searchdocument USING gin (vector)",
    """CREATE INDEX releases_searchdocument_head ON releases_searchdocument
        USING gin (head_vector)""",
    """CREATE INDEX releases_searchdocument_title ON releases_searchdocument
        USING gin (title_vector)""",
    """CREATE INDEX releases_searchdocument_newest ON releases_searchdocument
        (published_on, release_id) WHERE status = 'published'""",
    """CREATE TABLE releases_searchword (
        word text COLLATE "C" PRIMARY KEY,
        documents integer NOT NULL
    )""",
    """CREATE FUNCTION releases_search_tags(release bigint) RETURNS text
    LANGUAGE sql STABLE AS $$
        SELECT concat_ws(' ',
            (SELECT string_agg(concat_ws(' ', a.name, nullif(a.acronym, '')), ' ')
               FROM releases_taggedagency t JOIN releases_agency a ON a.id = t.tag_id
              WHERE t.content_object_id = release),
            (SELECT string_agg(p.name, ' ')
               FROM releases_taggedprogramme t JOIN releases_programme p ON p.id = t.tag_id
              WHERE t.content_object_id = release),
            (SELECT string_agg(f.name, ' ')
               FROM releases_taggedfigure t JOIN releases_figure f ON f.id = t.tag_id
              WHERE t.content_object_id = release))
    $$""",
    # A release's kind and its agency and programme ids: what its facet values are.
    """CREATE FUNCTION releases_search_signature(release bigint, kind text) RETURNS text
    LANGUAGE sql STABLE AS $$
        SELECT concat_ws('|', kind,
            (SELECT string_agg(tag_id::text, ',' ORDER BY tag_id)
               FROM releases_taggedagency WHERE content_object_id = release),
            (SELECT string_agg(tag_id::text, ',' ORDER BY tag_id)
               FROM releases_taggedprogramme WHERE content_object_id = release))
    $$""",
    """CREATE FUNCTION releases_search_reindex(ids bigint[]) RETURNS void
    LANGUAGE sql AS $$
        DELETE FROM releases_searchdocument d
         WHERE d.release_id = ANY(ids)
           AND NOT EXISTS (SELECT 1 FROM releases_release r WHERE r.id = d.release_id);
        INSERT INTO releases_searchtagset (kind, signature)
        SELECT DISTINCT r.kind, releases_search_signature(r.id, r.kind)
          FROM releases_release r WHERE r.id = ANY(ids)
        ON CONFLICT (signature) DO NOTHING;
        INSERT INTO releases_searchtagsetmember (tagset_id, facet, tag_id)
        SELECT ts.id, m.facet, m.tag_id
          FROM releases_release r
          JOIN releases_searchtagset ts ON ts.signature = releases_search_signature(r.id, r.kind)
          CROSS JOIN LATERAL (
              SELECT 'agency' AS facet, tag_id FROM releases_taggedagency
               WHERE content_object_id = r.id
              UNION ALL
              SELECT 'programme', tag_id FROM releases_taggedprogramme
               WHERE content_object_id = r.id) m
         WHERE r.id = ANY(ids)
        ON CONFLICT DO NOTHING;
        INSERT INTO releases_searchdocument AS d (release_id, status, kind, published_on, tagset,
                                                  title_vector, head_vector, vector, words)
        SELECT r.id, r.status, r.kind, r.published_on,
               (SELECT id FROM releases_searchtagset
                 WHERE signature = releases_search_signature(r.id, r.kind)),
               to_tsvector('releases_english', r.title),
               to_tsvector('releases_english', concat_ws(' ', r.title, r.summary, t.tags)),
               to_tsvector('releases_english', concat_ws(' ', r.title, r.summary, t.tags, r.body)),
               strip(to_tsvector('releases_simple',
                                 concat_ws(' ', r.title, r.summary, t.tags, r.body)))
          FROM releases_release r CROSS JOIN LATERAL (SELECT releases_search_tags(r.id) AS tags) t
         WHERE r.id = ANY(ids)
        ON CONFLICT (release_id) DO UPDATE SET
            status = excluded.status, kind = excluded.kind, published_on = excluded.published_on,
            tagset = excluded.tagset, title_vector = excluded.title_vector, head_vector = excluded.head_vector,
            vector = excluded.vector, words = excluded.words;
    $$""",
    """CREATE FUNCTION releases_search_release_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            PERFORM releases_search_reindex(ARRAY(SELECT id FROM new_rows));
        ELSIF TG_OP = 'UPDATE' THEN
            PERFORM releases_search_reindex(ARRAY(
                SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
                 WHERE (n.title, n.summary, n.body, n.published_on, n.kind, n.status)
                       IS DISTINCT FROM (o.title, o.summary, o.body, o.published_on, o.kind, o.status)));
        ELSIF TG_OP = 'DELETE' THEN
            DELETE FROM releases_searchdocument WHERE release_id IN (SELECT id FROM old_rows);
        ELSE
            TRUNCATE releases_searchdocument, releases_searchword,
                     releases_searchtagset, releases_searchtagsetmember;
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER releases_search_release_insert AFTER INSERT ON releases_release
        REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION releases_search_release_changed()""",
    """CREATE TRIGGER releases_search_release_update AFTER UPDATE ON releases_release
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION releases_search_release_changed()""",
    """CREATE TRIGGER releases_search_release_delete AFTER DELETE ON releases_release
        REFERENCING OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION releases_search_release_changed()""",
    """CREATE TRIGGER releases_search_release_truncate AFTER TRUNCATE ON releases_release
        FOR EACH STATEMENT EXECUTE FUNCTION releases_search_release_changed()""",
    # A tag link added, removed or moved: re-index the releases on either side.
    """CREATE FUNCTION releases_search_link_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            PERFORM releases_search_reindex(ARRAY(SELECT DISTINCT content_object_id FROM new_rows));
        ELSIF TG_OP = 'DELETE' THEN
            PERFORM releases_search_reindex(ARRAY(SELECT DISTINCT content_object_id FROM old_rows));
        ELSIF TG_OP = 'UPDATE' THEN
            PERFORM releases_search_reindex(ARRAY(
                SELECT content_object_id FROM old_rows UNION SELECT content_object_id FROM new_rows));
        ELSE
            PERFORM releases_search_reindex(ARRAY(SELECT release_id FROM releases_searchdocument));
        END IF;
        RETURN NULL;
    END $$""",
    # A tag renamed: re-index every release that carries it.
    """CREATE FUNCTION releases_search_tag_renamed() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
        changed bigint[] := ARRAY(SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
                                   WHERE to_jsonb(n) IS DISTINCT FROM to_jsonb(o));
    BEGIN
        IF TG_TABLE_NAME = 'releases_agency' THEN
            PERFORM releases_search_reindex(ARRAY(SELECT content_object_id
                FROM releases_taggedagency WHERE tag_id = ANY(changed)));
        ELSIF TG_TABLE_NAME = 'releases_programme' THEN
            PERFORM releases_search_reindex(ARRAY(SELECT content_object_id
                FROM releases_taggedprogramme WHERE tag_id = ANY(changed)));
        ELSE
            PERFORM releases_search_reindex(ARRAY(SELECT content_object_id
                FROM releases_taggedfigure WHERE tag_id = ANY(changed)));
        END IF;
        RETURN NULL;
    END $$""",
]
for through, tag_table in (
    ("releases_taggedagency", "releases_agency"),
    ("releases_taggedprogramme", "releases_programme"),
    ("releases_taggedfigure", "releases_figure"),
):
    POSTGRES_FORWARD += [
        f"""CREATE TRIGGER {through}_search_insert AFTER INSERT ON {through}
            REFERENCING NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION releases_search_link_changed()""",
        f"""CREATE TRIGGER {through}_search_delete AFTER DELETE ON {through}
            REFERENCING OLD TABLE AS old_rows
            FOR EACH STATEMENT EXECUTE FUNCTION releases_search_link_changed()""",
        f"""CREATE TRIGGER {through}_search_update AFTER UPDATE ON {through}
            REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION releases_search_link_changed()""",
        f"""CREATE TRIGGER {through}_search_truncate AFTER TRUNCATE ON {through}
            FOR EACH STATEMENT EXECUTE FUNCTION releases_search_link_changed()""",
        f"""CREATE TRIGGER {tag_table}_search_rename AFTER UPDATE ON {tag_table}
            REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION releases_search_tag_renamed()""",
    ]
POSTGRES_FORWARD += [
    # Unstemmed word counts for "did you mean", kept per statement from the documents.
    """CREATE FUNCTION releases_search_count_words() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            INSERT INTO releases_searchword AS w (word, documents)
            SELECT word, count(*) FROM new_rows, unnest(tsvector_to_array(words)) AS word
             GROUP BY word
            ON CONFLICT (word) DO UPDATE SET documents = w.documents + excluded.documents;
        ELSIF TG_OP = 'DELETE' THEN
            UPDATE releases_searchword w SET documents = w.documents - c.n
              FROM (SELECT word, count(*) AS n
                      FROM old_rows, unnest(tsvector_to_array(words)) AS word GROUP BY word) c
             WHERE w.word = c.word;
        ELSE
            INSERT INTO releases_searchword AS w (word, documents)
            SELECT word, sum(delta) FROM (
                SELECT unnest(tsvector_to_array(words)) AS word, 1 AS delta FROM new_rows
                UNION ALL
                SELECT unnest(tsvector_to_array(words)), -1 FROM old_rows) c
             GROUP BY word HAVING sum(delta) <> 0
            ON CONFLICT (word) DO UPDATE SET documents = w.documents + excluded.documents;
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER releases_searchdocument_words_insert AFTER INSERT ON releases_searchdocument
        REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION releases_search_count_words()""",
    """CREATE TRIGGER releases_searchdocument_words_update AFTER UPDATE ON releases_searchdocument
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION releases_search_count_words()""",
    """CREATE TRIGGER releases_searchdocument_words_delete AFTER DELETE ON releases_searchdocument
        REFERENCING OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION releases_search_count_words()""",
    "SELECT releases_search_reindex(ARRAY(SELECT id FROM releases_release))",
]

POSTGRES_BACKWARD = [
    "DROP TABLE IF EXISTS releases_searchdocument, releases_searchword",
    "DROP TABLE IF EXISTS releases_searchtagset, releases_searchtagsetmember",
    *(
        f"DROP TRIGGER IF EXISTS {through}_search_{event} ON {through}"
        for through in (
            "releases_taggedagency",
            "releases_taggedprogramme",
            "releases_taggedfigure",
        )
        for event in ("insert", "delete", "update", "truncate")
    ),
    *(
        f"DROP TRIGGER IF EXISTS {tag}_search_rename ON {tag}"
        for tag in ("releases_agency", "releases_programme", "releases_figure")
    ),
    *(
        f"DROP TRIGGER IF EXISTS releases_search_release_{event} ON releases_release"
        for event in ("insert", "update", "delete", "truncate")
    ),
    "DROP FUNCTION IF EXISTS releases_search_release_changed()",
    "DROP FUNCTION IF EXISTS releases_search_link_changed()",
    "DROP FUNCTION IF EXISTS releases_search_tag_renamed()",
    "DROP FUNCTION IF EXISTS releases_search_count_words()",
    "DROP FUNCTION IF EXISTS releases_search_reindex(bigint[])",
    "DROP FUNCTION IF EXISTS releases_search_tags(bigint)",
    "DROP FUNCTION IF EXISTS releases_search_signature(bigint, text)",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS releases_english",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS releases_simple",
    "DROP TEXT SEARCH DICTIONARY IF EXISTS releases_porter",
]



def postgres_function(name):
    """This migration's definition of a PostgreSQL function, as CREATE OR REPLACE.

    Later migrations that redefine one put it back with this when reversed.
    """
    (statement,) = [s for s in POSTGRES_FORWARD if s.startswith(f"CREATE FUNCTION {name}(")]
    return statement.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)


STATEMENTS = {
    "sqlite": (SQLITE_FORWARD, SQLITE_BACKWARD),
    "postgresql": (POSTGRES_FORWARD, POSTGRES_BACKWARD),
}


def run(direction):
    def operation(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in STATEMENTS:
            raise NotImplementedError(f"Full-text search is not built for {vendor}.")
        for statement in STATEMENTS[vendor][direction]:
            schema_editor.execute(statement, params=None)

    return operation


class Migration(migrations.Migration):
    dependencies = [("releases", "0006_editor_group")]

    operations = [migrations.RunPython(run(0), run(1))]
