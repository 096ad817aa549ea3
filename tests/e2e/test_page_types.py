"""Every page type, checked as it renders in Chromium: accessibility in light and dark,
language and alt text, weight and requests, layout from 320 px up; screenshots saved.

One test per page type loads the page once and runs each check as a subtest, so a
failure names the page and the check without paying for a fresh database each time.
"""

import pytest

from .pages import page_types, screenshot, use_color_scheme, visit

PAGE_BUDGET = 100 * 1024  # bytes of HTML, CSS and JS over the wire, images aside
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
BACKGROUND = "() => getComputedStyle(document.body).backgroundColor"
UNDESCRIBED_IMAGES = """() => [...document.querySelectorAll('img, input[type=image], svg')]
  .filter(el => el.tagName === 'svg'
    ? el.getAttribute('aria-hidden') !== 'true' && !el.getAttribute('aria-label')
    : el.getAttribute('alt') === null)
  .map(el => el.outerHTML.slice(0, 80))"""


@pytest.mark.parametrize("name", page_types())
def test_page_type(page, finished_requests, site, axe, subtests, name):
    visit(page, name)

    with subtests.test("weight and requests"):
        weight = sum(
            request.sizes()["responseBodySize"] + request.sizes()["responseHeadersSize"]
            for request in finished_requests
            if request.resource_type not in {"image", "media"}
        )
        assert 0 < weight < PAGE_BUDGET, f"{name} weighs {weight} bytes"
        assert {request.url.split("/")[2] for request in finished_requests} == {
            site.url.split("/")[2]
        }

    with subtests.test("language and alt text"):
        assert page.get_attribute("html", "lang")
        assert page.evaluate(UNDESCRIBED_IMAGES) == []

    with subtests.test("layout from 320px to 1920px"):
        for width in (320, 1920, 375, 1280):  # ends at 1280 for the checks below
            page.set_viewport_size({"width": width, "height": 900})
            assert page.evaluate(OVERFLOW) <= 0, f"{name} scrolls sideways at {width}px"
            if width in (375, 1280):
                screenshot(page, f"{name}-{width}")

    with subtests.test("axe, light"):
        assert axe(page) == []

    light = page.evaluate(BACKGROUND)
    use_color_scheme(page, "dark")
    screenshot(page, f"{name}-1280-dark")
    with subtests.test("axe, dark"):
        assert page.evaluate(BACKGROUND) != light, "dark mode does not follow the system"
        assert axe(page) == []
