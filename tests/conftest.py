import datetime
import itertools

import pytest
from django.core.cache import cache
from django.utils import timezone

from releases.models import Agency, Figure, Programme, Release

_counter = itertools.count(1)


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with no cached pages (database versions repeat across tests)."""
    cache.clear()


@pytest.fixture
def make_release(db):
    """Build a release; published and dated in the past unless told otherwise."""

    def make(*, agencies=(), programmes=(), figures=(), **fields):
        n = next(_counter)
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
