"""PostgreSQL's full-text index: stored tsvectors under GIN, kept by statement triggers.

releases_searchdocument holds one row per release: its status, kind, date and tagset
(its kind, agencies and programmes: what its facet values are), so listing filters
and facets read no release rows, and three stemmed vectors for the relevance tiers
(title; title + summary + tags; everything) plus the unstemmed words for "did you
mean", whose counts releases_searchword keeps. Only releases with published status have
those words, so that no draft's word is ever offered as a correction (those published
for a later day are told apart when they are read: releases/search/postgres.py). Words
are stemmed by the original Porter algorithm with accents folded and every word kept,
as SQLite's FTS5 porter tokenizer does, so the two engines find the same releases;
hyphenated words are indexed as their parts, as there.

Statement-level triggers with transition tables re-index each touched release once
per statement, so bulk loads stay fast. Inside a batch of writes
(releases.search.batches.indexed_at_end: a row in releases_searchbatch) they note the
releases in releases_searchpending instead, to be indexed once when the batch ends.
"""

from . import search_coverage
from .objects import DbObject, function, index, table, trigger
from .search_totals import SENTINEL

DOCUMENTS = "releases_searchdocument"
BATCH, PENDING = "releases_searchbatch", "releases_searchpending"
LINKS = {
    "releases_taggedagency": "releases_agency",
    "releases_taggedprogramme": "releases_programme",
    "releases_taggedfigure": "releases_figure",
}
POSITIONS_INDEX = "releases_searchdocument_positions"

# Whether the RUM access method can be had: installed, or installable by this role.
RUM_USABLE = """SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'rum')
    OR (EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'rum')
        AND (SELECT rolsuper FROM pg_roles WHERE rolname = current_user))"""

TEXT_SEARCH = [
    DbObject("extension", "unaccent", ("CREATE EXTENSION IF NOT EXISTS unaccent",)),
    DbObject(
        "dictionary",
        "releases_porter",
        ("CREATE TEXT SEARCH DICTIONARY releases_porter (TEMPLATE = snowball, Language = porter)",),
    ),
    DbObject(
        "configuration",
        "releases_english",
        (
            "CREATE TEXT SEARCH CONFIGURATION releases_english (COPY = english)",
            """ALTER TEXT SEARCH CONFIGURATION releases_english
    ALTER MAPPING FOR asciiword, hword_asciipart WITH releases_porter""",
            """ALTER TEXT SEARCH CONFIGURATION releases_english
    ALTER MAPPING FOR hword_part, word WITH unaccent, releases_porter""",
            # A hyphenated word is indexed as its parts alone ("five-year" as "five year").
            "ALTER TEXT SEARCH CONFIGURATION releases_english DROP MAPPING FOR asciihword, hword",
        ),
    ),
    DbObject(
        "configuration",
        "releases_simple",
        (
            "CREATE TEXT SEARCH CONFIGURATION releases_simple (COPY = simple)",
            """ALTER TEXT SEARCH CONFIGURATION releases_simple
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple""",
        ),
    ),
]

TABLES = [
    table(
        "releases_searchtagset",
        """CREATE TABLE releases_searchtagset (
    id serial PRIMARY KEY,
    kind varchar(20) NOT NULL,
    signature text NOT NULL UNIQUE
)""",
    ),
    table(
        "releases_searchtagsetmember",
        """CREATE TABLE releases_searchtagsetmember (
    tagset_id integer NOT NULL,
    facet varchar(10) NOT NULL,
    tag_id bigint NOT NULL,
    PRIMARY KEY (tagset_id, facet, tag_id)
)""",
    ),
    # Counting and faceting a common word visits one row per match through the GIN
    # bitmap, reading only tagset, status and date: the vectors are kept out of line
    # (toast_tuple_target), so that those rows stay narrow.
    table(
        DOCUMENTS,
        f"""CREATE TABLE {DOCUMENTS} (
    release_id bigint PRIMARY KEY,
    status varchar(10) NOT NULL,
    kind varchar(20) NOT NULL,
    published_on date NOT NULL,
    tagset integer NOT NULL,
    title_vector tsvector NOT NULL,
    head_vector tsvector NOT NULL,
    vector tsvector NOT NULL,
    words tsvector NOT NULL
) WITH (toast_tuple_target = 128)""",
    ),
    index(
        "releases_searchdocument_vector",
        DOCUMENTS,
        f"CREATE INDEX releases_searchdocument_vector ON {DOCUMENTS} USING gin (vector)",
    ),
    index(
        "releases_searchdocument_head",
        DOCUMENTS,
        f"CREATE INDEX releases_searchdocument_head ON {DOCUMENTS} USING gin (head_vector)",
    ),
    index(
        "releases_searchdocument_title",
        DOCUMENTS,
        f"CREATE INDEX releases_searchdocument_title ON {DOCUMENTS} USING gin (title_vector)",
    ),
    index(
        "releases_searchdocument_newest",
        DOCUMENTS,
        f"CREATE INDEX releases_searchdocument_newest ON {DOCUMENTS}"
        " (published_on, release_id) WHERE status = 'published'",
    ),
    table(
        "releases_searchword",
        """CREATE TABLE releases_searchword (
    word text COLLATE "C" PRIMARY KEY,
    documents integer NOT NULL
)""",
    ),
    table(BATCH, f"CREATE TABLE {BATCH} (id integer PRIMARY KEY CHECK (id = 1))"),
    table(PENDING, f"CREATE TABLE {PENDING} (release_id bigint NOT NULL)"),
]

