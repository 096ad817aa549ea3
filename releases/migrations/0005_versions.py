"""Public versions (ReleaseVersion), and the versions existing releases already had.

For each release readers can open (published and due, or withdrawn) the history is
rebuilt backwards from the release as it is, one revision at a time: each holds the old
text of every field it changed. A revision saved by a form or an import while the
release was public before and after it, that changed what readers read (more than what
text cleaning removes), made a new version; the state before the first of them is
version 1. List actions change only status, and tag merges are housekeeping, so neither
made one. Which kind each was is not recorded: one that set a new note to readers is
taken as a correction, the others as updates.

A release marked "Updated on" by no revision it has (it changed before revisions were
kept) gets one version, its current text, marked "earlier versions not kept". One marked
by a revision that changed no words (a new slug, which stamped "Updated on" then) needs
none. A release never changed since it became public needs no row: its version 1 is its
current text (releases/versions.py).

Like 0004 it uses the app's own Markdown rendering and text cleaning, to render old
bodies and judge changes exactly as a save does today.
"""

import datetime

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from releases.markup import render_markdown
from releases.text_cleaning import tidy, tidy_line

BATCH = 500
VISIBLE = (
    "title", "kind", "published_on", "summary", "body", "source", "source_url",
    "correction_note", "agencies", "programmes", "figures",
)  # fmt: skip
TAG_MODELS = {"agencies": "Agency", "programmes": "Programme", "figures": "Figure"}
LINK_MODELS = {"agencies": "TaggedAgency", "programmes": "TaggedProgramme"}
LINK_MODELS["figures"] = "TaggedFigure"
EXTRA_TAG_FIELDS = {"agencies": "acronym", "figures": "label"}
MULTILINE = ("summary", "body", "correction_note")
LONGEST_NAME_IN_PARTS = 6


def start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def kept_tag(kind, name, slug, extra="") -> dict:
    tag = {"name": name, "slug": slug}
    if extra:
        tag[EXTRA_TAG_FIELDS[kind]] = extra
    return tag


def current_tags(apps, release_ids) -> dict:
    """{release id: {kind: [kept tag]}} for the releases of one batch."""
    tags = {}
    for kind, link_name in LINK_MODELS.items():
        links = apps.get_model("releases", link_name).objects.filter(
            content_object_id__in=release_ids
        )
        extra = EXTRA_TAG_FIELDS.get(kind)
        fields = ["content_object_id", "tag__name", "tag__slug"]
        fields += [f"tag__{extra}"] if extra else []
        for release_id, *values in links.order_by("tag__name").values_list(*fields):
            tags.setdefault(release_id, {}).setdefault(kind, []).append(kept_tag(kind, *values))
    return tags


def tags_named(apps, kind, text) -> list[dict]:
    """A revision's "A, B" tag text as kept tags; a name holding ", " is found whole."""
    parts = text.split(", ") if text else []
    spans = range(1, LONGEST_NAME_IN_PARTS + 1)
    candidates = {", ".join(parts[i : i + n]) for i in range(len(parts)) for n in spans}
    model = apps.get_model("releases", TAG_MODELS[kind])
    found = {tag.name: tag for tag in model.objects.filter(name__in=candidates)}
    tags, start = [], 0
    while start < len(parts):
        n = next((n for n in reversed(spans) if ", ".join(parts[start : start + n]) in found), 1)
        name = ", ".join(parts[start : start + n])
        tag = found.get(name)
        extra = getattr(tag, EXTRA_TAG_FIELDS.get(kind, ""), "") if tag else ""
        tags.append(kept_tag(kind, name, tag.slug if tag else slugify(name, True), extra))
        start += n
    return tags


def state_of(release, tags) -> dict:
    state = {
        field: getattr(release, field)
        for field in (
            "title", "kind", "summary", "body", "body_html", "source", "source_url",
            "language", "correction_note", "status",
        )
    }  # fmt: skip
    state["published_on"] = release.published_on.isoformat()
    return {**state, **{kind: tags.get(kind, []) for kind in TAG_MODELS}}


def state_before(apps, after, changes) -> dict:
    """The release as it was before a revision, from after it and the revision's old text."""
    state = dict(after)
    for field, (old, _new) in changes.items():
        if field in TAG_MODELS:
            state[field] = tags_named(apps, field, old)
        elif field in state:
            state[field] = old
    if "body" in changes:
        state["body_html"] = render_markdown(state["body"])
    return state


def is_public(state, day: str) -> bool:
    return state["status"] == "published" and state["published_on"] <= day


def changes_what_readers_read(changes) -> bool:
    for field in VISIBLE:
        if field in changes:
            old, new = changes[field]
            clean = tidy if field in MULTILINE else tidy_line
            if field in TAG_MODELS or clean(old) != clean(new):
                return True
    return False


