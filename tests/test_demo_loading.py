"""Demo data and fixtures never undo staff work: `load_demo`, `loaddata`, and saves after them."""

from django.urls import reverse

from releases.models import Release, ReleaseRevision

NO_REDIRECTS = {"redirects-TOTAL_FORMS": "0", "redirects-INITIAL_FORMS": "0"}


def admin_post(admin_client, release, **changes):
    """Post the change form for `release` as stored, with some fields edited."""
    release.refresh_from_db()
    data = {
        "title": release.title,
        "slug": release.slug,
        "kind": release.kind,
        "summary": release.summary,
        "body": release.body,
        "agencies": ", ".join(a.name for a in release.agencies.all()),
        "programmes": ", ".join(p.name for p in release.programmes.all()),
        "figures": ", ".join(f.name for f in release.figures.all()),
        "status": release.status,
        "published_on": release.published_on.isoformat(),
        "language": release.language,
        "correction_note": release.correction_note,
        "source": release.source,
        "source_url": release.source_url,
        "hero_image_alt": release.hero_image_alt,
        "version": release.version,
        **NO_REDIRECTS,
        **changes,
    }
    return admin_client.post(reverse("admin:releases_release_change", args=[release.pk]), data)


# --- A version behind the history ------------------------------------------------------


def test_a_save_after_the_version_fell_behind_its_history_goes_through(admin_client, release):
    assert admin_post(admin_client, release, title="Corrected once").status_code == 302
    # What a fixture loaded over the edited release used to leave behind.
    Release.objects.filter(pk=release.pk).update(version=1)

    response = admin_post(admin_client, release, title="Corrected twice")

    assert response.status_code == 302
    release.refresh_from_db()
    assert release.title == "Corrected twice"
    assert release.version == 3
    assert list(release.revisions.values_list("version", flat=True)) == [3, 2]


def test_a_list_action_after_the_version_fell_behind_its_history_goes_through(
    admin_client, release
):
    assert admin_post(admin_client, release, title="Corrected once").status_code == 302
    Release.objects.filter(pk=release.pk).update(version=1)

    response = admin_client.post(
        reverse("admin:releases_release_changelist"),
        {"action": "unpublish", "_selected_action": [release.pk]},
    )

    assert response.status_code == 302
    release.refresh_from_db()
    assert (release.status, release.version) == ("draft", 3)
    assert ReleaseRevision.objects.filter(release=release, version=3).exists()
