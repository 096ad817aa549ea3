"""Replace the database's contents with a backup made by `backup_database`."""

import sqlite3
import subprocess
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from .backup_database import postgres_env


class Command(BaseCommand):
    help = "Restore the database from a backup file (replaces everything in it)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="backup file")

    def handle(self, *args, path, **options):
        source = Path(path)
        if not source.is_file():
            raise CommandError(f"No backup file at {source}.")
        db = connection.settings_dict
        if connection.vendor == "postgresql":
            connection.close()
            command = [
                "pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                f"--dbname={db['NAME']}", str(source),
            ]  # fmt: skip
            result = subprocess.run(command, env=postgres_env(db), capture_output=True, text=True)
            if result.returncode:
                raise CommandError(f"pg_restore failed: {result.stderr.strip()}")
        elif connection.vendor == "sqlite":
            try:
                backup = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
                backup.execute("SELECT count(*) FROM sqlite_master").fetchone()
            except sqlite3.DatabaseError as error:
                raise CommandError(f"{source} is not a SQLite backup: {error}") from None
            connection.ensure_connection()
            backup.backup(connection.connection)
            backup.close()
        else:
            raise CommandError(f"No restore method for {connection.vendor}.")
        self.stdout.write(f"Restored from {source}")
