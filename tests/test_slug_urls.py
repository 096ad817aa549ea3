"""Release and tag addresses come from releases/slug_urls.py, which must agree with reverse()."""

import pytest
from django.urls import reverse, set_script_prefix

from releases.models import Agency
from releases.slug_urls import slug_url


@pytest.mark.parametrize(
    "name", ["releases:detail", "releases:agency", "releases:programme", "releases:figure"]
)
def test_slug_url_matches_reverse(name):
    for slug in ["imda", "smart-city", "8-mous_2024", "a"]:
        assert slug_url(name, slug) == reverse(name, kwargs={"slug": slug})


def test_a_slug_in_another_script_is_quoted_as_reverse_quotes_it(db):
    agency = Agency.objects.create(name="深圳市政府", slug="深圳市政府")
    assert agency.get_absolute_url() == reverse("releases:agency", kwargs={"slug": agency.slug})
    assert "%E6%B7%B1" in agency.get_absolute_url()


def test_release_address_follows_the_script_prefix(release):
    """Served under a sub-path (SCRIPT_NAME), every link carries it."""
    try:
        set_script_prefix("/archive/")
        assert release.get_absolute_url() == f"/archive/releases/{release.slug}/"
    finally:
        set_script_prefix("/")
    assert release.get_absolute_url() == f"/releases/{release.slug}/"
