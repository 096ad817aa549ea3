"""An editor opens a release in the admin and saves it without changing anything.

The browser posts the body with `\\r\\n` line endings; nothing must look changed after.
"""

from releases.models import Release, ReleaseRevision

from .pages import SEED_SLUG, follow


def test_saving_a_release_unchanged_shows_no_update_and_no_new_history(page, staff_login):
    seed = Release.objects.get(slug=SEED_SLUG)
    assert "\n" in seed.body  # a body of several lines, which the browser sends as \r\n
    staff_login(page)
    page.goto("/admin/releases/release/")
    follow(page, page.get_by_role("link", name=seed.title))
    follow(page, page.get_by_role("button", name="Save", exact=True))
    assert "was changed successfully" in page.locator(".messagelist").inner_text()

    saved = Release.objects.get(pk=seed.pk)
    assert (saved.body, saved.version, saved.revised_at) == (seed.body, seed.version, None)
    assert not ReleaseRevision.objects.filter(release=seed).exists()

    page.goto(f"/releases/{SEED_SLUG}/")
    assert "Updated on" not in page.locator("main").inner_text()

    page.goto(f"/admin/releases/release/{seed.pk}/history/")
    revisions = page.locator("#release-revisions")
    assert "No changes have been recorded for this release yet." in revisions.inner_text()
    assert "Changed" not in page.locator("#change-history").inner_text()
