"""Writing many releases at once: each is indexed once, when the batch ends.

The search triggers re-index a release on every statement that touches it (on SQLite,
every row): a release written and then linked to its agencies, programmes and figures
was indexed four times or more. Inside `indexed_at_end()` they only note the release
(releases/dbobjects/search_sqlite.py); leaving the block indexes every noted release once.
"""

from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections, transaction


@contextmanager
def indexed_at_end(using=DEFAULT_DB_ALIAS):
    """Hold back the index while the block writes; bring it up to date on leaving.

    The block runs in a transaction (a savepoint inside one): no other connection sees
    the index behind, and if the block raises, its writes and notes roll back together.
    A block inside another joins it. On PostgreSQL a second connection's batch waits
    for the first one's transaction to end (both write the one row the batch is).
    """
    connection = connections[using]
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            cursor.execute("SELECT EXISTS (SELECT 1 FROM releases_searchbatch)")
            (nested,) = cursor.fetchone()
            if not nested:
                cursor.execute("INSERT INTO releases_searchbatch (id) VALUES (1)")
        yield
        if not nested:
            with connection.cursor() as cursor:
                # Its trigger indexes the noted releases.
                cursor.execute("DELETE FROM releases_searchbatch")
