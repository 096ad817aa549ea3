"""The demo pictures: drawn by the project, named by the fixtures, shown after `make run`."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils.html import escape

from releases import demo_images
from releases.management.commands.draw_demo_images import demo_specs
from releases.models import Release

FIXTURES = sorted(str(p) for p in (Path(settings.BASE_DIR) / "fixtures").glob("*.json"))
SEED_SLUG = "singapore-china-ink-mou-partner-on-digital-economy-initiatives"


@pytest.fixture
def small_drawings(monkeypatch):
    # Full-size drawings take seconds; the pipeline is the same at any size >= 1600 wide.
    monkeypatch.setattr(demo_images, "SIZE", (1600, 900))
    monkeypatch.setattr(demo_images, "SCALE", 1)


def test_seed_and_demo_releases_get_pictures_after_loaddata(db, client, small_drawings):
    call_command("loaddata", *FIXTURES, verbosity=0)
    out = io.StringIO()
    call_command("draw_demo_images", stdout=out)
    assert f"{len(demo_specs())} drawn" in out.getvalue()

    pictured = Release.objects.published().exclude(hero_renditions={})
    assert SEED_SLUG in {r.slug for r in pictured}
    assert pictured.count() >= 6
    for release in pictured:
        assert release.hero.widths == [480, 960, 1600]
        assert release.hero_image_alt == demo_images.describe(demo_specs()[release.slug])
        page = client.get(release.get_absolute_url()).content.decode()
        assert "<picture" in page and escape(release.hero_image_caption) in page
    assert client.get("/").content.decode().count("<picture") >= 3

    again = io.StringIO()
    call_command("draw_demo_images", stdout=again)
    assert "0 drawn" in again.getvalue() and "0 updated" in again.getvalue()

    call_command("loaddata", *FIXTURES, verbosity=0)  # loaded over again: bookkeeping reset
    assert Release.objects.get(slug=SEED_SLUG).hero is None
    call_command("draw_demo_images", stdout=io.StringIO())
    assert Release.objects.get(slug=SEED_SLUG).hero is not None


@pytest.mark.parametrize("style", demo_images.STYLES)
def test_every_style_draws_the_same_picture_twice(style):
    spec = {"style": style, "palette": "harbour", "label": "Label"}
    first, second = demo_images.draw(spec, "seed"), demo_images.draw(spec, "seed")
    assert first.size == demo_images.SIZE
    assert first.tobytes() == second.tobytes()
    assert len(first.resize((64, 36)).getcolors(64 * 36)) > 5  # shapes, not a blank canvas
