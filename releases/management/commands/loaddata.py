"""Django's `loaddata`, refusing to undo staff work unless told to.

A fixture record that would overwrite a release edited since it was loaded (a newer
version, saved history), bring back an address an editor moved or a superuser deleted,
or revert an edited or renamed tag stops the load with a message naming it, and nothing
is loaded. `--overwrite-edits` loads it anyway. `load_demo` adds only what is missing.
"""

from django.core.management import CommandError
from django.core.management.commands import loaddata

from releases.demo_loading import overwritten_work


class StaffWorkOverwritten(Exception):
    """Raised from inside the load, so that Django names the fixture file in its message."""


class Command(loaddata.Command):
    help = (
        "Installs the named fixture(s) in the database, refusing any record that would undo "
        "an edit made since (use load_demo to add only what is missing)."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--overwrite-edits",
            action="store_true",
            help="Replace releases and tags edited since they were loaded, losing those edits.",
        )

    def handle(self, *fixture_labels, overwrite_edits=False, **options):
        self.overwrite_edits = overwrite_edits
        try:
            super().handle(*fixture_labels, **options)
        except StaffWorkOverwritten as error:
            raise CommandError(str(error)) from None

    def save_obj(self, obj):
        if not self.overwrite_edits:
            work = overwritten_work(obj.object, using=self.using)
            if work:
                raise StaffWorkOverwritten(
                    f"Not loaded: {work}. Loading would undo that work, so nothing was loaded. "
                    "`manage.py load_demo` adds only what is missing; "
                    "`loaddata --overwrite-edits` replaces it anyway."
                )
        return super().save_obj(obj)
