"""Addresses of releases and tags, for pages that link to dozens of them.

Django's reverse() matches the URL pattern afresh on every call, and a list page
links each release and each of its agencies. A slug of plain ASCII letters,
digits, '-' and '_' needs no quoting, so its address is the reversed pattern
with the slug put in place; any other slug goes through reverse() itself.
"""

import re
from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

PLAIN_SLUG = re.compile(r"[-a-zA-Z0-9_]+\Z")
MARKER = "0slug0"


@lru_cache(maxsize=32)
def url_before_and_after_slug(name: str, prefix: str, urlconf) -> tuple[str, str]:
    """The parts of `name`'s address before and after its slug."""
    before, found, after = reverse(name, kwargs={"slug": MARKER}).partition(MARKER)
    assert found, f"{name} has no slug in its address"
    return before, after


def slug_url(name: str, slug: str) -> str:
    """The same as reverse(name, kwargs={"slug": slug}), faster when called many times."""
    if not PLAIN_SLUG.match(slug):
        return reverse(name, kwargs={"slug": slug})
    # Keyed on what reverse() depends on: the script prefix and the URLconf in use.
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    before, after = url_before_and_after_slug(name, get_script_prefix(), urlconf)
    return f"{before}{slug}{after}"
