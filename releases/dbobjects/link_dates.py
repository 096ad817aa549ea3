"""Each tag link carries its release's date (`ReleaseTagLink.published_on`), copied by triggers.

So that a tag's releases nearest a date are one walk along the link table's
(tag, published_on, release) index: the related-releases ranking
(releases/related.py), and the tag counts' scheduled releases (releases/dbobjects/tallies.py).
"""

from .objects import DbObject, function, trigger

LINK_TABLES = ("releases_taggedagency", "releases_taggedprogramme", "releases_taggedfigure")
RELEASE_TABLE = "releases_release"


def objects(vendor: str) -> list[DbObject]:
    return _postgresql() if vendor == "postgresql" else _sqlite()


def _postgresql() -> list[DbObject]:
    copy_to_links = "\n".join(
        f"    UPDATE {table} SET published_on = NEW.published_on"
        f" WHERE content_object_id = NEW.id AND published_on IS DISTINCT FROM NEW.published_on;"
        for table in LINK_TABLES
    )
    declared = [
        function(
            "releases_link_date",
            "",
            "CREATE OR REPLACE FUNCTION releases_link_date() RETURNS trigger AS $$\nBEGIN\n"
            f"    NEW.published_on := (SELECT published_on FROM {RELEASE_TABLE}"
            " WHERE id = NEW.content_object_id);\n    RETURN NEW;\nEND $$ LANGUAGE plpgsql",
        ),
        function(
            "releases_release_date",
            "",
            "CREATE OR REPLACE FUNCTION releases_release_date() RETURNS trigger AS $$\nBEGIN\n"
            f"{copy_to_links}\n    RETURN NULL;\nEND $$ LANGUAGE plpgsql",
        ),
        # A link inserted before its release (loaddata defers foreign keys) found no
        # date: it looks again at commit. Deferred to commit, and only for such links,
        # so that an import (which writes releases first) pays nothing for it.
        function(
            "releases_link_date_late",
            "",
            """CREATE OR REPLACE FUNCTION releases_link_date_late() RETURNS trigger AS $$
BEGIN
    EXECUTE format('UPDATE %I SET published_on = (SELECT published_on FROM releases_release'
                   ' WHERE id = $1) WHERE id = $2', TG_TABLE_NAME)
        USING NEW.content_object_id, NEW.id;
    RETURN NULL;
END $$ LANGUAGE plpgsql""",
        ),
        trigger(
            "releases_release_date_update",
            RELEASE_TABLE,
            "CREATE TRIGGER releases_release_date_update AFTER UPDATE OF published_on"
            f" ON {RELEASE_TABLE} FOR EACH ROW"
            " WHEN (OLD.published_on IS DISTINCT FROM NEW.published_on)"
            " EXECUTE FUNCTION releases_release_date()",
        ),
    ]
    for table in LINK_TABLES:
        declared += [
            trigger(
                f"{table}_date",
                table,
                f"CREATE TRIGGER {table}_date BEFORE INSERT OR UPDATE OF content_object_id"
                f" ON {table} FOR EACH ROW EXECUTE FUNCTION releases_link_date()",
            ),
            trigger(
                f"{table}_date_late",
                table,
                f"CREATE CONSTRAINT TRIGGER {table}_date_late AFTER INSERT ON {table}"
                " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.published_on IS NULL)"
                " EXECUTE FUNCTION releases_link_date_late()",
            ),
        ]
    return declared


def _sqlite() -> list[DbObject]:
    # No BEFORE trigger in SQLite can change the row: each new link is updated after.
    copy_to_links = " ".join(
        f"UPDATE {table} SET published_on = NEW.published_on WHERE content_object_id = NEW.id;"
        for table in LINK_TABLES
    )
    declared = [
        trigger(
            "releases_release_date_insert",
            RELEASE_TABLE,
            f"CREATE TRIGGER releases_release_date_insert AFTER INSERT ON {RELEASE_TABLE}"
            f" BEGIN {copy_to_links} END",
        ),
        trigger(
            "releases_release_date_update",
            RELEASE_TABLE,
            "CREATE TRIGGER releases_release_date_update AFTER UPDATE OF published_on"
            f" ON {RELEASE_TABLE} WHEN OLD.published_on IS NOT NEW.published_on"
            f" BEGIN {copy_to_links} END",
        ),
    ]
    for table in LINK_TABLES:
        from_release = (
            f"UPDATE {table} SET published_on = (SELECT published_on FROM {RELEASE_TABLE}"
            f" WHERE id = NEW.content_object_id) WHERE id = NEW.id;"
        )
        declared += [
            trigger(
                f"{table}_date_insert",
                table,
                f"CREATE TRIGGER {table}_date_insert AFTER INSERT ON {table}"
                f" BEGIN {from_release} END",
            ),
            trigger(
                f"{table}_date_move",
                table,
                f"CREATE TRIGGER {table}_date_move AFTER UPDATE OF content_object_id ON {table}"
                f" BEGIN {from_release} END",
            ),
        ]
    return declared


def rebuild(cursor, vendor: str) -> str:
    """Give every link its release's date; only the links whose date is wrong are written."""
    fixed = 0
    for table in LINK_TABLES:
        if vendor == "postgresql":
            cursor.execute(
                f"UPDATE {table} l SET published_on = r.published_on FROM {RELEASE_TABLE} r"
                " WHERE r.id = l.content_object_id"
                " AND l.published_on IS DISTINCT FROM r.published_on"
            )
        else:
            release_date = (
                f"(SELECT published_on FROM {RELEASE_TABLE} r"
                f" WHERE r.id = {table}.content_object_id)"
            )
            cursor.execute(
                f"UPDATE {table} SET published_on = {release_date}"
                f" WHERE published_on IS NOT {release_date}"
            )
        fixed += cursor.rowcount
    return f"{fixed:,} link date{'s' if fixed != 1 else ''} corrected"
