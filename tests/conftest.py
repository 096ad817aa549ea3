import datetime
import io
import itertools

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from releases.models import Agency, Figure, Programme, Release


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with no cached pages (database versions repeat across tests)."""
    cache.clear()


@pytest.fixture
def make_release(db):
    """Build a release; published and dated in the past unless told otherwise."""
    # Counted per test: one count for the whole suite would, past some 1,800 releases,
    # date the defaults after today, and they would be scheduled, not public.
    counter = itertools.count(1)

    def make(*, agencies=(), programmes=(), figures=(), **fields):
        n = next(counter)
        fields.setdefault("title", f"Release number {n}")
        fields.setdefault("slug", f"release-{n}")
        fields.setdefault("published_on", datetime.date(2022, 1, 1) + datetime.timedelta(days=n))
        fields.setdefault("summary", f"Summary of release {n}.")
        fields.setdefault("body", f"Body of release {n}.")
        fields.setdefault("status", Release.Status.PUBLISHED)
        release = Release.objects.create(**fields)
        release.agencies.add(*agencies)
        release.programmes.add(*programmes)
        release.figures.add(*figures)
        return release

    return make


@pytest.fixture
def release(make_release, imda, smart_city):
    return make_release(
        title="Singapore and Shenzhen sign eight MoUs",
        slug="singapore-shenzhen-mous",
        published_on=datetime.date(2022, 12, 2),
        summary="Eight memoranda signed at the third committee meeting.",
        body="## Highlights\n\nEight **MoUs** were signed.",
        agencies=[imda],
        programmes=[smart_city],
        figures=["8 MoUs signed"],
    )


@pytest.fixture
def imda(db):
    return Agency.objects.create(
        name="Infocomm Media Development Authority", slug="imda", acronym="IMDA"
    )


@pytest.fixture
def mci(db):
    return Agency.objects.create(
        name="Ministry of Communications and Information", slug="mci", acronym="MCI"
    )


@pytest.fixture
def smart_city(db):
    return Programme.objects.create(
        name="Singapore-China (Shenzhen) Smart City Initiative", slug="smart-city-initiative"
    )


@pytest.fixture
def tradetrust(db):
    return Programme.objects.create(name="TradeTrust", slug="tradetrust")


@pytest.fixture
def figure(db):
    return Figure.objects.create(value=14, label="new joint projects")


@pytest.fixture
def tomorrow():
    return timezone.localdate() + datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Every test stores pictures in its own folder, never in the project's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.fixture
def media_files(media_root):
    """Call to list the files under MEDIA_ROOT."""
    return lambda: stored_files(media_root)


@pytest.fixture
def image_upload():
    """Build an uploaded picture: image_upload("PNG", (800, 600), exif=..., name=...)."""

    def make(
        fmt="JPEG", size=(2000, 1200), *, colour=(40, 110, 170), name=None, image=None, **save
    ):
        image = image or Image.new("RGBA" if len(colour) == 4 else "RGB", size, colour)
        buffer = io.BytesIO()
        image.save(buffer, fmt, **save)
        return SimpleUploadedFile(name or f"picture.{fmt.lower()}", buffer.getvalue())

    return make


@pytest.fixture
def pictured_release(make_release, image_upload, imda):
    return make_release(
        title="Ceremony marks the new partnership",
        slug="ceremony",
        agencies=[imda],
        hero_image=image_upload("JPEG", (2000, 1200)),
        hero_image_alt="Two officials shake hands in front of a blue banner.",
        hero_image_caption="The signing ceremony.",
        hero_image_credit="Archive staff",
    )