def public_changes(apps, release, tags, revisions) -> list:
    """(saved_at, changes, state before, state after) of each version-making revision,
    oldest first; `revisions` run newest first."""
    state, found = state_of(release, tags), []
    for saved_at, via, changes in revisions:
        after, state = state, state_before(apps, state, changes)
        day = timezone.localdate(saved_at).isoformat()
        public = is_public(state, day) and is_public(after, day)
        if via != "action" and public and changes_what_readers_read(changes):
            found.append((saved_at, changes, state, after))
    return found[::-1]


def version(Version, release, state, **meta):
    return Version(
        release=release,
        title=state["title"],
        release_kind=state["kind"],
        published_on=datetime.date.fromisoformat(state["published_on"]),
        summary=state["summary"],
        body=state["body"],
        body_html=state["body_html"],
        source=state["source"],
        source_url=state["source_url"],
        language=state["language"],
        note=state["correction_note"],
        tags={kind: state[kind] for kind in TAG_MODELS},
        **meta,
    )


def versions_of(apps, Version, release, tags, revisions) -> list:
    changes = public_changes(apps, release, tags, revisions)
    if changes:
        first = changes[0][2]
        day = datetime.date.fromisoformat(first["published_on"])
        kept = [
            version(Version, release, first, number=1, kind="issued", published_at=start_of(day))
        ]
        for number, (saved_at, changed, _before, after) in enumerate(changes, start=2):
            noted = bool(changed.get("correction_note", ["", ""])[1])
            kind = "correction" if noted else "update"
            kept.append(
                version(Version, release, after, number=number, kind=kind, published_at=saved_at)
            )
        return kept
    explained = any(saved_at == release.revised_at for saved_at, _via, _changes in revisions)
    if release.revised_at and not explained:
        kind = "correction" if release.correction_note else "update"
        state = state_of(release, tags)
        return [
            version(
                Version, release, state, number=1, kind=kind,
                published_at=release.revised_at, earlier_not_kept=True,
            )
        ]  # fmt: skip
    return []


def keep_versions(apps, schema_editor):
    Release = apps.get_model("releases", "Release")
    Revision = apps.get_model("releases", "ReleaseRevision")
    Version = apps.get_model("releases", "ReleaseVersion")
    readable = Q(status="published", published_on__lte=timezone.localdate()) | Q(status="withdrawn")
    ids = list(Release.objects.filter(readable).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        history = {}
        rows = Revision.objects.filter(release_id__in=chunk).order_by("release_id", "-version")
        for release_id, *revision in rows.values_list("release_id", "saved_at", "via", "changes"):
            history.setdefault(release_id, []).append(revision)
        tags = current_tags(apps, chunk)
        kept = []
        for release in Release.objects.filter(pk__in=chunk):
            kept += versions_of(
                apps, Version, release, tags.get(release.pk, {}), history.get(release.pk, [])
            )
        Version.objects.bulk_create(kept)


class Migration(migrations.Migration):
    dependencies = [
        ("releases", "0004_normalise_text"),
    ]

    operations = [
        migrations.CreateModel(
            name="ReleaseVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.PositiveIntegerField()),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("issued", "Issued"),
                            ("correction", "Correction"),
                            ("update", "Update"),
                        ],
                        max_length=10,
                    ),
                ),
                (
                    "published_at",
                    models.DateTimeField(help_text="When readers could first read this version."),
                ),
                (
                    "note",
                    models.TextField(blank=True, help_text="The note to readers, as it stood."),
                ),
                (
                    "earlier_not_kept",
                    models.BooleanField(
                        default=False,
                        help_text="The archive began keeping versions after this release had changed: what it said before this version is not known.",
                    ),
                ),
                ("title", models.CharField(max_length=300)),
                (
                    "release_kind",
                    models.CharField(
                        choices=[
                            ("press-release", "Press release"),
                            ("factsheet", "Factsheet"),
                            ("speech", "Speech"),
                            ("media-advisory", "Media advisory"),
                        ],
                        max_length=20,
                    ),
                ),
                ("published_on", models.DateField()),
                ("summary", models.TextField(blank=True)),
                ("body", models.TextField()),
                ("body_html", models.TextField()),
                ("source", models.CharField(blank=True, max_length=200)),
                ("source_url", models.URLField(blank=True, max_length=500)),
                ("language", models.CharField(default="en", max_length=16)),
                (
                    "tags",
                    models.JSONField(
                        default=dict, help_text='{"agencies": [{"name", "slug"}, …], …}'
                    ),
                ),
                (
                    "release",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="versions",
                        to="releases.release",
                    ),
                ),
            ],
            options={
                "ordering": ["release", "number"],
                "indexes": [models.Index(fields=["-published_at"], name="release_version_newest")],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("release", "number"), name="unique_version_number"
                    )
                ],
            },
        ),
        migrations.RunPython(keep_versions, migrations.RunPython.noop, elidable=True),
    ]
