"""Public versions: which changes make one, how they are kept, and how they are read.

A release's version 1 is what readers could read when it became public; each later
version is a change readers could see, typed by the editor as a correction (an error
fixed) or an update (news added). Nothing is written while a release is a draft or
scheduled, nor when it becomes due: until the first change after that, its one version
is its current text, and that first change keeps it (as it stood before the change)
beside the new one. So no request ever writes on a GET, and a scheduled release can be
edited freely until its day.

`keep` is called by `releases.revisions.record`, the one place every saved change is
recorded (the admin form, list actions, withdrawal, tag merges, imports).
"""

import datetime
from collections.abc import Iterable

from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.text import slugify

from .markup import render_markdown
from .models import Agency, Figure, Programme, Release, ReleaseVersion, published_via
from .models.versions import TAG_PAGES, KeptTag, start_of

Kind = ReleaseVersion.Kind

# What readers read: a change to any of these on a public release is a new version.
# The slug (its old address redirects), the picture, the language code and the status
# are not: they change no words of the release.
VISIBLE_FIELDS = (
    "title", "kind", "published_on", "summary", "body", "source", "source_url",
    "correction_note", *TAG_PAGES,
)  # fmt: skip

# An editor's choice of kind, for a change readers will see.
CHANGE_KINDS = [
    (Kind.CORRECTION, "A correction: an error fixed"),
    (Kind.UPDATE, "An update: news added"),
]

TAG_MODELS = {"agencies": Agency, "programmes": Programme, "figures": Figure}
# Tag names in a revision are joined with ", "; a name may hold ", " itself.
LONGEST_NAME_IN_PARTS = 6


def visible_changes(changes: dict) -> set[str]:
    """The fields of a {field: [old, new]} change that readers would see."""
    return set(changes) & set(VISIBLE_FIELDS)


# --- Reading ----------------------------------------------------------------------------


def history(release) -> list[ReleaseVersion]:
    """The release's public versions, oldest first; [] for a draft or a scheduled one."""
    if not (release.is_public or release.is_withdrawn):
        return []
    if release.revised_at is None and not release.is_withdrawn:
        # `keep` stamps every version after the first: this release has not changed in
        # public since it was issued, and what it kept, if anything, is its text now.
        return [first_of(release)]
    kept = list(release.versions.all())
    for version in kept:
        version.release = release
    return kept or [first_of(release)]


def first_of(release) -> ReleaseVersion:
    """Version 1 of a release never changed since it became public: its current text."""
    return ReleaseVersion.of(
        release, number=1, kind=Kind.ISSUED, published_at=start_of(release.published_on)
    )


def numbered(versions: list[ReleaseVersion], number: int) -> ReleaseVersion | None:
    return next((version for version in versions if version.number == number), None)


def notes(versions: list[ReleaseVersion]) -> list[ReleaseVersion]:
    """The versions whose note to readers was new with them, each shown with its date.

    A note stays in the release's note field until an editor replaces it, so a later
    version that left it alone repeats it: that one is not shown twice.
    """
    shown, previous = [], ""
    for version in versions:
        if version.note and version.note != previous:
            shown.append(version)
        previous = version.note
    return shown


def citation_label(version: ReleaseVersion) -> tuple[int, str, datetime.date]:
    """(2, "corrected", 5 Dec 2022): what a citation of this version says."""
    return version.number, version.verb.lower(), timezone.localdate(version.published_at)


def latest_times(release_ids: Iterable[int]) -> dict[int, datetime.datetime]:
    """{release id: when its newest kept version became public}, for those with any."""
    newest = {}
    rows = ReleaseVersion.objects.filter(release_id__in=list(release_ids)).values_list(
        "release_id", "published_at"
    )
    for release_id, published_at in rows:
        newest[release_id] = max(published_at, newest.get(release_id, published_at))
    return newest


def newest_time():
    """A subquery: when the newest kept version of the outer release became public."""
    newest = ReleaseVersion.objects.filter(release=OuterRef("pk")).order_by("-number")
    return Subquery(newest.values("published_at")[:1])


def last_changed(release) -> datetime.datetime:
    """When the release's current public version appeared; `last_version_at` annotated
    from `newest_time()`."""
    return release.last_version_at or start_of(release.published_on)


def newest_public_change() -> datetime.datetime | None:
    """When the newest public version of any published release appeared.

    One statement: the newest release date from the listing index, and the newest
    kept version of a published release from the versions' date index (neither reads
    every release).
    """
    kept = ReleaseVersion.objects.filter(published_via("release")).order_by("-published_at")
    newest = (
        Release.objects.published()
        .order_by("-published_on")
        .annotate(newest_kept=Subquery(kept.values("published_at")[:1]))
        .values_list("published_on", "newest_kept")
        .first()
    )
    if newest is None:
        return None
    issued, newest_kept = newest
    return max(start_of(issued), newest_kept or start_of(issued))


# --- Keeping ----------------------------------------------------------------------------


