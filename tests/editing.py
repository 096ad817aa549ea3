"""Changing a release as the admin form does, for tests that need a later version."""

from django.utils import timezone

from releases import revisions
from releases.models import Release, ReleaseRevision, changes_between


def edit(release, *, kind="", at=None, tags=None, **fields):
    """Save the release with `fields` (and `tags`: {field: names}), then record the change
    as a `kind` ("correction" or "update") saved `at`; returns the release as stored."""
    release = Release.objects.get(pk=release.pk)
    before = release.snapshot()
    was_public = release.is_public
    for name, value in fields.items():
        setattr(release, name, value)
    release.save()
    for field, names in (tags or {}).items():
        getattr(release, field).set(names)
    change = revisions.Change(
        release_id=release.pk,
        version=release.version,
        changes=changes_between(before, release.snapshot()),
        was_public=was_public,
        is_public=release.is_public,
        kind=kind,
    )
    revisions.record([change], via=ReleaseRevision.Via.ADMIN, saved_at=at or timezone.now())
    return Release.objects.get(pk=release.pk)
