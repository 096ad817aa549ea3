"""Load the demo fixtures into the archive, adding only what is missing (`make run`)."""

import json
import tempfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from releases.demo_loading import LINK_MODELS, UnknownRecord, plan
from releases.models import Agency, Figure, Programme, Release, RemovedSlug

FIXTURES = sorted((Path(settings.BASE_DIR) / "fixtures").glob("*.json"))


class Command(BaseCommand):
    help = (
        "Load the demo releases and tags (fixtures/*.json), adding only those missing. "
        "A release or tag already in the archive, however staff edited, moved or renamed "
        "it, is left exactly as it is."
    )

    def add_arguments(self, parser):
        parser.add_argument("fixtures", nargs="*", help="Fixture files (default: fixtures/*.json).")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="First DELETE every release (with its history and old addresses) and every "
            "agency, programme and figure, then load the demo afresh. Staff accounts stay.",
        )
        parser.add_argument(
            "--noinput", action="store_false", dest="interactive", help="Do not ask to confirm."
        )

    def handle(self, *args, fixtures, reset, interactive, verbosity, **options):
        self.verbosity = verbosity
        paths = [Path(p) for p in fixtures] or FIXTURES
        records = [record for path in paths for record in read(path)]
        if reset and interactive:
            self.confirm_reset()
        with transaction.atomic():
            if reset:
                self.reset()
            try:
                missing = plan(records)
            except UnknownRecord as error:
                raise CommandError(str(error)) from None
            if missing.records:
                self.load(missing.records)
        self.report(missing)

    def confirm_reset(self):
        answer = input(
            f"This deletes all {Release.objects.count():,} releases, their history and old "
            "addresses, and every agency, programme and figure, then loads the demo. "
            "Type 'yes' to go on: "
        )
        if answer != "yes":
            raise CommandError("Nothing deleted.")

    def reset(self):
        releases = Release.objects.count()
        Release.objects.all().delete()
        RemovedSlug.objects.all().delete()
        for model in (Agency, Programme, Figure):
            model.objects.all().delete()
        self.stdout.write(f"Deleted {releases:,} releases and every tag.")

    def load(self, records):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "missing.json"
            path.write_text(json.dumps(records), encoding="utf-8")
            call_command("loaddata", str(path), verbosity=0)

    def report(self, missing):
        self.stdout.write(f"Demo data added: {counted(missing.added)}.")
        kept = {label: len(names) for label, names in missing.kept.items()}
        self.stdout.write(f"Already in the archive, left as they are: {counted(kept)}.")
        if self.verbosity >= 2:
            for label, names in missing.kept.items():
                self.stdout.write(f"  {nouns(label)[1]}: {', '.join(names)}")


def nouns(label) -> tuple[str, str]:
    """What a record of `label` is called, one and many; the three kinds of link are one."""
    if label in LINK_MODELS:
        return "tag link", "tag links"
    meta = apps.get_model(label)._meta
    return str(meta.verbose_name), str(meta.verbose_name_plural)


def counted(counts) -> str:
    """ "12 agencies, 1 release, 12 tag links" from counts by model label."""
    totals = {}
    for label, n in counts.items():
        totals[nouns(label)] = totals.get(nouns(label), 0) + n
    return ", ".join(f"{n} {one if n == 1 else many}" for (one, many), n in totals.items()) or (
        "nothing"
    )


def read(path) -> list:
    try:
        records = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise CommandError(f"{path}: {error}") from None
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise CommandError(f"{path}: a fixture is a list of records")
    return records
