"""A staff member corrects a release in the admin, and readers see the correction."""

from releases.models import Release

from .pages import SEED_SLUG, follow


def test_staff_edit_title_and_tags_then_readers_see_them(page, staff_login):
    seed = Release.objects.get(slug=SEED_SLUG)
    staff_login(page)
    page.goto("/admin/releases/release/")
    follow(page, page.get_by_role("link", name=seed.title))

    page.get_by_label("Title").fill("Singapore and Shenzhen sign eight digital economy MoUs")
    programmes = page.get_by_label("Programmes")
    programmes.fill(programmes.input_value() + ", Cross-Border Data Pilot")
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
