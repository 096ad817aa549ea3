"""Design details a reader notices: human dates with machine-readable twins, print."""

import re

from .pages import visit


def test_dates_are_human_and_machine_readable(page):
    visit(page, "list")
    times = page.locator("main time")
    assert times.count() == 20
    for element in times.all():
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", element.get_attribute("datetime"))
        assert re.fullmatch(r"\d{1,2} [A-Z][a-z]+ \d{4}", element.inner_text())


def test_print_shows_the_release_without_navigation(page):
    visit(page, "detail")
    page.emulate_media(media="print")
    assert page.locator("article.release h1").is_visible()
    assert page.locator(".release__body").is_visible()
    for chrome in ("nav[aria-label=Main]", ".site-footer", ".neighbours", ".share"):
        assert page.locator(chrome).is_hidden(), f"{chrome} is printed"
