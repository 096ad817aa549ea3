"""Resolving the tag names records give to tag ids, and creating the tags that are new.

A new name close to a tag the archive already had (releases/tag_matching.py) is named
with its line: refused under --no-new-tags with the tag it is close to, otherwise
created with a warning.
"""

import functools

from django.utils.text import slugify

from ..models import Agency, Figure, Programme
from ..tag_matching import TagMatcher, any_of
from .records import TAG_FIELDS, Problem, Record, Summary

TAG_MODELS = {"agencies": Agency, "programmes": Programme, "figures": Figure}


@functools.lru_cache(maxsize=4096)
def slug_of(name: str) -> str:
    # The same few agency and programme names recur on every line of an archive.
    return slugify(name, allow_unicode=True)


class KnownTags:
    """The tags an import has met so far, kept across chunks so each name is looked up once."""

    def __init__(self, *, allow_new: bool):
        self.allow_new = allow_new
        self.ids = {kind: {} for kind in TAG_FIELDS}  # typed name -> tag id
        self.names = {kind: {} for kind in TAG_FIELDS}  # tag id -> name, for history
        self.made = {kind: set() for kind in TAG_FIELDS}  # ids of the tags this import made
        self.matchers = {}  # kind -> TagMatcher over the agencies or programmes

    def wanted(self, record: Record) -> dict[str, set[int]]:
        """kind -> the ids of the tags the record names, for the kinds it gives."""
        return {
            kind: {self.ids[kind][name] for name in names} for kind, names in record.tags.items()
        }

    def resolve(self, records: list[Record], summary: Summary, *, create: bool) -> list[Problem]:
        """Find the id of every tag these records name, creating new tags when allowed."""
        problems = []
        for kind, model in TAG_MODELS.items():
            known = self.ids[kind]
            unknown = {}  # name -> first record naming it
            for record in records:
                for name in record.tags.get(kind, ()):
                    if name not in known:
                        unknown.setdefault(name, record)
            if not unknown:
                continue
            for name, tag in model.objects.resolve(list(unknown)).items():
                known[name] = tag.pk
                self.names[kind][tag.pk] = tag.name
            missing = {name: record for name, record in unknown.items() if name not in known}
            if missing and not self.allow_new:
                problems += self.refusals(kind, missing)
            elif missing and create:
                summary.warnings += self.near_duplicates(kind, missing)
                self.create(kind, missing, summary)
        return problems

    def matcher(self, kind: str, names) -> TagMatcher:
        """Near-duplicates among the tags the archive had before this import began.

        Agencies and programmes are read once, before any is created. Figures, one or
        more per release, are read a chunk at a time: those sharing a number with the
        chunk's new names, less those this import made.
        """
        model = TAG_MODELS[kind]
        if model is not Figure:
            if kind not in self.matchers:
                self.matchers[kind] = TagMatcher.for_tags(model.objects.all())
            return self.matchers[kind]
        made = self.made[kind]
        return TagMatcher.for_tags(model.objects.all(), names=names, unless=made.__contains__)

    def refusals(self, kind: str, missing: dict[str, Record]) -> list[Problem]:
        label = TAG_MODELS[kind]._meta.verbose_name
        matcher = self.matcher(kind, missing)
        problems = []
        for name, record in missing.items():
            near = matcher.near(name)
            hint = f" (did you mean {any_of(near)}?)" if near else ""
            problems.append(
                Problem(record.path, record.line, kind, f"no {label} called “{name}”{hint}")
            )
        return problems

    def near_duplicates(self, kind: str, missing: dict[str, Record]) -> list[Problem]:
        label = TAG_MODELS[kind]._meta.verbose_name
        matcher = self.matcher(kind, missing)
        warnings = []
        for name, record in missing.items():
            near = matcher.near(name)
            if near:
                message = (
                    f"new {label} “{name}” is close to {any_of(near)}; created as given "
                    "(merge them in the admin if they are one)"
                )
                warnings.append(Problem(record.path, record.line, kind, message))
        return warnings

    def create(self, kind: str, missing: dict[str, Record], summary: Summary):
        model = TAG_MODELS[kind]
        new = {}  # slug -> tag, so "Smart-City" and "smart city" make one tag
        for name, record in missing.items():
            slug = slug_of(name)
            if slug not in new:
                new[slug] = tag = model(name=name, slug=slug)
                if model is Figure:
                    tag.value, tag.label = record.figures[name]
        model.objects.bulk_create(new.values(), batch_size=500)
        self.made[kind].update(tag.pk for tag in new.values())
        for name in missing:
            tag = new[slug_of(name)]
            self.ids[kind][name] = tag.pk
            self.names[kind][tag.pk] = tag.name
        summary.new_tags[kind] += len(new)
