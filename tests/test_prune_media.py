"""prune_media deletes pictures no release uses, and nothing else."""

import os
import time
from io import StringIO

import pytest
from django.core.management import call_command


def age(media_root, hours):
    """Make every stored file look `hours` old."""
    then = time.time() - hours * 3600
    for path in media_root.rglob("*"):
        if path.is_file():
            os.utime(path, (then, then))


def prune(*args):
    out = StringIO()
    call_command("prune_media", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def replaced(pictured_release, image_upload, client, media_root):
    """A release whose picture was replaced two days ago, both versions' cards drawn."""
    client.get(pictured_release.social_card_url)
    pictured_release.hero_image = image_upload(colour=(200, 30, 30))
    pictured_release.save()
    client.get(pictured_release.social_card_url)
    age(media_root, 48)


def test_a_replaced_picture_and_its_renditions_and_card_are_deleted(
    pictured_release, replaced, media_files, client
):
    before = set(media_files())
    out = prune()

    after = set(media_files())
    gone = before - after
    assert {name.split("/")[1] for name in gone} == {"hero", "renditions", "cards"}
    assert len(gone) == 1 + 6 + 1  # master, 3 widths × (WebP, JPEG), card
    assert pictured_release.hero_image.name in after
    assert "Deleted 8 unused files" in out
    # The release still shows its current picture, renditions and card.
    page = client.get(pictured_release.get_absolute_url()).content.decode()
    for url in [pictured_release.hero.src, pictured_release.social_card_url]:
        assert url in page
        assert client.get(url).status_code == 200


def test_dry_run_lists_and_deletes_nothing(replaced, media_files):
    before = media_files()
    out = prune("--dry-run")
    assert media_files() == before
    assert out.count("would delete releases/") == 8
    assert "Would delete 8 unused files" in out


def test_recent_files_are_kept(pictured_release, image_upload, media_root, media_files):
    """An upload is stored while the form is checked, before its release is saved."""
    pictured_release.hero_image = image_upload(colour=(200, 30, 30))
    pictured_release.save()
    before = media_files()
    out = prune()
    assert media_files() == before
    assert "Deleted 0 unused files" in out
    assert "7 unused but newer than 24 hours" in out


def test_a_picture_two_releases_share_is_kept_until_neither_uses_it(
    make_release, image_upload, media_root, media_files
):
    first = make_release(hero_image=image_upload(), hero_image_alt="Blue.")
    second = make_release(hero_image=image_upload(), hero_image_alt="Blue.")
    first.hero_image = None
    first.save()
    age(media_root, 48)
    prune()
    assert second.hero_image.name in media_files()