FUNCTIONS = [
    function(
        "releases_search_tags",
        "bigint",
        """CREATE OR REPLACE FUNCTION releases_search_tags(release bigint) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT concat_ws(' ',
        (SELECT string_agg(concat_ws(' ', a.name, nullif(a.acronym, '')), ' ')
           FROM releases_taggedagency t JOIN releases_agency a ON a.id = t.tag_id
          WHERE t.content_object_id = release),
        (SELECT string_agg(concat_ws(' ', al.name, nullif(al.acronym, '')), ' ')
           FROM releases_taggedagency t JOIN releases_agencyalias al ON al.agency_id = t.tag_id
          WHERE t.content_object_id = release),
        (SELECT string_agg(p.name, ' ')
           FROM releases_taggedprogramme t JOIN releases_programme p ON p.id = t.tag_id
          WHERE t.content_object_id = release),
        (SELECT string_agg(f.name, ' ')
           FROM releases_taggedfigure t JOIN releases_figure f ON f.id = t.tag_id
          WHERE t.content_object_id = release))
$$""",
    ),
    # A release's kind and its agency and programme ids: what its facet values are. An
    # empty part stays in ("press-release|5|"), so that agency 5 and programme 5 differ.
    function(
        "releases_search_signature",
        "bigint, text",
        """CREATE OR REPLACE FUNCTION releases_search_signature(release bigint, kind text)
RETURNS text LANGUAGE sql STABLE AS $$
    SELECT concat_ws('|', kind,
        coalesce((SELECT string_agg(tag_id::text, ',' ORDER BY tag_id)
                    FROM releases_taggedagency WHERE content_object_id = release), ''),
        coalesce((SELECT string_agg(tag_id::text, ',' ORDER BY tag_id)
                    FROM releases_taggedprogramme WHERE content_object_id = release), ''))
$$""",
    ),
    # Each field its own tsvector, joined with a gap of 100 positions, wider than any
    # phrase's stop words: a quoted phrase never runs on from the title into the summary
    # (SQLite's FTS5 columns are separate too). A placeholder lexeme that no text can
    # produce (a lone space) pushes the next field along and is then deleted.
    function(
        "releases_search_fields",
        "VARIADIC text[]",
        """CREATE OR REPLACE FUNCTION releases_search_fields(VARIADIC fields text[])
RETURNS tsvector LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    vector tsvector;
    field text;
BEGIN
    FOREACH field IN ARRAY fields LOOP
        IF vector IS NULL THEN
            vector := to_tsvector('releases_english', coalesce(field, ''));
        ELSE
            vector := vector || $gap$' ':100$gap$::tsvector
                             || to_tsvector('releases_english', coalesce(field, ''));
        END IF;
    END LOOP;
    RETURN ts_delete(coalesce(vector, ''), ' ');
END $$""",
    ),
    function(
        "releases_search_reindex",
        "bigint[]",
        f"""CREATE OR REPLACE FUNCTION releases_search_reindex(ids bigint[]) RETURNS void
LANGUAGE sql AS $$
    DELETE FROM {DOCUMENTS} d
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
    INSERT INTO {DOCUMENTS} AS d (release_id, status, kind, published_on, tagset,
                                  title_vector, head_vector, vector, words)
    SELECT r.id, r.status, r.kind, r.published_on,
           (SELECT id FROM releases_searchtagset
             WHERE signature = releases_search_signature(r.id, r.kind)),
           to_tsvector('releases_english', r.title),
           releases_search_fields(r.title, r.summary, t.tags),
           releases_search_fields(r.title, r.summary, t.tags, r.body)
               || $sentinel${SENTINEL}$sentinel$::tsvector,
           CASE WHEN r.status = 'published'
                THEN strip(to_tsvector('releases_simple',
                                       concat_ws(' ', r.title, r.summary, t.tags, r.body)))
                ELSE ''::tsvector END
      FROM releases_release r CROSS JOIN LATERAL (SELECT releases_search_tags(r.id) AS tags) t
     WHERE r.id = ANY(ids)
    ON CONFLICT (release_id) DO UPDATE SET
        status = excluded.status, kind = excluded.kind, published_on = excluded.published_on,
        tagset = excluded.tagset, title_vector = excluded.title_vector,
        head_vector = excluded.head_vector, vector = excluded.vector, words = excluded.words;
$$""",
    ),
    # Index the releases now, or inside a batch note them for its end.
    function(
        "releases_search_touched",
        "bigint[]",
        f"""CREATE OR REPLACE FUNCTION releases_search_touched(ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM {BATCH}) THEN
        INSERT INTO {PENDING} (release_id) SELECT unnest(ids);
    ELSE
        PERFORM releases_search_reindex(ids);
    END IF;
END $$""",
    ),
    function(
        "releases_search_batch_end",
        "",
        f"""CREATE OR REPLACE FUNCTION releases_search_batch_end() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM releases_search_reindex(ARRAY(SELECT DISTINCT release_id FROM {PENDING}));
    DELETE FROM {PENDING};
    RETURN NULL;
END $$""",
    ),
    function(
        "releases_search_release_changed",
        "",
        f"""CREATE OR REPLACE FUNCTION releases_search_release_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM releases_search_touched(ARRAY(SELECT id FROM new_rows));
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM releases_search_touched(ARRAY(
            SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
             WHERE (n.title, n.summary, n.body, n.published_on, n.kind, n.status)
                   IS DISTINCT FROM
                   (o.title, o.summary, o.body, o.published_on, o.kind, o.status)));
    ELSIF TG_OP = 'DELETE' THEN
        DELETE FROM {DOCUMENTS} WHERE release_id IN (SELECT id FROM old_rows);
    ELSE
        TRUNCATE {DOCUMENTS}, releases_searchword,
                 releases_searchtagset, releases_searchtagsetmember;
    END IF;
    RETURN NULL;
END $$""",
    ),
    # A tag link added, removed or moved: re-index the releases on either side. A link
    # updated without moving (its date copied in, link_dates.py) leaves the index alone:
    # statement triggers cannot name columns, so the function compares them.
    function(
        "releases_search_link_changed",
        "",
        f"""CREATE OR REPLACE FUNCTION releases_search_link_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        ids := ARRAY(SELECT DISTINCT content_object_id FROM new_rows);
    ELSIF TG_OP = 'DELETE' THEN
        ids := ARRAY(SELECT DISTINCT content_object_id FROM old_rows);
    ELSIF TG_OP = 'UPDATE' THEN
        ids := ARRAY(
            SELECT DISTINCT unnest(ARRAY[o.content_object_id, n.content_object_id])
              FROM old_rows o JOIN new_rows n ON n.id = o.id
             WHERE (o.content_object_id, o.tag_id)
                   IS DISTINCT FROM (n.content_object_id, n.tag_id));
    ELSE
        ids := ARRAY(SELECT release_id FROM {DOCUMENTS});
    END IF;
    IF cardinality(ids) > 0 THEN
        PERFORM releases_search_touched(ids);
    END IF;
    RETURN NULL;
END $$""",
    ),
    # A tag renamed: re-index every release that carries it.
    function(
        "releases_search_tag_renamed",
        "",
        """CREATE OR REPLACE FUNCTION releases_search_tag_renamed() RETURNS trigger
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
    ),
    # An agency's former name added, changed or removed: re-index the agency's releases.
    function(
        "releases_search_alias_changed",
        "",
        """CREATE OR REPLACE FUNCTION releases_search_alias_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM releases_search_reindex(ARRAY(
        SELECT content_object_id FROM releases_taggedagency
         WHERE tag_id IN (SELECT agency_id FROM changed)));
    RETURN NULL;
END $$""",
    ),
    # Unstemmed word counts for "did you mean", kept per statement from the documents.
    function(
        "releases_search_count_words",
        "",
        """CREATE OR REPLACE FUNCTION releases_search_count_words() RETURNS trigger
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
    ),
    # The whole-release vector under an expression of its own, which the search names
    # only for a quoted phrase (releases/search/postgres.py): plpgsql, not sql, so that
    # it is not inlined into `vector` and offered to every search.
    function(
        "releases_search_positions",
        "tsvector",
        """CREATE OR REPLACE FUNCTION releases_search_positions(vector tsvector) RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$ BEGIN RETURN vector; END $$""",
    ),
]


