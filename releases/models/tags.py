"""The three tag kinds (agencies, programmes, figures): tags, their links to releases,
and the old addresses of renamed or merged tags.

Each kind is its own django-taggit tag model with its own through model, so each has its
own table, admin and URLs.
"""

import re
from decimal import Decimal, InvalidOperation

from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import NaturalKeyManager, TagBase, TaggedItemBase

from ..slug_urls import slug_url
from .tracking import Tally


def published_via(path: str) -> Q:
    """`ReleaseQuerySet.published()` as conditions on the release joined at `path`.

    For queries over tags or links. A `<path>__in=<published releases>` filter
    instead probes a list of every published id per row; past work_mem (a
    million releases) that list is no longer hashed and each probe scans it (a
    sitemap query ran 14 min).
    """
    from .release import Release  # which imports this module's link models

    return Q(
        **{
            f"{path}__status": Release.Status.PUBLISHED,
            f"{path}__published_on__lte": timezone.localdate(),
        }
    )


def public_page_via(path: str) -> Q:
    """`ReleaseQuerySet.with_public_page()` as conditions on the release joined at `path`."""
    from .release import Release  # which imports this module's link models

    return Q(
        **{
            f"{path}__status__in": [Release.Status.PUBLISHED, Release.Status.WITHDRAWN],
            f"{path}__published_on__lte": timezone.localdate(),
        }
    )


def published_items() -> Q:
    """A tag's links to published releases, for aggregates over them."""
    return published_via("items__content_object")


class TagQuerySet(models.QuerySet):
    def with_release_counts(self):
        """Annotate `release_count` with the number of published releases.

        Read from the tally the database keeps (releases/dbobjects/tallies.py), less the
        releases published for a later day, which the tally cannot tell apart.
        Their links carry their date, so those are a walk of the link index from
        today on, each checked against the listing index (no table row read).
        Not for querysets that also aggregate over links: grouping by the count
        would work it out again for every link.
        """
        from .release import Release  # which imports this module's link models

        tally = Tally.objects.filter(kind=self.model._meta.model_name, tag_id=OuterRef("pk"))
        scheduled = (
            self.model.through_model()
            .objects.filter(
                tag=OuterRef("pk"),
                published_on__gt=timezone.localdate(),
                content_object__status=Release.Status.PUBLISHED,
                content_object__published_on=F("published_on"),
            )
            .values("tag")
            .annotate(n=Count("*"))
            .values("n")
        )
        return self.annotate(
            release_count=Coalesce(Subquery(tally.values("published")), 0)
            - Coalesce(Subquery(scheduled), 0)
        )

    def in_use(self):
        return self.with_release_counts().filter(release_count__gt=0)

    def public(self):
        """Tags a reader can meet: on a release with a public page (published and due,
        or withdrawn after it was public, whose page still shows them).

        A tag typed only on drafts or scheduled releases stays as unknown as one never
        made until such a release is due. Tag lists and counts (`in_use`) hold only
        tags of published releases. An EXISTS on the links, not a count: for the few
        tags a request names (a tag page, filters), it stops at the first release found.
        """
        links = self.model.through_model().objects.filter(public_page_via("content_object"))
        return self.filter(Exists(links.filter(tag=OuterRef("pk"))))

    def moved_from(self, slug: str):
        """The tag that an old (merged or renamed) slug now points at, if any."""
        return self.filter(redirects__old_slug=slug).first()

    def resolve(self, names) -> dict:
        """Map each typed name to the existing tag it means, ignoring case and punctuation.

        A name matches a tag's slug, the slug it would make ("Smart-City" and
        "smart city" are one tag), its name in any case, an agency's acronym or
        former name, or an old address of a merged or renamed tag. Names with no
        match are left out of the result.
        """
        names = list(dict.fromkeys(n for n in names if n))
        keys = {name: slugify(name, allow_unicode=True) for name in names}
        by_name_slug = self.name_slugs() if names and self.model.match_name_slugs else {}
        found = {}
        for start in range(0, len(names), 300):
            batch = names[start : start + 300]
            slugs = {*batch, *(keys[n] for n in batch)}
            lowered = {n.lower() for n in batch}
            by_slug = {t.slug: t for t in self.filter(slug__in=slugs)}
            by_name = {
                t.lname: t for t in self.annotate(lname=Lower("name")).filter(lname__in=lowered)
            }
            by_other_name = self.model.tags_known_as(lowered)
            moved = {
                r.old_slug: r.tag
                for r in self.model.redirect_model()
                .objects.select_related("tag")
                .filter(old_slug__in=slugs)
            }
            for name in batch:
                tag = (
                    by_slug.get(name)
                    or by_slug.get(keys[name])
                    or by_name.get(name.lower())
                    or by_name_slug.get(keys[name])
                    or by_other_name.get(name.lower())
                    or moved.get(name)
                    or moved.get(keys[name])
                )
                if tag is not None:
                    found[name] = tag
        return found

    def name_slugs(self) -> dict:
        """Every tag keyed by the slug of its name, so "IMDA." finds "IMDA"."""
        return {
            slugify(tag.name, allow_unicode=True): tag for tag in self.only("id", "name", "slug")
        }


