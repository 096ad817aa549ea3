"""Delete stored pictures that no release uses any more."""

from datetime import timedelta

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.utils import timezone

from releases import cards, images
from releases.models import Release


def files_in(directory: str) -> list[str]:
    try:
        _, names = default_storage.listdir(directory)
    except FileNotFoundError:
        return []
    return [f"{directory}/{name}" for name in names]


def files_in_use() -> set[str]:
    """Every master, rendition and social card some release (of any status) points at."""
    used = set()
    # A card shows the agencies: the only tags its name depends on.
    releases = Release.objects.defer("body", "body_html").with_tag_lists("agencies")
    for release in releases.iterator(chunk_size=2000):
        # The card's name digests what is drawn on it: title, agencies, picture.
        used.add(f"{cards.CARD_DIR}/{release.social_card_key}.jpg")
        if release.hero_image:
            used.add(release.hero_image.name)
        # From the bookkeeping as stored, even where it is out of date: make_renditions
        # repairs that, and keeping a few files too many is the safe side.
        book = release.hero_renditions or {}
        used.update(
            images.rendition_name(book["key"], width, ext)
            for width in book.get("widths") or ()
            for ext in images.RENDITION_FORMATS
            if book.get("key")
        )
    return used


class Command(BaseCommand):
    help = (
        "Delete hero pictures, their renditions and link-preview cards that no release uses "
        "any more: a replaced or removed picture, the card of an edited title. Files newer "
        "than --keep-hours stay, as an upload is stored before its release is saved."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be deleted; delete nothing."
        )
        parser.add_argument(
            "--keep-hours",
            type=float,
            default=24,
            help="Keep unused files modified within this many hours (default: 24).",
        )

    def handle(self, *args, dry_run, keep_hours, **options):
        cutoff = timezone.now() - timedelta(hours=keep_hours)
        used = files_in_use()
        unused, kept, recent, freed = [], 0, 0, 0
        for directory in (images.MASTER_DIR, images.RENDITION_DIR, cards.CARD_DIR):
            for name in files_in(directory):
                if name in used:
                    kept += 1
                    continue
                if default_storage.get_modified_time(name) > cutoff:
                    recent += 1
                    continue
                unused.append(name)
                freed += default_storage.size(name)
        for name in unused:
            if dry_run:
                self.stdout.write(f"would delete {name}")
            else:
                default_storage.delete(name)
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(
            f"{verb} {len(unused)} unused file{'s' if len(unused) != 1 else ''} "
            f"({freed / 1024 / 1024:.1f} MB); kept {kept} in use "
            f"and {recent} unused but newer than {keep_hours:g} hours."
        )
