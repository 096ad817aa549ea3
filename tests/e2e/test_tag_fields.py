"""A press officer types tags in the admin: suggestions, quotes and commas, near-duplicates."""

from releases.models import Agency, Programme, Release

from .pages import SEED_SLUG, follow, screenshot


def suggestions(page, field, typed) -> list[str]:
    """Type into a tag field and return the completed field values the browser offers."""
    options = page.locator(f"#{field.get_attribute('list')} option")
    field.fill("")
    options.evaluate_all("(found) => found.forEach((option) => option.remove())")
    field.press_sequentially(typed, delay=20)
    options.first.wait_for(state="attached")
    return [options.nth(i).get_attribute("value") for i in range(options.count())]


def test_a_suggested_name_with_a_comma_or_quotes_goes_in_whole(page, staff_login):
    Programme.objects.create(name="Research, Innovation and Enterprise", slug="rie")
    Programme.objects.create(name='"Smart Nation" Sensor Platform', slug="snsp")
    seed = Release.objects.get(slug=SEED_SLUG)
    staff_login(page)
    page.goto(f"/admin/releases/release/{seed.pk}/change/")
    programmes = page.get_by_label("Programmes")
    typed = programmes.input_value()

    offered = suggestions(page, programmes, typed + ", Innovation and")
    assert offered == [typed + ', "Research, Innovation and Enterprise"']

    offered = suggestions(page, programmes, offered[0] + ', "Smart Nation')
    completed = (
        typed + ', "Research, Innovation and Enterprise", """Smart Nation"" Sensor Platform"'
    )
    assert completed in offered

    programmes.fill(completed)  # what choosing the suggestion puts in the field
    page.get_by_label("An update: news added").check()
    follow(page, page.get_by_role("button", name="Save", exact=True))
    assert "was changed successfully" in page.locator(".messagelist").inner_text()
    assert {"Research, Innovation and Enterprise", '"Smart Nation" Sensor Platform'} <= set(
        seed.programmes.values_list("name", flat=True)
    )
    assert Programme.objects.count() == 12


def test_a_near_duplicate_agency_is_asked_about_and_one_save_takes_the_suggestion(
    page, staff_login
):
    seed = Release.objects.get(slug=SEED_SLUG)
    agencies_before = Agency.objects.count()
    staff_login(page)
    page.goto(f"/admin/releases/release/{seed.pk}/change/")
    field = page.get_by_label("Agencies")
    field.fill(field.input_value() + ", Cyber Security Agency")
    page.get_by_label("An update: news added").check()
    page.get_by_role("button", name="Save", exact=True).click()

    question = page.locator(".errorlist", has_text="Did you mean")
    assert question.inner_text().startswith(
        "Did you mean “Cyber Security Agency of Singapore”? Choose, then save again:"
    )
    assert page.get_by_label("Use “Cyber Security Agency of Singapore”").is_checked()
    assert page.get_by_label("Create a new agency “Cyber Security Agency”").is_visible()
    screenshot(page, "admin-near-duplicate-agency")

    follow(page, page.get_by_role("button", name="Save", exact=True))
    assert "was changed successfully" in page.locator(".messagelist").inner_text()
    assert "csa" in set(seed.agencies.values_list("slug", flat=True))
    assert Agency.objects.count() == agencies_before
