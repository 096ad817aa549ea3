"""Draw the demo pictures the fixtures name, then make their renditions."""

import io
import json
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import BaseCommand

from releases import demo_images

SOURCE_DIR = Path(settings.BASE_DIR) / "fixtures" / "source"
DEMO_DIR = "releases/hero/demo"


def demo_specs() -> dict[str, dict]:
    """Drawing descriptions by release slug, from fixtures/source/*.jsonl."""
    specs = {}
    for path in sorted(SOURCE_DIR.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                if "image" in record:
                    specs[record["slug"]] = record["image"]
    return specs


def demo_image_name(slug: str) -> str:
    return f"{DEMO_DIR}/{slug}.jpg"


class Command(BaseCommand):
    help = (
        "Draw the abstract demo pictures named in fixtures/source into MEDIA_ROOT "
        "(skipping those already there), then run make_renditions. Run after loaddata."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Draw every picture again.")

    def handle(self, *args, force, **options):
        specs = demo_specs()
        drawn = 0
        for slug, spec in specs.items():
            name = demo_image_name(slug)
            if default_storage.exists(name):
                if not force:
                    continue
                default_storage.delete(name)
            buffer = io.BytesIO()
            demo_images.draw(spec, seed=slug).save(buffer, "JPEG", quality=90)
            default_storage.save(name, ContentFile(buffer.getvalue()))
            drawn += 1
        self.stdout.write(f"Demo pictures: {drawn} drawn, {len(specs) - drawn} already there.")
        call_command("make_renditions", *specs, force=force, stdout=self.stdout, stderr=self.stderr)
