"""Every saved change to a release is recorded here, whichever path it took.

The admin form, the list actions (publish, unpublish, withdraw), a tag merge and an
import each bump the release's version where they write it, then call `record` with what
changed. `record` writes one ReleaseRevision per change, keeps the public versions the
changes make (releases/versions.py), and stamps the releases given a new one: the public
page shows that as "Updated on".
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace

from django.db.models import Max
from django.utils import timezone

from . import versions
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
    # For a change readers see: "correction" (an error fixed) or "update" (news added),
    # as the editor typed it; an update when nobody did (an import).
    kind: str = ""


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
    """Write a revision for each change, and the public versions they make.

    Housekeeping (merging duplicate tags into one) renames no words of a release, so it
    makes no version. Returns the ids of the releases given a new public version.
    """
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
    revised = set() if housekeeping else versions.keep(changes, saved_at=saved_at)
    if revised:
        Release.objects.filter(pk__in=revised).update(revised_at=saved_at)
    return revised
