"""Every page type a reader can land on, and helpers the browser tests share."""

from pathlib import Path

import pytest
from django.conf import settings

SEED_SLUG = "singapore-china-ink-mou-partner-on-digital-economy-initiatives"
WITHDRAWN_SLUG = "government-sets-out-vision-smart-nation"
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"

# name -> (path, expected status)
PAGE_TYPES = {
    "home": ("/", 200),
    "list": ("/releases/", 200),
    "list-page-3": ("/releases/?page=3", 200),
    "filtered-list": ("/releases/?agency=imda&year=2022", 200),
    "bad-filter": ("/releases/?from=2022-13-45", 400),
    "detail": (f"/releases/{SEED_SLUG}/", 200),
    "withdrawn": (f"/releases/{WITHDRAWN_SLUG}/", 200),
    "tag-index": ("/agencies/", 200),
    "tag-page": ("/agencies/imda/", 200),
    "figure-index": ("/figures/", 200),
    "not-found": ("/releases/no-such-release/", 404),
    "search": ("/search/?q=smart+city", 200),
    "search-no-results": ("/search/?q=xylophone", 200),
    "version": (f"/releases/{SEED_SLUG}/v/1/", 200),
    "version-compare": (f"/releases/{SEED_SLUG}/v/compare/?from=1&to=2", 200),
}


# Pages that arrive with another branch; their tests skip until the URL exists.
def page_types():
    return [pytest.param(name, id=name) for name in PAGE_TYPES]


def withdraw_shipped_release():
    """For the withdrawn page type: one shipped release, withdrawn as an editor would."""
    from releases import withdrawal
    from releases.models import Release

    release = Release.objects.get(slug=WITHDRAWN_SLUG)
    withdrawal.withdraw({release.pk: release.version}, "issued in error; see the 9 Jan release")


def correct_shipped_release():
    """For the versions' page types: the seed release corrected once, as an editor would."""
    from releases.models import Release

    from ..editing import edit

    release = Release.objects.get(slug=SEED_SLUG)
    edit(
        release,
        kind="correction",
        body=release.body.replace("eight (8)", "nine (9)", 1),
        correction_note="An earlier version gave the number of MoUs as eight.",
    )


# Page types that need the archive changed before they exist.
PREPARE = {
    "withdrawn": withdraw_shipped_release,
    "version": correct_shipped_release,
    "version-compare": correct_shipped_release,
}


def visit(page, name: str):
    """Open a page type and check its status."""
    path, status = PAGE_TYPES[name]
    if name in PREPARE:
        PREPARE[name]()
    response = page.goto(path)
    assert response.status == status, f"{path} answered {response.status}"
    return response


def screenshot(page, name: str):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)


def use_color_scheme(page, scheme: str):
    """Switch the emulated system colour scheme and let colour transitions finish,
    so contrast is measured on the final colours."""
    page.emulate_media(color_scheme=scheme)
    page.evaluate("() => Promise.all(document.getAnimations().map(a => a.finished))")


def follow(page, locator):
    """Click a link or submit button and wait until the page it opens has loaded, so
    what the test reads next comes from the new page, whole."""
    before = page.url
    locator.click()
    page.wait_for_url(lambda url: url != before)
