"""A staff member corrects a release in the admin, and readers see the correction."""

from releases.models import Agency, Release

from .pages import SEED_SLUG, follow, screenshot


def test_staff_edit_title_and_tags_then_readers_see_them(page, staff_login):
    seed = Release.objects.get(slug=SEED_SLUG)
    staff_login(page)
    page.goto("/admin/releases/release/")
    follow(page, page.get_by_role("link", name=seed.title))

    page.get_by_label("Title").fill("Singapore and Shenzhen sign eight digital economy MoUs")
    programmes = page.get_by_label("Programmes")
    programmes.fill(programmes.input_value() + ", Cross-Border Data Pilot")
    page.get_by_label("An update: news added").check()  # readers will see it
    follow(page, page.get_by_role("button", name="Save", exact=True))
    assert "was changed successfully" in page.locator(".messagelist").inner_text()

    page.goto(f"/releases/{SEED_SLUG}/")  # the permalink survives a new title
    assert (
        page.get_by_role("heading", level=1).inner_text()
        == "Singapore and Shenzhen sign eight digital economy MoUs"
    )
    facts = page.locator(".release__facts")
    follow(page, facts.get_by_role("link", name="Cross-Border Data Pilot"))
    assert page.get_by_role("heading", level=1).inner_text() == "Cross-Border Data Pilot"
    assert page.locator(".card__title").all_inner_texts() == [
        "Singapore and Shenzhen sign eight digital economy MoUs"
    ]


def test_staff_merge_a_duplicate_agency_and_the_release_history_shows_it(page, staff_login):
    """A press officer folds a misspelt agency into the real one; each release says so."""
    from django.contrib.auth.models import Permission, User

    User.objects.get(username="editor").user_permissions.add(
        *Permission.objects.filter(codename__in=["view_agency", "change_agency"])
    )
    seed = Release.objects.get(slug=SEED_SLUG)
    typo = Agency.objects.create(name="Infocomm Media Devt Authority", slug="imda-typo")
    seed.agencies.add(typo)
    staff_login(page)

    page.goto("/admin/releases/agency/?q=infocomm")
    for name in ("Infocomm Media Development Authority", "Infocomm Media Devt Authority"):
        page.get_by_role("row", name=name).get_by_role("checkbox").check()
    page.locator("select[name=action]").select_option(label="Merge selected agencies into one")
    # Both forms post back to the list's own address: wait for the response, not a new URL.
    with page.expect_navigation():
        page.get_by_role("button", name="Go").click()
    page.get_by_label("Infocomm Media Development Authority (IMDA) imda").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Merge").click()
    assert "Merged 1 into" in page.locator(".messagelist").inner_text()

    page.goto(f"/admin/releases/release/{seed.pk}/history/")
    latest = page.locator("#release-revisions tbody tr").first
    assert "Merged Infocomm Media Devt Authority into Infocomm Media Development Authority." in (
        latest.inner_text()
    )
    assert "Infocomm Media Devt Authority" in latest.locator("del").inner_text()
    assert "Devt" not in latest.locator("ins").inner_text()
    screenshot(page, "admin-history-after-merge")
    page.goto("/agencies/imda-typo/")
    assert page.url.endswith("/agencies/imda/")
