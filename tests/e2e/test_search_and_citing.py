"""Search, copy link and cite, as a reader uses them.

These features arrive on other branches (search: issue 3; copy link and cite: issue 4).
Until a feature is on the branch under test its test skips and says so; once merged,
the skip no longer fires and the test must pass.
"""

import re

from releases.models import Release

from .pages import SEED_SLUG, follow, visit


def require(locator, feature: str):
    assert locator.count(), f"no {feature} on the page"
    return locator.first


def test_search_a_phrase_and_see_it_highlighted(page):
    visit(page, "home")
    box = require(
        page.get_by_role("searchbox").or_(page.locator("[role=search] input[name=q]")),
        "a search box on the home page",
    )
    box.fill("smart city")
    box.press("Enter")
    page.wait_for_url("**/search/?*")
    highlights = page.locator("main mark").all_inner_texts()
    assert highlights, "no highlighted words in the results"
    assert all(re.match(r"(smart|cit)", text.strip(), re.IGNORECASE) for text in highlights)
    first = page.locator("main h2 a, main h3 a").first
    title = first.inner_text()
    follow(page, first)
    assert page.get_by_role("heading", level=1).inner_text() == title


def test_search_without_results_says_so(page):
    visit(page, "search-no-results")
    assert re.search(r"\bno\b.*(release|result|match)", page.locator("main").inner_text(), re.I)


def test_copy_link_puts_the_permalink_on_the_clipboard(page, site):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site.url)
    visit(page, "detail")
    button = require(page.get_by_role("button", name="Copy link"), "copy link")
    button.click()
    expect_text(page.locator(".share [role=status]"), "Copied")
    assert page.evaluate("navigator.clipboard.readText()") == f"{site.url}/releases/{SEED_SLUG}/"


def test_cite_a_release_in_a_chosen_style(page, site):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site.url)
    seed = Release.objects.get(slug=SEED_SLUG)
    visit(page, "detail")
    require(page.get_by_role("heading", name="Cite this release"), "cite")
    citations = page.locator(".cite__text").all_inner_texts()
    assert citations and all(seed.title in text for text in citations)
    copy_apa = page.get_by_role("button", name="Copy APA citation")
    apa = page.locator(".cite__style", has=copy_apa).locator(".cite__text").inner_text()
    copy_apa.click()
    assert page.evaluate("navigator.clipboard.readText()") == apa
    with page.expect_download() as download:
        page.get_by_role("link", name="BibTeX (.bib)").click()
    assert "@" in download.value.path().read_text()


def expect_text(locator, text: str):
    locator.filter(has_text=text).wait_for()
