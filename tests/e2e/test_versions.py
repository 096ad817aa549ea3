"""An editor corrects a published release; a reader finds every version and what changed."""

from django.utils import timezone

from releases.models import Release

from .pages import SEED_SLUG, follow, screenshot


def test_editor_corrects_a_release_and_a_reader_reads_and_compares_its_versions(page, staff_login):
    seed = Release.objects.get(slug=SEED_SLUG)
    staff_login(page)
    page.goto(f"/admin/releases/release/{seed.pk}/change/")
    body = page.get_by_label("Body")
    body.fill(body.input_value().replace("eight (8)", "nine (9)", 1))
    page.get_by_label("Correction note").fill("An earlier version said eight MoUs.")

    # A change readers will see needs its kind: the form asks, and saves nothing yet.
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_load_state()
    assert "say whether it is a correction" in page.locator(".errorlist").first.inner_text()
    assert Release.objects.get(pk=seed.pk).version == seed.version

    page.get_by_label("A correction: an error fixed").check()
    follow(page, page.get_by_role("button", name="Save", exact=True))
    assert "was changed successfully" in page.locator(".messagelist").inner_text()

    page.goto(f"/releases/{SEED_SLUG}/")
    today = timezone.localdate()
    versions = page.locator(".release__versions .version-list li")
    assert versions.all_inner_texts() == ["Issued 2 Dec 2022", f"Corrected {today:%-d %b %Y}"]
    note = page.locator(".notice--correction")
    assert "An earlier version said eight MoUs." in note.inner_text()
    assert "nine (9) Memoranda" in page.locator(".release__body").inner_text()
    screenshot(page, "versions-detail")

    follow(page, versions.get_by_role("link", name="Issued 2 Dec 2022"))
    assert page.url.endswith(f"/releases/{SEED_SLUG}/v/1/")
    assert "An earlier version: version 1 of 2" in page.locator(".notice--version").inner_text()
    assert "eight (8) Memoranda" in page.locator(".release__body").inner_text()
    assert page.locator(".notice--correction").count() == 0  # the note came with version 2
    screenshot(page, "versions-earlier")

    follow(page, page.get_by_role("link", name="What changed since"))
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading == "What changed from version 1 to version 2"
    text = page.locator(".diff").first
    assert text.locator("del").first.inner_text() == "eight (8)"
    assert text.locator("ins").first.inner_text() == "nine (9)"
    screenshot(page, "versions-compare")

    follow(page, page.get_by_role("link", name="Singapore, China Ink MoU", exact=False))
    assert page.url.endswith(f"/releases/{SEED_SLUG}/")
