"""Rebuild the full-text search index from the releases: the repair after raw SQL.

Triggers keep the index exact as data changes (releases/dbobjects/); this is for when
something went around them, such as a restore of one table, or one of the index's
objects went missing. It puts back any missing object, then rebuilds inside a
transaction, so searches see the old index or the new one, never half of each.
"""

import time

from django.core.management.base import BaseCommand

from releases import dbobjects


class Command(BaseCommand):
    help = "Rebuild the full-text search index from the releases and report what changed."

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default")

    def handle(self, *args, database, **options):
        started = time.monotonic()
        for work in dbobjects.rebuild(("search",), using=database):
            if work.installed:
                self.stdout.write(f"{work.installed.capitalize()}.")
            self.stdout.write(f"{work.rebuilt.capitalize()}.")
        self.stdout.write(f"Done in {time.monotonic() - started:.1f} s.")
