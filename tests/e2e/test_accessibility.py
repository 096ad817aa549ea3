"""Accessibility beyond what axe sees on one page: keyboard use, and the admin change form.

test_page_types.py runs axe-core on every public page type."""

import pytest

from releases.models import Release

from .pages import SEED_SLUG, use_color_scheme, visit

# Tab stops are the elements a keyboard user can reach, in the order the DOM gives them.
TAB_STOPS = """[...document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]'
  )].filter(el => el.tabIndex >= 0 && !el.disabled && el.getClientRects().length
                  && getComputedStyle(el).visibility !== 'hidden')"""
DESCRIBE_STOPS = f"() => {TAB_STOPS}.map(el => el.outerHTML.slice(0, 80))"
FOCUSED = f"""() => {{
  const el = document.activeElement, style = getComputedStyle(el), box = el.getBoundingClientRect();
  return {{
    stop: {TAB_STOPS}.indexOf(el),
    html: el.outerHTML.slice(0, 80),
    outline: style.outlineStyle === 'none' ? 0 : parseFloat(style.outlineWidth),
    inView: box.bottom > 0 && box.top < innerHeight && box.right > 0 && box.left < innerWidth,
  }};
}}"""


@pytest.mark.parametrize("name", ["home", "list", "detail"])
def test_tab_reaches_skip_link_first_then_every_control_in_order(page, name):
    visit(page, name)
    stops = page.evaluate(DESCRIBE_STOPS)
    assert "Skip to content" in stops[0]
    reached = []
    for _ in range(len(stops) * 4):  # a date field takes four: day, month, year, calendar
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        assert focused["outline"] >= 2, f"no visible focus on {focused['html']}"
        assert focused["inView"], f"focused element is off screen: {focused['html']}"
        if not reached or reached[-1] != focused["stop"]:
            reached.append(focused["stop"])
        if len(reached) == len(stops):
            break
    assert [stops[i] if i >= 0 else "(not a tab stop)" for i in reached] == stops


def test_skip_link_moves_focus_past_the_navigation(page):
    visit(page, "detail")
    page.keyboard.press("Tab")
    assert page.locator(".skip-link").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    assert page.evaluate("!!document.activeElement.closest('main')")


def test_filtering_works_by_keyboard_alone(page):
    visit(page, "list")
    tab_until(page, "select[name=agency]")
    page.keyboard.type("Infocomm")  # type-ahead picks the option, as on every desktop browser
    tab_until(page, "input[name=year]")
    page.keyboard.type("2022")
    tab_until(page, ".filters button")
    page.keyboard.press("Enter")
    page.wait_for_url("**/releases/?*")
    assert "agency=imda" in page.url and "year=2022" in page.url
    chips = page.locator(".chip").all_inner_texts()
    assert len(chips) == 2 and "Infocomm" in chips[0] and "2022" in chips[1]


def tab_until(page, selector: str, limit: int = 80):
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} not reached in {limit} presses of Tab")


def test_admin_change_form_has_no_serious_violations(page, axe, staff_login):
    staff_login(page)
    seed = Release.objects.get(slug=SEED_SLUG)
    response = page.goto(f"/admin/releases/release/{seed.pk}/change/")
    assert response.status == 200
    assert axe(page) == []
    use_color_scheme(page, "dark")
    assert axe(page) == []