class TagManager(NaturalKeyManager.from_queryset(TagQuerySet)):
    pass


class ReleaseTag(TagBase):
    natural_key_fields = ["slug"]
    objects = TagManager()

    url_name: str  # set by each kind: the namespaced name of its tag page
    # Compare typed names with every existing name, punctuation aside: cheap for the
    # few hundred agencies or programmes, not for figures (one or more per release).
    match_name_slugs = True
    # Only agencies have one (a field there); a template may ask any tag, and a failed
    # lookup costs Django's templates a dir() of the instance.
    acronym = ""

    class Meta:
        abstract = True
        ordering = ["name"]

    def get_absolute_url(self):
        return slug_url(self.url_name, self.slug)

    def save(self, *args, **kwargs):
        old_slug = None
        if self.pk:
            old_slug = type(self).objects.filter(pk=self.pk).values_list("slug", flat=True).first()
        super().save(*args, **kwargs)
        redirects = self.redirect_model().objects
        # A live tag owns its slug again; a renamed one leaves its old address behind.
        redirects.filter(old_slug=self.slug).delete()
        if old_slug and old_slug != self.slug:
            redirects.update_or_create(old_slug=old_slug, defaults={"tag": self})

    @classmethod
    def through_model(cls):
        return cls._meta.get_field("items").related_model

    @classmethod
    def redirect_model(cls):
        return cls._meta.get_field("redirects").related_model

    @classmethod
    def tags_known_as(cls, lowered_names) -> dict:
        """Tags found by a name other than their own (lower-cased name -> tag)."""
        return {}

    def absorb(self, losers):
        """Take over anything besides release links that tags merged into this one own."""


class Agency(ReleaseTag):
    acronym = models.CharField(
        max_length=20, blank=True, help_text="Short form readers search for, e.g. IMDA."
    )

    url_name = "releases:agency"

    class Meta(ReleaseTag.Meta):
        verbose_name_plural = "agencies"

    @property
    def display_name(self):
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def alias_names(self) -> list[str]:
        """Every former name and acronym, for search (uses prefetched `aliases`)."""
        names = []
        for alias in self.aliases.all():
            names.append(alias.name)
            if alias.acronym:
                names.append(alias.acronym)
        return names

    def alias_on(self, day):
        """The former name this agency went by on `day`, if a dated alias covers it."""
        return next((alias for alias in self.aliases.all() if alias.covers(day)), None)

    @classmethod
    def tags_known_as(cls, lowered_names) -> dict:
        found = {
            agency.lacronym: agency
            for agency in cls.objects.annotate(lacronym=Lower("acronym")).filter(
                lacronym__in=lowered_names
            )
        }
        aliases = AgencyAlias.objects.select_related("agency").annotate(
            lname=Lower("name"), lacronym=Lower("acronym")
        )
        for alias in aliases.filter(Q(lname__in=lowered_names) | Q(lacronym__in=lowered_names)):
            for key in (alias.lname, alias.lacronym):
                if key in lowered_names:
                    found.setdefault(key, alias.agency)
        return found

    def absorb(self, losers):
        AgencyAlias.objects.filter(agency__in=losers).update(agency=self)
        taken = {name.lower() for name in (self.name, *self.alias_names())}
        AgencyAlias.objects.bulk_create(
            [
                AgencyAlias(agency=self, name=loser.name, acronym=loser.acronym)
                for loser in losers
                if loser.name.lower() not in taken
            ],
            ignore_conflicts=True,
        )


class AgencyAliasManager(models.Manager):
    def get_by_natural_key(self, agency_slug, name):
        return self.get(agency__slug=agency_slug, name=name)

    def names_by_agency(self, agency_ids=None) -> dict[int, list[str]]:
        """Former names and acronyms keyed by agency id, for a search index to fold in."""
        aliases = self.all() if agency_ids is None else self.filter(agency_id__in=agency_ids)
        names = {}
        for agency_id, name, acronym in aliases.values_list("agency_id", "name", "acronym"):
            names.setdefault(agency_id, []).extend(n for n in (name, acronym) if n)
        return names


