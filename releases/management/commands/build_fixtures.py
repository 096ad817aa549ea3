"""Regenerate fixtures/*.json from the hand-edited sources in fixtures/source/."""

import json
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify

from releases import demo_images
from releases.management.commands.draw_demo_images import demo_image_name
from releases.markup import render_markdown
from releases.models import format_number

SOURCE_DIR = Path(settings.BASE_DIR) / "fixtures" / "source"
OUTPUT_DIR = Path(settings.BASE_DIR) / "fixtures"


def figure_name(figure: dict) -> str:
    return figure.get("name") or f"{format_number(Decimal(str(figure['value'])))} {figure['label']}"


class Command(BaseCommand):
    help = "Rebuild the JSON fixtures from fixtures/source/ (tags.json and *.jsonl)."

    def handle(self, *args, **options):
        tags = json.loads((SOURCE_DIR / "tags.json").read_text(encoding="utf-8"))
        known = {kind: {t["slug"] for t in tags[kind]} for kind in ("agencies", "programmes")}
        outputs = {
            "10_seed_release.json": "seed-release.jsonl",
            "20_demo_releases.json": "demo-releases.jsonl",
        }
        figures = {}
        release_files = {}
        for output, source in outputs.items():
            records = [
                json.loads(line)
                for line in (SOURCE_DIR / source).read_text(encoding="utf-8").splitlines()
                if line.strip()
            ]
            for record in records:
                for kind in ("agencies", "programmes"):
                    unknown = set(record.get(kind, [])) - known[kind]
                    if unknown:
                        raise CommandError(f"{source}: {record['slug']}: unknown {kind} {unknown}")
                for figure in record.get("figures", []):
                    figures.setdefault(figure_name(figure), figure)
            release_files[output] = self.release_objects(records)

        agency_fields = ("name", "slug", "acronym")
        self.write(
            "01_agencies.json",
            [
                {"model": "releases.agency", "fields": {f: t.get(f, "") for f in agency_fields}}
                for t in tags["agencies"]
            ],
        )
        self.write(
            "02_programmes.json",
            [
                {"model": "releases.programme", "fields": {"name": t["name"], "slug": t["slug"]}}
                for t in tags["programmes"]
            ],
        )
        self.write(
            "03_figures.json",
            [
                {
                    "model": "releases.figure",
                    "fields": {
                        "name": name,
                        "slug": slugify(name, allow_unicode=True),
                        "value": str(Decimal(str(figure["value"]))),
                        "label": figure["label"],
                    },
                }
                for name, figure in sorted(figures.items())
            ],
        )
        for output, objects in release_files.items():
            self.write(output, objects)

    def release_objects(self, records):
        objects, links = [], []
        for record in records:
            stamp = f"{record['published_on']}T09:00:00+08:00"
            objects.append(
                {
                    "model": "releases.release",
                    "fields": {
                        "title": record["title"],
                        "slug": record["slug"],
                        "kind": record.get("kind", "press-release"),
                        "published_on": record["published_on"],
                        "summary": record.get("summary", ""),
                        "body": record["body"],
                        "body_html": render_markdown(record["body"]),
                        "source": record.get("source", ""),
                        "source_url": record.get("source_url", ""),
                        "language": record.get("language", "en"),
                        "status": "published",
                        **self.image_fields(record),
                        "created_at": stamp,
                        "updated_at": stamp,
                    },
                }
            )
            key = [record["slug"]]
            for model, slugs in (
                ("taggedagency", record.get("agencies", [])),
                ("taggedprogramme", record.get("programmes", [])),
                (
                    "taggedfigure",
                    [
                        slugify(figure_name(f), allow_unicode=True)
                        for f in record.get("figures", [])
                    ],
                ),
            ):
                links += [
                    {"model": f"releases.{model}", "fields": {"content_object": key, "tag": [slug]}}
                    for slug in slugs
                ]
        return objects + links

    def image_fields(self, record):
        """A demo picture is named here and drawn by draw_demo_images after loaddata."""
        spec = record.get("image")
        if spec is None:
            return {
                "hero_image": "",
                "hero_image_alt": "",
                "hero_image_caption": "",
                "hero_image_credit": "",
                "hero_image_width": None,
                "hero_image_height": None,
                "hero_renditions": {},
            }
        unknown = {spec["style"]} - set(demo_images.STYLES) | {spec["palette"]} - set(
            demo_images.PALETTES
        )
        if unknown:
            raise CommandError(f"{record['slug']}: unknown image style or palette {unknown}")
        return {
            "hero_image": demo_image_name(record["slug"]),
            "hero_image_alt": demo_images.describe(spec),
            "hero_image_caption": spec.get("caption", ""),
            "hero_image_credit": demo_images.CREDIT,
            # Filled in by make_renditions once the picture exists.
            "hero_image_width": None,
            "hero_image_height": None,
            "hero_renditions": {},
        }

    def write(self, name, objects):
        path = OUTPUT_DIR / name
        path.write_text(json.dumps(objects, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        self.stdout.write(f"Wrote {len(objects)} objects to {path.relative_to(settings.BASE_DIR)}")
