"""An editor withdraws a release with a reason; a reader finds its page greyed, and no
longer finds it in the list. (test_page_types.py checks the withdrawn page's contrast.)"""

from releases.models import Release

from .pages import SEED_SLUG, screenshot, use_color_scheme

INK_SOFT = {"light": "rgb(74, 83, 96)", "dark": "rgb(179, 176, 168)"}  # --ink-soft


def test_editor_withdraws_and_readers_see_the_greyed_page_not_the_listing(
    page, browser, site, staff_login, axe
):
    seed = Release.objects.get(slug=SEED_SLUG)
    staff_login(page)
    page.goto("/admin/releases/release/")
    page.get_by_role("row", name=seed.title).get_by_role("checkbox").check()
    page.locator("select[name=action]").select_option(
        label="Withdraw selected releases (with a reason)"
    )
    # The action and its reason page both post to the list's address.
    with page.expect_navigation():
        page.get_by_role("button", name="Go").click()
    page.get_by_role("button", name="Withdraw").click()  # no reason yet: asked again
    assert page.get_by_label("Reason").evaluate("el => el.validity.valueMissing")
    page.get_by_label("Reason").fill("Issued in error")
    screenshot(page, "admin-withdraw-reason")
    with page.expect_navigation():
        page.get_by_role("button", name="Withdraw").click()
    assert "Withdrew 1 release." in page.locator(".messagelist").inner_text()
    assert "Withdrawn on" in page.get_by_role("row", name=seed.title).inner_text()

    reader = browser.new_context(base_url=site.url).new_page()
    reader.goto("/releases/")
    assert seed.title not in reader.locator(".card__title").all_inner_texts()
    response = reader.goto(f"/releases/{SEED_SLUG}/")
    assert response.status == 200
    notice = reader.locator(".notice--withdrawn")
    assert notice.inner_text().startswith("Withdrawn on ")
    assert ": Issued in error" in notice.inner_text()
    assert reader.get_by_role("heading", level=1).inner_text() == seed.title
    for scheme in ("light", "dark"):
        use_color_scheme(reader, scheme)
        colour = reader.locator(".release--withdrawn .release__body").evaluate(
            "el => getComputedStyle(el).color"
        )
        assert colour == INK_SOFT[scheme]
        screenshot(reader, f"withdrawn-{scheme}")
        assert axe(reader) == []
    reader.context.close()
