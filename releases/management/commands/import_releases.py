"""Load releases from JSON Lines or CSV files: all or nothing."""

import time

from django.core.management.base import BaseCommand, CommandError

from releases.importing import Importer, Progress


class Command(BaseCommand):
    help = (
        "Import releases from JSON Lines (.jsonl) or CSV (.csv) files. Every record is "
        "checked first; if any is wrong nothing is written and each problem is listed as "
        "FILE:LINE: field: problem. A record whose slug exists updates that release."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and count, then write nothing."
        )
        parser.add_argument(
            "--format", choices=["jsonl", "csv"], help="Override the format the suffix implies."
        )
        parser.add_argument(
            "--no-new-tags",
            action="store_true",
            help="Refuse agencies, programmes or figures that do not exist yet.",
        )

    def handle(self, *args, files, dry_run, format, no_new_tags, **options):
        started = time.monotonic()
        importer = Importer(
            files,
            file_format=format,
            allow_new_tags=not no_new_tags,
            progress=Progress(self.stderr),
        )
        problems, summary = importer.run(dry_run=dry_run)
        if problems:
            for problem in problems:
                self.stderr.write(str(problem))
            records = len({(p.path, p.line) for p in problems})
            raise CommandError(
                f"{len(problems):,} problem{'s' if len(problems) != 1 else ''} in "
                f"{records:,} record{'s' if records != 1 else ''}; nothing was imported."
            )
        for warning in summary.warnings:
            self.stderr.write(f"warning: {warning}")
        elapsed = time.monotonic() - started
        prefix = "Dry run, nothing written: would have " if dry_run else ""
        self.stdout.write(f"{prefix}{summary} ({elapsed:.1f} s).")
