"""Count each tag's published releases afresh, for repair after SQL that bypassed triggers.

Triggers keep the tallies exact as data changes (releases/tallies.py); this
command is for when something went around them, such as a restore of one table.
"""

from django.core.management.base import BaseCommand
from django.db import connections, transaction

from releases.models import TagTally
from releases.tallies import recount_tallies


class Command(BaseCommand):
    help = __doc__.splitlines()[0]

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default")

    def handle(self, *args, database, **options):
        tallies = TagTally.objects.using(database)
        with transaction.atomic(using=database):
            before = self.read(tallies)
            recount_tallies(connections[database])
            after = self.read(tallies)
        wrong = sum(
            1 for key in before.keys() | after.keys() if before.get(key, 0) != after.get(key, 0)
        )
        self.stdout.write(f"Recounted {len(after):,} tags; {wrong:,} had a wrong count.")

    @staticmethod
    def read(tallies) -> dict:
        return {
            (kind, tag): n for kind, tag, n in tallies.values_list("kind", "tag_id", "published")
        }