class AgencyAlias(models.Model):
    """A name an agency went by before a rename or reorganisation."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200, help_text="The former name, as it appeared then.")
    acronym = models.CharField(max_length=20, blank=True)
    valid_from = models.DateField(
        null=True, blank=True, help_text="First day of this name, if known."
    )
    valid_until = models.DateField(
        null=True,
        blank=True,
        help_text="Last day of this name. Releases dated in the range show it as the issuer.",
    )

    objects = AgencyAliasManager()

    class Meta:
        ordering = ["valid_from", "name"]
        verbose_name = "former name"
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="unique_agency_alias"),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_from__lte=models.F("valid_until")),
                name="alias_dates_in_order",
                violation_error_message="The name cannot end before it starts.",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def natural_key(self):
        return (self.agency.slug, self.name)

    natural_key.dependencies = ["releases.agency"]

    def covers(self, day) -> bool:
        """Undated aliases are only searchable; dated ones name the issuer on releases."""
        if self.valid_from is None and self.valid_until is None:
            return False
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )


class Programme(ReleaseTag):
    url_name = "releases:programme"

    @property
    def display_name(self):
        return self.name


FIGURE_PATTERN = re.compile(r"^\s*(?P<value>[-+]?\d[\d,]*(?:\.\d+)?)\+?\s+(?P<label>\S.*?)\s*$")


def parse_figure(text: str) -> tuple[Decimal, str] | None:
    """Split "10,000+ enterprises" into (Decimal("10000"), "enterprises")."""
    match = FIGURE_PATTERN.match(text)
    if not match:
        return None
    try:
        value = Decimal(match["value"].replace(",", ""))
    except InvalidOperation:
        return None
    return value, match["label"]


def format_number(value: Decimal) -> str:
    """Group thousands and drop a zero fraction: 10000.00 -> "10,000"."""
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.normalize():,f}"


class Figure(ReleaseTag):
    value = models.DecimalField(
        max_digits=20, decimal_places=4, help_text="The number itself, e.g. 8 or 2.5."
    )
    label = models.CharField(
        max_length=100, help_text="What is counted, read after the number: 'MoUs signed'."
    )

    url_name = "releases:figure"
    match_name_slugs = False

    class Meta:
        ordering = ["label", "value"]

    @property
    def display_name(self):
        return self.name

    @property
    def display_value(self):
        """The number as written in the name ("10,000+"), for the big figure boxes."""
        if self.label and self.name.endswith(self.label):
            return self.name[: -len(self.label)].strip()
        return format_number(self.value)

    def save(self, *args, **kwargs):
        # Tags typed into a tag field arrive with only a name ("8 MoUs signed").
        if self.value is None and not self.label:
            parsed = parse_figure(self.name)
            if parsed is None:
                raise ValueError(f"A figure needs a number and a label: {self.name!r}")
            self.value, self.label = parsed
        if not self.name:
            self.name = f"{format_number(Decimal(self.value))} {self.label}"
        super().save(*args, **kwargs)


class ReleaseTagLink(TaggedItemBase):
    """One tag on one release; unique so that loading a fixture twice adds nothing."""

    content_object = models.ForeignKey("Release", on_delete=models.CASCADE)
    # The release's date, copied by database triggers (releases/dbobjects/link_dates.py), so that a
    # tag's releases nearest in date are a walk along one index (related releases).
    published_on = models.DateField(null=True, editable=False)

    natural_key_fields = ["content_object_id", "tag_id"]

    class Meta:
        abstract = True


class TaggedAgency(ReleaseTagLink):
    tag = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="items")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="unique_agency_link")
        ]
        indexes = [
            models.Index(
                fields=["tag", "published_on", "content_object"], name="agency_link_by_date"
            )
        ]


class TaggedProgramme(ReleaseTagLink):
    tag = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="items")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="unique_programme_link")
        ]
        indexes = [
            models.Index(
                fields=["tag", "published_on", "content_object"], name="programme_link_by_date"
            )
        ]


class TaggedFigure(ReleaseTagLink):
    tag = models.ForeignKey(Figure, on_delete=models.CASCADE, related_name="items")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="unique_figure_link")
        ]
        indexes = [
            models.Index(
                fields=["tag", "published_on", "content_object"], name="figure_link_by_date"
            )
        ]


class TagRedirect(models.Model):
    """An old slug of a merged or renamed tag; its tag page answers 301 to the new one."""

    old_slug = models.SlugField(max_length=100, unique=True, allow_unicode=True)

    class Meta:
        abstract = True
        ordering = ["old_slug"]

    def __str__(self):
        return f"{self.old_slug} → {self.tag.slug}"


class AgencyRedirect(TagRedirect):
    tag = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="redirects")


class ProgrammeRedirect(TagRedirect):
    tag = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="redirects")


class FigureRedirect(TagRedirect):
    tag = models.ForeignKey(Figure, on_delete=models.CASCADE, related_name="redirects")