def keep(changes, *, saved_at: datetime.datetime) -> set[int]:
    """Write the public versions these changes make; return the ids of releases that
    have a new version after their first (what readers see as "Updated on").
    """
    wanted = [change for change in changes if may_make_versions(change)]
    if not wanted:
        return set()
    ids = [change.release_id for change in wanted]
    releases = Release.objects.filter(pk__in=ids).with_tag_lists().in_bulk()
    latest = latest_versions(ids)
    made = []
    for change in wanted:
        release = releases[change.release_id]
        made += versions_made(change, release, latest.get(release.pk), saved_at)
    ReleaseVersion.objects.bulk_create(made, batch_size=500)
    return {version.release_id for version in made if version.number > 1}


def may_make_versions(change) -> bool:
    """Whether a change can make a version: readers saw the release before or after it,
    and it either changed what they read or made or stopped the release being public."""
    seen = change.was_public or change.is_public
    return seen and (bool(visible_changes(change.changes)) or change.was_public != change.is_public)


def latest_versions(release_ids: list[int]) -> dict[int, ReleaseVersion]:
    """{release id: its newest kept version}, for those with any."""
    newest = ReleaseVersion.objects.filter(release=OuterRef("release")).order_by("-number")
    kept = ReleaseVersion.objects.filter(
        release_id__in=release_ids, number=Subquery(newest.values("number")[:1])
    )
    return {version.release_id: version for version in kept}


def versions_made(change, release, latest, saved_at) -> list[ReleaseVersion]:
    """The versions one change makes, given the newest one kept (None if none is).

    A release public before the change, with no version kept, keeps its version 1 as
    it stood before the change: when what readers read changes, or when it stops being
    public (withdrawn, its versions stay readable; unpublished, what readers saw is
    kept to compare with when it returns). Then, if readers can read it after the change
    and it differs from the newest version kept, the change is a new version, of the
    kind the editor chose.
    """
    made = []
    what_was_read_goes = bool(visible_changes(change.changes)) or not change.is_public
    if latest is None and change.was_public and what_was_read_goes:
        latest = version_before(change, release)
        made.append(latest)
    if change.is_public and latest is not None:
        current = ReleaseVersion.of(
            release,
            number=latest.number + 1,
            kind=change.kind if change.kind in (Kind.CORRECTION, Kind.UPDATE) else Kind.UPDATE,
            published_at=saved_at,
        )
        if current.content() != latest.content():
            made.append(current)
    return made


def version_before(change, release) -> ReleaseVersion:
    """Version 1, rebuilt from the release now and the old side of the change."""
    first = first_of(release)
    old = {field: values[0] for field, values in change.changes.items()}
    for field in ("title", "summary", "source", "source_url", "language"):
        if field in old:
            setattr(first, field, old[field])
    if "kind" in old:
        first.release_kind = old["kind"]
    if "correction_note" in old:
        first.note = old["correction_note"]
    if "published_on" in old:
        first.published_on = datetime.date.fromisoformat(old["published_on"])
        first.published_at = start_of(first.published_on)
    if "body" in old:
        first.body, first.body_html = old["body"], render_markdown(old["body"])
    for kind in TAG_PAGES:
        if kind in old:
            first.tags[kind] = [tag.as_json() for tag in tags_named(kind, old[kind])]
    return first


def tags_named(kind: str, text: str) -> list[KeptTag]:
    """The tags of a revision's "A, B" text, found by name where they still exist.

    A name that holds ", " is found whole when a tag of that name exists; a tag deleted
    since (merged away) keeps the name, with the address its name would have had.
    """
    parts = text.split(", ") if text else []
    spans = range(1, LONGEST_NAME_IN_PARTS + 1)
    candidates = {", ".join(parts[i : i + n]) for i in range(len(parts)) for n in spans}
    found = TAG_MODELS[kind].objects.in_bulk(candidates, field_name="name") if parts else {}
    tags, start = [], 0
    while start < len(parts):
        # The longest run of parts that names an existing tag, else the one part alone.
        n = next((n for n in reversed(spans) if ", ".join(parts[start : start + n]) in found), 1)
        name = ", ".join(parts[start : start + n])
        tag = found.get(name)
        slug = slugify(name, allow_unicode=True)
        tags.append(KeptTag.of(kind, tag) if tag else KeptTag(kind, name, slug))
        start += n
    return tags


# --- Asking the editor ------------------------------------------------------------------


def asks_kind(release, values: dict) -> bool:
    """Whether saving `values` (a form's cleaned data) on `release` needs the editor to
    say whether it is a correction or an update: readers saw the release, will still
    see it, and will read something different.
    """
    today = timezone.localdate()
    stays_public = (
        values.get("status") == Release.Status.PUBLISHED
        and (values.get("published_on") or today) <= today
    )
    return bool(release.pk and release.is_public and stays_public and edited(release, values))


def edited(release, values: dict) -> list[str]:
    """The fields readers read whose value in `values` differs from the release's."""
    fields = []
    for field in VISIBLE_FIELDS:
        if field not in values:
            continue
        if field in TAG_PAGES:
            stored = sorted(tag.name for tag in release.tags_of(field))
            new = sorted(values[field] or [])
        else:
            stored, new = getattr(release, field), values[field]
        if stored != new:
            fields.append(field)
    return fields
