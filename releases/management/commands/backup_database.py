"""Write a consistent backup of the database: pg_dump for PostgreSQL, SQLite's online backup."""

import datetime
import os
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection


def postgres_env(db: dict) -> dict:
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if db.get(key):
            env[var] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


class Command(BaseCommand):
    help = "Back up the database to a file (default: backups/<name>-<timestamp>)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="file to write")

    def handle(self, *args, path=None, **options):
        db = connection.settings_dict
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        suffix = "dump" if connection.vendor == "postgresql" else "sqlite3"
        target = Path(path or Path(settings.BASE_DIR) / "backups" / f"archive-{stamp}.{suffix}")
        target.parent.mkdir(parents=True, exist_ok=True)
        if connection.vendor == "postgresql":
            command = ["pg_dump", "--format=custom", "--no-owner", f"--file={target}", db["NAME"]]
            result = subprocess.run(command, env=postgres_env(db), capture_output=True, text=True)
            if result.returncode:
                raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
        elif connection.vendor == "sqlite":
            connection.ensure_connection()
            with sqlite3.connect(target) as copy:
                connection.connection.backup(copy)
            copy.close()
        else:
            raise CommandError(f"No backup method for {connection.vendor}.")
        self.stdout.write(f"Backed up to {target} ({target.stat().st_size:,} bytes)")
