"""Count each tag's published releases, and the archive's, afresh: the repair after raw SQL.

Triggers keep the tallies exact as data changes (releases/dbobjects/tallies.py); this
is for when something went around them, such as a restore of one table, or one of
their triggers went missing (it is put back first).
"""

from django.core.management.base import BaseCommand

from releases import dbobjects


class Command(BaseCommand):
    help = __doc__.splitlines()[0]

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default")

    def handle(self, *args, database, **options):
        for work in dbobjects.rebuild(("tallies",), using=database):
            if work.installed:
                self.stdout.write(f"{work.installed.capitalize()}.")
            self.stdout.write(f"{work.rebuilt.capitalize()}.")
