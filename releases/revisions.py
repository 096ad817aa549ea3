"""Every saved change to a release is recorded here, whichever path it took.

The admin form, the list actions (publish, unpublish), a tag merge and an import each
bump the release's version where they write it, then call `record` with what changed.
`record` writes one ReleaseRevision per change and applies the rule the public page
shows as "Updated on": `is_correction`.
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace

from django.db.models import Max
from django.utils import timezone

from .models import Release, ReleaseRevision


@dataclass(frozen=True)
class Change:
    """One release's change: its new version and each tracked field's [old, new] text."""

    release_id: int
    version: int
    changes: dict
    was_public: bool = False  # readers could see the release before this change
    is_public: bool = False  # and can after it
    note: str = ""


def is_correction(change: Change, housekeeping: bool = False) -> bool:
    """Whether readers are told the release was updated ("Updated on" and its date).

    A release that was public and still is, changed in more than its status. Publishing
    or unpublishing is not a correction, nor is housekeeping that renames no words of
    the release (merging duplicate tags into one).
    """
    return (
        not housekeeping
        and change.was_public
        and change.is_public
        and bool(set(change.changes) - {"status"})
    )


def after_recorded(changes: list[Change]) -> list[Change]:
    """The changes, each numbered above every revision its release already has.

    A release's stored version can fall behind its history when a row is written around
    the app (a fixture loaded over an edited release, SQL). Its next revision still comes
    after the last one, and the release takes that number as its version.
    """
    latest = dict(
        ReleaseRevision.objects.filter(release_id__in={change.release_id for change in changes})
        .values("release_id")
        .annotate(top=Max("version"))
        .values_list("release_id", "top")
    )
    lifted = []
    for change in changes:
        if change.version <= latest.get(change.release_id, 0):
            change = replace(change, version=latest[change.release_id] + 1)
            Release.objects.filter(pk=change.release_id).update(version=change.version)
        lifted.append(change)
    return lifted


def record(
    changes: Iterable[Change],
    *,
    via: str,
    user=None,
    saved_at=None,
    housekeeping: bool = False,
) -> set[int]:
    """Write a revision for each change; stamp the corrections. Returns their release ids."""
    saved_at = saved_at or timezone.now()
    changes = after_recorded([change for change in changes if change.changes])
    ReleaseRevision.objects.bulk_create(
        (
            ReleaseRevision(
                release_id=change.release_id,
                version=change.version,
                saved_at=saved_at,
                user=user,
                via=via,
                note=change.note[:200],
                changes=change.changes,
            )
            for change in changes
        ),
        batch_size=500,
    )
    corrected = {change.release_id for change in changes if is_correction(change, housekeeping)}
    if corrected:
        Release.objects.filter(pk__in=corrected).update(revised_at=saved_at)
    return corrected
