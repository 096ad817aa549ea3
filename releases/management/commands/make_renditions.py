"""Make missing hero-image renditions; clean and adopt pictures placed by a bulk import."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from releases.images import refresh_release
from releases.models import Release


class Command(BaseCommand):
    help = (
        "Check every release's hero image: make missing renditions, strip metadata from "
        "imported files (in place), and record sizes. Safe to run again and again."
    )

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", help="Only these releases (default: all).")
        parser.add_argument(
            "--force", action="store_true", help="Remake every rendition, even existing ones."
        )

    def handle(self, *args, slugs, force, **options):
        releases = Release.objects.only(
            "slug", "hero_image", "hero_image_width", "hero_image_height", "hero_renditions"
        )
        if slugs:
            releases = releases.filter(slug__in=slugs)
            missing = set(slugs) - set(releases.values_list("slug", flat=True))
            if missing:
                raise CommandError(f"No release with slug {', '.join(sorted(missing))}.")
        updated, failures = 0, []
        for release in releases.exclude(hero_image="", hero_renditions={}).iterator():
            try:
                updated += refresh_release(release, force=force)
            except FileNotFoundError:
                failures.append(f"{release.slug}: file {release.hero_image.name} is missing")
            except ValidationError as error:
                failures.append(f"{release.slug}: {release.hero_image.name}: {error.messages[0]}")
        for failure in failures:
            self.stderr.write(failure)
        self.stdout.write(f"Hero images: {updated} updated.")
        if failures:
            raise CommandError(f"{len(failures)} hero image(s) could not be processed.")
