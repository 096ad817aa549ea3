"""Count each tag's published releases, and the archive's, afresh: repair after raw SQL.

Triggers keep the tallies exact as data changes (releases/tallies.py); this
command is for when something went around them, such as a restore of one table.
"""

from django.core.management.base import BaseCommand
from django.db import connections, transaction

from releases.models import Tally
from releases.tallies import recount_tallies


class Command(BaseCommand):
    help = __doc__.splitlines()[0]

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default")

    def handle(self, *args, database, **options):
        tallies = Tally.objects.using(database)
        with transaction.atomic(using=database):
            before = self.read(tallies)
            recount_tallies(connections[database])
            after = self.read(tallies)
        wrong = sum(
            1 for key in before.keys() | after.keys() if before.get(key, 0) != after.get(key, 0)
        )
        tags = sum(1 for kind, _ in after if kind != Tally.ARCHIVE)
        self.stdout.write(f"Recounted {tags:,} tags and the archive's total; {wrong:,} were wrong.")

    @staticmethod
    def read(tallies) -> dict:
        return {
            (kind, tag): n for kind, tag, n in tallies.values_list("kind", "tag_id", "published")
        }
