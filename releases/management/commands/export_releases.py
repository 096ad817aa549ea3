"""Write published releases as JSON Lines in the import format, as /releases/export.jsonl does."""

from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict

from releases.exporting import jsonl_lines
from releases.forms import ReleaseFilterForm, error_messages
from releases.models import Release


class Command(BaseCommand):
    help = (
        "Export published releases as JSON Lines in the import format (docs/import-format.md), "
        "oldest first, so that export → import → export gives the same bytes."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "-o", "--output", default="-", help="File to write (default: standard output)."
        )
        parser.add_argument(
            "--filter",
            default="",
            metavar="QUERY",
            help='The listing filters as a query string, e.g. "agency=imda&year=2022".',
        )
        parser.add_argument(
            "--versions",
            action="store_true",
            help="Add to each release its public versions, oldest first, as they stood "
            "(an import reads past them).",
        )

    def handle(self, *args, output, filter, versions, **options):
        form = ReleaseFilterForm(QueryDict(filter))
        if not form.is_valid():
            raise CommandError("Invalid --filter: " + " ".join(error_messages(form)))
        # Date then slug: an order that does not depend on database ids, which an
        # import into another database would not keep.
        releases = (
            Release.objects.published().filter_by(**form.filters()).order_by("published_on", "slug")
        )
        lines = jsonl_lines(releases, with_versions=versions)
        if output == "-":
            self.write(lines, self.stdout)
            return
        with open(output, "w", encoding="utf-8", newline="") as stream:
            count = self.write(lines, stream)
        self.stderr.write(f"Wrote {count} releases to {output}")

    def write(self, lines, stream) -> int:
        count = 0
        for line in lines:
            stream.write(line)
            count += 1
        return count
