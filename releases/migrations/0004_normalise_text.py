"""Store every text as releases.text_cleaning cleans it; take back phantom "Updated on"s.

Before text was cleaned this way, an admin save of an untouched release stored the
browser's `\\r\\n` line endings, recorded a revision and stamped "Updated on". Here the
stored text of releases and tags is cleaned as forms and imports now clean it (bodies
re-rendered), and a release whose "Updated on" was stamped by a save that changed
nothing but what cleaning removes gets back the date of its last real update, or none.

It uses the app's own cleaning rather than a frozen copy: the point is to store text
exactly as a save today would. The search index is rebuilt after `migrate` as the
derived objects are put back (releases/dbobjects), so search finds the cleaned text.
"""

from django.db import migrations
from django.utils import timezone

from releases.markup import render_markdown
from releases.text_cleaning import tidy, tidy_line, tidy_name

BATCH = 1000
MULTILINE = ("summary", "body", "correction_note")
ONE_LINE = (
    "title", "source", "source_url", "hero_image_alt", "hero_image_caption", "hero_image_credit",
)  # fmt: skip
TAG_TEXTS = {
    "Agency": ("name", "acronym"),
    "Programme": ("name",),
    "Figure": ("name", "label"),
    "AgencyAlias": ("name", "acronym"),
}
PUBLISHED = "published"


def clean(field: str, text: str) -> str:
    return tidy(text) if field in MULTILINE else tidy_line(text)


def clean_release(release) -> bool:
    """Clean the release's texts in place; whether any changed."""
    changed = False
    for field in (*MULTILINE, *ONE_LINE):
        text = getattr(release, field)
        cleaned = clean(field, text)
        if cleaned != text:
            setattr(release, field, cleaned)
            changed = True
    if changed:
        release.body_html = render_markdown(release.body)
    return changed


def normalise_releases(Release) -> None:
    fields = (*MULTILINE, *ONE_LINE)
    rows = Release.objects.only("pk", *fields).order_by("pk").iterator(chunk_size=BATCH)
    batch = []
    for release in rows:
        if clean_release(release):
            batch.append(release)
        if len(batch) == BATCH:
            Release.objects.bulk_update(batch, [*fields, "body_html"])
            batch = []
    Release.objects.bulk_update(batch, [*fields, "body_html"])


def normalise_tags(model, fields) -> None:
    """Clean tag texts; a name whose clean form another tag already has is left for a merge."""
    unique = unique_name(model)
    taken = set(model.objects.values_list(*unique))
    changed = []
    for tag in model.objects.all():
        old_key = tuple(getattr(tag, field) for field in unique)
        cleaned = {field: tidy_name(getattr(tag, field)) for field in fields}
        if all(cleaned[field] == getattr(tag, field) for field in fields):
            continue
        for field, text in cleaned.items():
            setattr(tag, field, text)
        key = tuple(getattr(tag, field) for field in unique)
        if key != old_key and key in taken:
            continue
        taken.discard(old_key)
        taken.add(key)
        changed.append(tag)
    model.objects.bulk_update(changed, list(fields), batch_size=BATCH)


def unique_name(model) -> tuple[str, ...]:
    return ("agency_id", "name") if model.__name__ == "AgencyAlias" else ("name",)


def is_normalisation(changes: dict) -> bool:
    """Whether every field of a revision changed only in what cleaning removes."""
    return all(clean(field, old) == clean(field, new) for field, (old, new) in changes.items())


def real_revised_at(release, revisions):
    """The release's "Updated on" once phantom updates are taken back.

    `revisions` run newest first. Walking back from the release as it is, each
    revision's old values give the status and date before it, so each can be judged
    by the rule that stamped "Updated on" when this migration was written: public
    before and after, and more than its status changed, by a form or an import (list
    actions and tag merges never stamp). A stamp is phantom when the revision that set
    it (saved at that very time) changed only what cleaning removes.
    """
    state = {"status": release.status, "published_on": release.published_on.isoformat()}
    real, phantom = [], set()
    for saved_at, via, changes in revisions:
        after = dict(state)
        state.update({f: changes[f][0] for f in state if f in changes})
        day = timezone.localdate(saved_at).isoformat()
        was_public = state["status"] == PUBLISHED and state["published_on"] <= day
        is_public = after["status"] == PUBLISHED and after["published_on"] <= day
        if via == "action" or not (was_public and is_public and set(changes) - {"status"}):
            continue
        if is_normalisation(changes):
            phantom.add(saved_at)
        else:
            real.append(saved_at)
    if release.revised_at not in phantom:
        return release.revised_at
    return max(real, default=None)


def clear_phantom_updates(Release, ReleaseRevision) -> None:
    # Ids first: clearing revised_at takes a release out of the filter, which would
    # shift every later page of a paged query.
    ids = list(Release.objects.filter(revised_at__isnull=False).values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        releases = list(
            Release.objects.filter(pk__in=chunk).only("pk", "status", "published_on", "revised_at")
        )
        history = {}
        rows = ReleaseRevision.objects.filter(release__in=chunk).order_by("release_id", "-version")
        for release_id, *revision in rows.values_list("release_id", "saved_at", "via", "changes"):
            history.setdefault(release_id, []).append(revision)
        changed = []
        for release in releases:
            revised_at = real_revised_at(release, history.get(release.pk, []))
            if revised_at != release.revised_at:
                release.revised_at = revised_at
                changed.append(release)
        Release.objects.bulk_update(changed, ["revised_at"])


def normalise(apps, schema_editor):
    Release = apps.get_model("releases", "Release")
    clear_phantom_updates(Release, apps.get_model("releases", "ReleaseRevision"))
    normalise_releases(Release)
    for name, fields in TAG_TEXTS.items():
        normalise_tags(apps.get_model("releases", name), fields)


class Migration(migrations.Migration):
    dependencies = [("releases", "0003_withdrawal")]

    operations = [migrations.RunPython(normalise, migrations.RunPython.noop, elidable=True)]
