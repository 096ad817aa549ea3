"""Fixtures and demo data never undo staff work.

`loaddata` (the project's own, releases/management/commands/loaddata.py) asks
`overwritten_work` of every release and tag before saving it, and refuses a record that
would undo an edit. `load_demo` (what `make run` calls) asks `plan` which records of the
demo fixtures are missing and loads only those: a release or tag already in the archive,
under its own address, an old one, or its name, is left exactly as it is.
"""

from dataclasses import dataclass, field

from django.db.models.functions import Lower

from .models import (
    Agency,
    Figure,
    Programme,
    Release,
    ReleaseRevision,
    ReleaseSlug,
    ReleaseTag,
    RemovedSlug,
    TaggedAgency,
    TaggedFigure,
    TaggedProgramme,
)

TAG_MODELS = {model._meta.label_lower: model for model in (Agency, Programme, Figure)}
LINK_MODELS = {
    model._meta.label_lower: model for model in (TaggedAgency, TaggedProgramme, TaggedFigure)
}
RELEASE = Release._meta.label_lower


# --- loaddata: what a record would undo -------------------------------------------------


def overwritten_work(obj, using="default") -> str | None:
    """What saving this deserialized release or tag would undo, or None if nothing."""
    if isinstance(obj, Release):
        return release_work(obj, using)
    if isinstance(obj, ReleaseTag):
        return tag_work(obj, using)
    return None


def release_work(release, using) -> str | None:
    """An edited release (newer version, saved history), a moved or a deleted address."""
    if release.pk is None:
        return address_taken(release.slug, using)
    stored = Release.objects.using(using).filter(pk=release.pk).values("slug", "version").first()
    if stored is None:
        return address_taken(release.slug, using)
    if stored["slug"] != release.slug:
        return f"release {release.pk} was moved from “{release.slug}” to “{stored['slug']}”"
    saved = ReleaseRevision.objects.using(using).filter(release_id=release.pk).count()
    if stored["version"] > release.version or saved:
        return (
            f"release “{release.slug}” was edited after it was loaded (it is version "
            f"{stored['version']}, with {saved} saved change{'s' if saved != 1 else ''})"
        )
    return None


def address_taken(slug, using) -> str | None:
    """Whether a new release at `slug` would bring back an address staff moved or removed."""
    moved = ReleaseSlug.objects.using(using).filter(slug=slug).select_related("release").first()
    if moved is not None:
        return (
            f"“{slug}” is an old address of the release now at “{moved.release.slug}”: "
            "loading it would put a second copy there"
        )
    if RemovedSlug.objects.using(using).filter(slug=slug).exists():
        return f"the release at “{slug}” was deleted (its address answers 410 Gone)"
    return None


def tag_work(tag, using) -> str | None:
    """A renamed or merged tag's old address, or a stored tag whose fields were edited."""
    kind = tag._meta.verbose_name
    if tag.pk is None:
        moved = type(tag).redirect_model().objects.using(using).filter(old_slug=tag.slug).first()
        if moved is not None:
            return (
                f"{kind} “{tag.slug}” was renamed or merged into “{moved.tag.slug}”: "
                "loading it would bring the old one back"
            )
        return None
    stored = type(tag).objects.using(using).filter(pk=tag.pk).first()
    edited = [
        f.name
        for f in tag._meta.concrete_fields
        if stored is not None and getattr(stored, f.attname) != getattr(tag, f.attname)
    ]
    if edited:
        return f"{kind} “{stored.slug}” was edited after it was loaded ({', '.join(edited)})"
    return None


# --- load_demo: which records are missing -----------------------------------------------


@dataclass
class Plan:
    """The records to load, and what was left alone because it is already there."""

    records: list = field(default_factory=list)
    added: dict = field(default_factory=dict)  # model label -> count
    kept: dict = field(default_factory=dict)  # model label -> [names]

    def add(self, record):
        self.records.append(record)
        self.added[record["model"]] = self.added.get(record["model"], 0) + 1

    def keep(self, record, name):
        self.kept.setdefault(record["model"], []).append(name)


class UnknownRecord(ValueError):
    """A demo record of a model `plan` cannot match against the archive."""


def plan(records) -> Plan:
    """The demo records that are missing from the archive, with tag keys brought up to date.

    A release is there if its slug is its address, an old address, or an address a
    superuser deleted. A tag is there under its slug, an old slug (renamed or merged) or
    its name. A link is loaded with its release only, so a release already there keeps
    exactly the tags staff gave it; a link to a renamed tag names the tag's current slug.
    """
    slugs = [r["fields"].get("slug", "") for r in records if r.get("model") == RELEASE]
    present = present_releases(slugs)
    current = {label: current_tags(model, records) for label, model in TAG_MODELS.items()}
    result = Plan()
    added_releases = set()
    for record in records:
        label, fields = record.get("model"), record.get("fields", {})
        if label == RELEASE:
            if fields.get("slug") in present:
                result.keep(record, fields["slug"])
            else:
                added_releases.add(fields.get("slug"))
                result.add(record)
        elif label in TAG_MODELS:
            by_slug, by_name = current[label]
            if fields.get("slug") in by_slug or lowered(fields) in by_name:
                result.keep(record, fields.get("slug"))
            else:
                result.add(record)
        elif label in LINK_MODELS:
            release_key = (fields.get("content_object") or [None])[0]
            if release_key in added_releases:
                result.add(relinked(record, current[tag_label(label)][0]))
        else:
            raise UnknownRecord(f"load_demo does not know how to match {label} records")
    return result


def present_releases(slugs) -> set[str]:
    """The slugs that are a release's address, an old address, or a deleted one's."""
    present = set()
    for start in range(0, len(slugs), 500):
        batch = slugs[start : start + 500]
        for model in (Release, ReleaseSlug, RemovedSlug):
            present.update(model.objects.filter(slug__in=batch).values_list("slug", flat=True))
    return present


def current_tags(model, records) -> tuple[dict[str, str], set[str]]:
    """The demo's tag slugs that name a tag now (-> its current slug), and its names taken.

    A slug names a tag if it is the tag's own or an old one of a renamed or merged tag;
    names are compared in lower case, as tag fields match them.
    """
    label = model._meta.label_lower
    fields = [r.get("fields", {}) for r in records if r.get("model") == label]
    slugs = {f.get("slug") for f in fields} | {
        key
        for r in records
        if r.get("model") in LINK_MODELS and tag_label(r["model"]) == label
        for key in r["fields"].get("tag", [])
    }
    by_slug = dict(model.objects.filter(slug__in=slugs).values_list("slug", "slug"))
    by_slug.update(
        model.redirect_model()
        .objects.filter(old_slug__in=slugs)
        .exclude(old_slug__in=list(by_slug))
        .values_list("old_slug", "tag__slug")
    )
    names = model.objects.annotate(lname=Lower("name")).filter(
        lname__in={lowered(f) for f in fields}
    )
    return by_slug, set(names.values_list("lname", flat=True))


def lowered(fields) -> str:
    return str(fields.get("name", "")).lower()


def tag_label(link_label) -> str:
    return LINK_MODELS[link_label]._meta.get_field("tag").related_model._meta.label_lower


def relinked(record, current) -> dict:
    """The link record naming its tag by the slug the tag has now."""
    tag = record["fields"].get("tag") or []
    if tag and tag[0] in current:
        return {**record, "fields": {**record["fields"], "tag": [current[tag[0]]]}}
    return record