def statement_trigger(name, on, event, tables, function_name) -> DbObject:
    referencing = f" REFERENCING {tables}" if tables else ""
    return trigger(
        name,
        on,
        f"CREATE TRIGGER {name} {event} ON {on}{referencing}"
        f" FOR EACH STATEMENT EXECUTE FUNCTION {function_name}()",
    )


WRITES = {
    "insert": ("AFTER INSERT", "NEW TABLE AS new_rows"),
    "update": ("AFTER UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
    "delete": ("AFTER DELETE", "OLD TABLE AS old_rows"),
    "truncate": ("AFTER TRUNCATE", ""),
}


def triggers() -> list[DbObject]:
    release = "releases_release"
    declared = [
        statement_trigger(
            f"releases_search_release_{event}",
            release,
            when,
            tables,
            "releases_search_release_changed",
        )
        for event, (when, tables) in WRITES.items()
    ]
    for through, tag_table in LINKS.items():
        declared += [
            statement_trigger(
                f"{through}_search_{event}", through, when, tables, "releases_search_link_changed"
            )
            for event, (when, tables) in WRITES.items()
        ]
        declared.append(
            statement_trigger(
                f"{tag_table}_search_rename",
                tag_table,
                "AFTER UPDATE",
                WRITES["update"][1],
                "releases_search_tag_renamed",
            )
        )
    # An alias update re-indexes the agencies on both sides: one trigger per side, as a
    # statement trigger's function sees its transition table under one name.
    for name, when, rows in (
        ("insert", "AFTER INSERT", "NEW"),
        ("delete", "AFTER DELETE", "OLD"),
        ("update_new", "AFTER UPDATE", "NEW"),
        ("update_old", "AFTER UPDATE", "OLD"),
    ):
        declared.append(
            statement_trigger(
                f"releases_agencyalias_search_{name}",
                "releases_agencyalias",
                when,
                f"{rows} TABLE AS changed",
                "releases_search_alias_changed",
            )
        )
    declared += [
        statement_trigger(
            f"releases_searchdocument_words_{event}",
            DOCUMENTS,
            when,
            tables,
            "releases_search_count_words",
        )
        for event, (when, tables) in WRITES.items()
        if event != "truncate"
    ]
    declared.append(
        statement_trigger(
            "releases_searchbatch_end", BATCH, "AFTER DELETE", "", "releases_search_batch_end"
        )
    )
    return declared


def positions_index(rum: bool) -> list[DbObject]:
    """The index that knows where each word stands, for quoted phrases.

    GIN stores which releases hold a word, not where, so a phrase re-reads the vector
    of every release holding all its words. The RUM access method (Debian's
    postgresql-NN-rum) keeps positions in the index and answers a phrase from it
    alone, but is slower than GIN for plain words: so GIN stays for those, and this
    index is on an expression of its own. Without RUM, a GIN index here gives the same
    answers at GIN's speed.
    """
    if not rum:
        method = "gin (releases_search_positions(vector))"
        return [index(POSITIONS_INDEX, DOCUMENTS, _positions(method))]
    method = "rum (releases_search_positions(vector) rum_tsvector_ops)"
    return [
        DbObject("extension", "rum", ("CREATE EXTENSION IF NOT EXISTS rum",)),
        index(POSITIONS_INDEX, DOCUMENTS, _positions(method)),
    ]


def _positions(method: str) -> str:
    return f"CREATE INDEX {POSITIONS_INDEX} ON {DOCUMENTS} USING {method}"


def objects(cursor) -> list[DbObject]:
    cursor.execute(RUM_USABLE)
    (rum,) = cursor.fetchone()
    return [*TEXT_SEARCH, *TABLES, *FUNCTIONS, *positions_index(rum), *triggers()]


def rebuild(cursor) -> str:
    """Index every release afresh and count the words again; say what was wrong."""
    counts = search_coverage.before_rebuild(cursor)
    cursor.execute(
        f"TRUNCATE {DOCUMENTS}, releases_searchtagset, releases_searchtagsetmember, {PENDING}"
    )
    cursor.execute("SELECT releases_search_reindex(ARRAY(SELECT id FROM releases_release))")
    # Counted from scratch: the triggers only ever adjust the counts.
    cursor.execute("DELETE FROM releases_searchword")
    cursor.execute(
        "INSERT INTO releases_searchword (word, documents)"
        f" SELECT word, count(*) FROM {DOCUMENTS}, unnest(tsvector_to_array(words)) word"
        " GROUP BY word"
    )
    cursor.execute(f"ANALYZE {DOCUMENTS}")
    return search_coverage.report(*counts)
