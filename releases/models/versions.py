"""Public versions: each text of a release that readers could read, kept as it stood.

Written by `releases.versions.keep`, which `releases.revisions.record` calls for every
saved change, whatever path it took. A public release without stored versions (loaded
from fixtures, created by an import, never changed since) has one: its current text.
"""

import datetime
from dataclasses import dataclass
from functools import cached_property

from django.db import models
from django.urls import reverse
from django.utils import timezone

from ..slug_urls import slug_url
from .release import Release
from .tags import Agency

# The tag kinds a version keeps, and the page each kind's tags link to.
TAG_PAGES = {"agencies": "releases:agency", "programmes": "releases:programme"}
TAG_PAGES["figures"] = "releases:figure"


def start_of(day: datetime.date) -> datetime.datetime:
    """A release date as the start of that day where the archive is: when it was issued."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@dataclass(frozen=True)
class KeptTag:
    """A tag as a version shows it: its name and address then, whatever became of it."""

    kind: str
    name: str
    slug: str
    acronym: str = ""
    label: str = ""  # a figure's counted thing, read after its number

    def get_absolute_url(self):
        # A tag merged or renamed since redirects from this address to where it went.
        return slug_url(TAG_PAGES[self.kind], self.slug)

    @property
    def display_name(self):
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    @property
    def display_value(self):
        if self.label and self.name.endswith(self.label):
            return self.name[: -len(self.label)].strip()
        return self.name

    def as_json(self) -> dict:
        kept = {"name": self.name, "slug": self.slug}
        kept.update({key: value for key in ("acronym", "label") if (value := getattr(self, key))})
        return kept

    @classmethod
    def of(cls, kind: str, tag) -> "KeptTag":
        return cls(kind, tag.name, tag.slug, getattr(tag, "acronym", ""), getattr(tag, "label", ""))


class ReleaseVersion(models.Model):
    class Kind(models.TextChoices):
        ISSUED = "issued", "Issued"
        CORRECTION = "correction", "Correction"
        UPDATE = "update", "Update"

    # How the version list names each kind: "Issued 2 Dec 2022 · Corrected 5 Dec 2022".
    VERBS = {Kind.ISSUED: "Issued", Kind.CORRECTION: "Corrected", Kind.UPDATE: "Updated"}

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    published_at = models.DateTimeField(help_text="When readers could first read this version.")
    note = models.TextField(blank=True, help_text="The note to readers, as it stood.")
    earlier_not_kept = models.BooleanField(
        default=False,
        help_text="The archive began keeping versions after this release had changed: "
        "what it said before this version is not known.",
    )
    # The release's public fields as they stood.
    title = models.CharField(max_length=300)
    release_kind = models.CharField(max_length=20, choices=Release.Kind.choices)
    published_on = models.DateField()
    summary = models.TextField(blank=True)
    body = models.TextField()
    body_html = models.TextField()
    source = models.CharField(max_length=200, blank=True)
    source_url = models.URLField(max_length=500, blank=True)
    language = models.CharField(max_length=16, default="en")
    tags = models.JSONField(default=dict, help_text='{"agencies": [{"name", "slug"}, …], …}')

    class Meta:
        ordering = ["release", "number"]
        constraints = [
            models.UniqueConstraint(fields=["release", "number"], name="unique_version_number")
        ]
        # The newest version of any release, for the sitemap index's date.
        indexes = [models.Index(fields=["-published_at"], name="release_version_newest")]

    def __str__(self):
        return f"{self.title} (version {self.number})"

    def get_absolute_url(self):
        kwargs = {"slug": self.release.slug, "number": self.number}
        return reverse("releases:version", kwargs=kwargs)

    @classmethod
    def of(cls, release, **meta) -> "ReleaseVersion":
        """The release's public fields as they are now, as a version (not saved)."""
        return cls(
            release=release,
            title=release.title,
            release_kind=release.kind,
            published_on=release.published_on,
            summary=release.summary,
            body=release.body,
            body_html=release.body_html,
            source=release.source,
            source_url=release.source_url,
            language=release.language,
            note=release.correction_note,
            tags={
                kind: [KeptTag.of(kind, tag).as_json() for tag in release.tags_of(kind)]
                for kind in TAG_PAGES
            },
            **meta,
        )

    def content(self) -> dict:
        """What readers read in this version, to tell whether a new one differs."""
        return {
            "title": self.title,
            "kind": self.release_kind,
            "published_on": self.published_on,
            "summary": self.summary,
            "body": self.body,
            "source": self.source,
            "source_url": self.source_url,
            "note": self.note,
            **{kind: sorted(tag.name for tag in self.tag_list(kind)) for kind in TAG_PAGES},
        }

    @property
    def verb(self) -> str:
        return self.VERBS[self.kind]

    def get_release_kind_display(self) -> str:
        return Release.Kind(self.release_kind).label

    def tag_list(self, kind: str) -> list[KeptTag]:
        return [KeptTag(kind, **kept) for kept in self.tags.get(kind, [])]

    @property
    def agency_list(self) -> list[KeptTag]:
        return self.tag_list("agencies")

    @cached_property
    def agencies_as_issued(self) -> list[tuple[object, object]]:
        """(agency, former name or None) for each agency, as named on the release's date.

        The agency as it is now where a dated former name covers that day (its page,
        that name); otherwise the agency as this version kept it.
        """
        kept = self.agency_list
        slugs = [tag.slug for tag in kept]
        agencies = Agency.objects.prefetch_related("aliases").in_bulk(slugs, field_name="slug")
        named = []
        for tag in kept:
            agency = agencies.get(tag.slug)
            former = agency.alias_on(self.published_on) if agency else None
            named.append((agency if former else tag, former))
        return named

    @property
    def programme_list(self) -> list[KeptTag]:
        return self.tag_list("programmes")

    @property
    def figure_list(self) -> list[KeptTag]:
        return self.tag_list("figures")
