"""How well the search index covers the releases: what a rebuild reports having put right."""

COUNTS = """
SELECT (SELECT count(*) FROM releases_release),
       (SELECT count(*) FROM releases_release r WHERE NOT EXISTS
            (SELECT 1 FROM releases_searchdocument d WHERE d.release_id = r.id)),
       (SELECT count(*) FROM releases_searchdocument d WHERE NOT EXISTS
            (SELECT 1 FROM releases_release r WHERE r.id = d.release_id))
"""


def before_rebuild(cursor) -> tuple[int, int, int]:
    """(releases, releases missing from the index, index entries of no release)."""
    cursor.execute(COUNTS)
    return cursor.fetchone()


def report(releases: int, missing: int, stale: int) -> str:
    return (
        f"indexed {releases:,} release{'s' if releases != 1 else ''};"
        f" {missing:,} {'was' if missing == 1 else 'were'} missing from the index and"
        f" {stale:,} stale entr{'y was' if stale == 1 else 'ies were'} removed"
    )
