"""Withdrawing a public release, reinstating it, and what deleting one leaves behind.

A published release is taken back by withdrawing it, not by deleting it: its page
stays, greyed, with the date and the reason at the top, and its addresses keep
answering; it leaves every list, count, search, tag page and related list, because
`ReleaseQuerySet.published()` holds only published status. Withdrawing and reinstating
each bump the release's version and write a revision through `revisions.record`, so an
editor who has the release open in the form, or on the withdrawal page, is told what
changed instead of saving over it.

Deleting is for superusers (releases/withdrawal_admin.py); a deleted release that
readers could have seen leaves its addresses behind as `RemovedSlug`s, which answer
410 Gone.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from . import revisions
from .models import Release, ReleaseRevision, RemovedSlug
from .text_cleaning import tidy_line

REASON_MAX = Release._meta.get_field("withdrawal_reason").max_length


class Refused(Exception):
    """Nothing was changed; `messages` say why, one per release."""

    def __init__(self, messages: list[str]):
        super().__init__(" ".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class Step:
    """Withdrawing or reinstating: what it needs of a release and what it sets."""

    verb: str  # "withdrawn", "reinstated"
    before: str  # the status it applies to
    after: str

    def applies_to(self, release) -> bool:
        if self.before == Release.Status.PUBLISHED:
            return release.is_public  # never a draft or a scheduled release: they were never seen
        return release.status == self.before

    def refusal(self, release) -> str:
        """Why this step does not apply to a release, in an editor's words."""
        if self is WITHDRAW:
            if release.is_withdrawn:
                return f"“{release.title}” is already withdrawn."
            return (
                f"“{release.title}” is not public ({state_of(release)}), so readers have "
                "nothing to be told: unpublish it instead."
            )
        return f"“{release.title}” is not withdrawn ({state_of(release)})."


WITHDRAW = Step("withdrawn", Release.Status.PUBLISHED, Release.Status.WITHDRAWN)
REINSTATE = Step("reinstated", Release.Status.WITHDRAWN, Release.Status.PUBLISHED)


def state_of(release) -> str:
    if release.status == Release.Status.PUBLISHED and not release.is_public:
        return "scheduled"
    return release.get_status_display().lower()


def clean_reason(text: str) -> str:
    """The reason as readers will see it: one line, without control characters."""
    reason = " ".join(tidy_line(text or "").split())
    if not reason:
        raise Refused(["Give the reason readers will see, e.g. “issued in error”."])
    if len(reason) > REASON_MAX:
        raise Refused([f"Keep the reason to {REASON_MAX} characters; it is shown on one line."])
    return reason


def withdraw(opened: dict[int, int], reason: str, *, user=None) -> list[Release]:
    """Withdraw the releases of `opened` ({id: version the editor saw}) with a reason.

    All or nothing: if any of them changed since it was opened, or is not public,
    `Refused` says so and nothing is withdrawn.
    """
    reason = clean_reason(reason)
    return apply(WITHDRAW, opened, user=user, reason=reason)


def reinstate(opened: dict[int, int], *, user=None) -> list[Release]:
    """Make withdrawn releases public again, as they were; all or nothing, like `withdraw`."""
    return apply(REINSTATE, opened, user=user, reason="")


def apply(step: Step, opened: dict[int, int], *, user, reason: str) -> list[Release]:
    now = timezone.now()
    with transaction.atomic():
        releases = list(Release.objects.select_for_update().filter(pk__in=list(opened)))
        problems = [
            *(f"Release {pk} no longer exists." for pk in set(opened) - {r.pk for r in releases}),
            *(problem for release in releases if (problem := check(step, release, opened))),
        ]
        if problems:
            raise Refused(problems)
        withdrawn_at = now if step is WITHDRAW else None
        Release.objects.filter(pk__in=list(opened)).update(
            status=step.after,
            withdrawn_at=withdrawn_at,
            withdrawal_reason=reason,
            version=F("version") + 1,
            updated_at=now,
        )
        revisions.record(
            (change(step, release, reason) for release in releases),
            via=ReleaseRevision.Via.ACTION,
            user=user,
            saved_at=now,
        )
    return releases


def check(step: Step, release, opened: dict[int, int]) -> str:
    """Why `step` may not be applied to this release now ("" when it may)."""
    if release.version != opened[release.pk]:
        return changed_since(release, opened[release.pk])
    if not step.applies_to(release):
        return step.refusal(release)
    return ""


def change(step: Step, release, reason: str) -> revisions.Change:
    """The revision: status and reason, old and new. Neither step is a new public
    version (`versions.versions_made`): the release is not public on one side of it."""
    changes = {"status": [release.status, step.after]}
    if release.withdrawal_reason != reason:
        changes["withdrawal_reason"] = [release.withdrawal_reason, reason]
    return revisions.Change(
        release_id=release.pk,
        version=release.version + 1,
        changes=changes,
        was_public=release.is_public,
        is_public=step.after == Release.Status.PUBLISHED,
        note=f"Withdrawn: {reason}" if reason else "Reinstated.",
    )


def changed_since(release, version: int) -> str:
    """Who changed the release after `version` was opened, and what they changed."""
    revisions_since = list(
        release.revisions.filter(version__gt=version).select_related("user").order_by("version")
    )
    authors = ", ".join(dict.fromkeys(r.author for r in revisions_since)) or "someone"
    fields = ", ".join(
        dict.fromkeys(
            str(Release._meta.get_field(name).verbose_name)
            for revision in revisions_since
            for name in revision.changes
        )
    )
    return (
        f"“{release.title}” was changed by {authors} after you opened this page (it is now "
        f"version {release.version}; you opened version {version})"
        + (f": {fields}." if fields else ".")
        + " Look at it again before you decide."
    )


def opened_versions(values) -> dict[int, int]:
    """{release id: version} from the page's "id:version" fields; malformed ones skipped."""
    opened = {}
    for value in values:
        pk, _, version = str(value).partition(":")
        if pk.isdigit() and version.isdigit():
            opened[int(pk)] = int(version)
    return opened


# --- Deleting ------------------------------------------------------------------------


def addresses(release) -> list[str]:
    """The release's slug and every old slug that still redirects to it."""
    return [release.slug, *release.old_slugs.values_list("slug", flat=True)]


def leave_addresses(releases) -> None:
    """Before deleting: keep the addresses of the once-public ones, to answer 410 Gone.

    A draft that was never public leaves nothing, so its address stays unknown (404).
    """
    now = timezone.now()
    slugs = [slug for release in releases.once_public() for slug in addresses(release)]
    RemovedSlug.objects.filter(slug__in=slugs).delete()
    RemovedSlug.objects.bulk_create(RemovedSlug(slug=slug, removed_at=now) for slug in slugs)


def removed(slug: str) -> RemovedSlug | None:
    """The record of a deleted once-public release that lived at this slug, if any."""
    return RemovedSlug.objects.filter(slug=slug).first()
