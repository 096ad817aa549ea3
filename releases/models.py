import copy
import datetime
import itertools
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cached_property

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, models, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Lower
from django.db.models.query import ModelIterable
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from taggit.managers import TaggableManager
from taggit.models import NaturalKeyManager, TagBase, TaggedItemBase

from . import cards, images, tag_lists
from .links import slug_url
from .markup import render_markdown

# --- Tags: one TagBase model and one through model per kind ------------------------


def published_via(path: str) -> Q:
    """`ReleaseQuerySet.published()` as conditions on the release joined at `path`.

    For queries over tags or links. A `<path>__in=<published releases>` filter
    instead probes a list of every published id per row; past work_mem (a
    million releases) that list is no longer hashed and each probe scans it (a
    sitemap query ran 14 min).
    """
    return Q(
        **{
            f"{path}__status": Release.Status.PUBLISHED,
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

    def merge_into(self, survivor, *, user=None) -> int:
        """Fold these tags into `survivor`: releases keep every link, old slugs redirect.

        Each release that carried a merged tag gets a new version and a
        revision naming its tags before and after (by `user`), so its history
        shows the change and an editor's open form cannot save over it.
        """
        model = self.model
        through = model.through_model()
        redirects = model.redirect_model()
        losers = list(self.exclude(pk=survivor.pk))
        loser_ids = [tag.pk for tag in losers]
        if not losers:
            return 0
        from releases.search.batches import indexed_at_end  # the search package imports models

        # One batch: each release is re-indexed once, not for its new link and again for
        # each link the tag's deletion removes.
        with indexed_at_end():
            release_ids = (
                through.objects.filter(tag_id__in=loser_ids)
                .values_list("content_object_id", flat=True)
                .distinct()
            )
            versions = dict(
                Release.objects.select_for_update()
                .filter(pk__in=release_ids)
                .values_list("pk", "version")
            )
            before = {pk: [] for pk in versions}
            for pk, name in through.objects.filter(
                content_object_id__in=list(versions)
            ).values_list("content_object_id", "tag__name"):
                before[pk].append(name)
            through.objects.bulk_create(
                [through(content_object_id=pk, tag_id=survivor.pk) for pk in versions],
                ignore_conflicts=True,
            )
            redirects.objects.filter(tag_id__in=loser_ids).update(tag=survivor)
            slugs = [tag.slug for tag in losers]
            redirects.objects.filter(old_slug__in=slugs).delete()  # stale, shadowed until now
            redirects.objects.bulk_create([redirects(old_slug=s, tag=survivor) for s in slugs])
            survivor.absorb(losers)
            model.objects.filter(pk__in=loser_ids).delete()
            record_merge(model, before, versions, losers, survivor, user)
        return len(losers)


def record_merge(model, before, versions, losers, survivor, user):
    """A new version and revision for each release whose tags a merge changed."""
    field = next(f for f, link in Release.tag_links().items() if link is model.through_model())
    merged = {tag.name for tag in losers}
    Release.objects.filter(pk__in=list(versions)).update(
        version=F("version") + 1, updated_at=timezone.now()
    )
    names = ", ".join(tag.name for tag in losers)
    ReleaseRevision.objects.bulk_create(
        (
            ReleaseRevision(
                release_id=pk,
                version=versions[pk] + 1,
                user=user,
                via=ReleaseRevision.Via.ACTION,
                note=f"Merged {names} into {survivor.name}."[:200],
                changes={
                    field: [
                        ", ".join(sorted(old)),
                        ", ".join(sorted({survivor.name if n in merged else n for n in old})),
                    ]
                },
            )
            for pk, old in before.items()
        ),
        batch_size=1000,
    )


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
    def moved_to(cls, slug: str):
        """The tag that an old (merged or renamed) slug now points at, if any."""
        redirect = cls.redirect_model().objects.select_related("tag").filter(old_slug=slug).first()
        return redirect.tag if redirect else None

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


# --- Releases ----------------------------------------------------------------------


@dataclass
class Surroundings:
    """What a release's page links to besides itself (see `ReleaseQuerySet.around`)."""

    previous: "Release | None"
    following: "Release | None"
    related: list


class ReleaseQuerySet(models.QuerySet):
    def published(self):
        """The single definition of what the public may see."""
        return self.filter(status=Release.Status.PUBLISHED, published_on__lte=timezone.localdate())

    def with_tags(self):
        return self.prefetch_related("agencies", "programmes", "figures")

    def with_tag_lists(self, *fields):
        """Load tags (of `fields`, default all) with the releases, for `tags_of()`.

        One statement for all the kinds asked for (see releases/tag_lists.py);
        `prefetch_related("loaded_agencies__aliases")` then reaches through them.
        Cheaper than `with_tags()` wherever many releases are shown: reading
        `release.agencies.all()` builds a new taggit queryset per release and
        per tag kind, which cost more than the queries themselves.
        """
        clone = self._chain()
        fields = fields or tuple(Release.tag_links())
        clone._tag_list_fields = tuple(dict.fromkeys((*self._tag_list_fields, *fields)))
        return clone

    _tag_list_fields = ()

    def _clone(self):
        clone = super()._clone()
        clone._tag_list_fields = self._tag_list_fields
        return clone

    def prefetch_related(self, *lookups):
        clone = super().prefetch_related(*lookups)
        if lookups == (None,):
            clone._tag_list_fields = ()
        return clone

    def _fetch_all(self):
        # QuerySet._fetch_all, with the tag lists attached before any prefetch that
        # reaches through them.
        if self._result_cache is None:
            self._result_cache = list(self._iterable_class(self))
            if self._tag_list_fields and issubclass(self._iterable_class, ModelIterable):
                tag_lists.attach(
                    self._result_cache, self._tag_list_fields, Release.tag_links(), self.db
                )
        if self._prefetch_related_lookups and not self._prefetch_done:
            self._prefetch_related_objects()

    def _iterator(self, use_chunked_fetch, chunk_size):
        rows = super()._iterator(use_chunked_fetch, chunk_size)
        if not (self._tag_list_fields and issubclass(self._iterable_class, ModelIterable)):
            yield from rows
            return
        while chunk := list(itertools.islice(rows, chunk_size or 2000)):
            tag_lists.attach(chunk, self._tag_list_fields, Release.tag_links(), self.db)
            yield from chunk

    def among(self, ids):
        """This queryset's releases whose id is in `ids` (a page's worth), in no order.

        `filter(pk__in=ids)` reads the same rows, but SQLite, keeping no statistics,
        takes `status = ? AND published_on <= ?` for a selective use of the listing
        index and walked every published release to find a handful (a release page's
        related releases: 16 ms at 100,000). Here the ids alone find the rows, and
        this queryset's conditions are checked on each, again by id. What is loaded
        with them (deferred fields, tag lists, prefetches) is this queryset's.
        PostgreSQL plans from statistics and looks the ids up either way: there the
        plain filter is kept (the correlated check cost it about a millisecond).
        """
        if connections[self.db].vendor != "sqlite":
            return self.filter(pk__in=list(ids)).order_by()
        matching = self.order_by().values("pk").filter(pk=OuterRef("pk"))
        found = (
            type(self)(model=self.model, using=self._db)
            .filter(Exists(matching), pk__in=list(ids))
            .order_by()
        )
        found.query.deferred_loading = self.query.deferred_loading
        found.query.select_related = self.query.select_related
        found._tag_list_fields = self._tag_list_fields
        found._prefetch_related_lookups = self._prefetch_related_lookups
        return found

    def public_total(self) -> int:
        """How many releases the archive shows: `Release.objects.published().count()`
        without counting them (this queryset's own filters play no part).

        The database keeps the number with published status (`Tally`, see
        releases/tallies.py); those scheduled for a later day are taken off, a
        walk of the listing index from tomorrow on.
        """
        scheduled = (
            Release.objects.using(self.db)
            .filter(status=Release.Status.PUBLISHED, published_on__gt=timezone.localdate())
            .order_by()
            .values("status")
            .annotate(n=Count("pk"))
            .values("n")
        )
        kept = Tally.objects.using(self.db).filter(kind=Tally.ARCHIVE, tag_id=0)
        counts = kept.values_list(F("published") - Coalesce(Subquery(scheduled), 0), flat=True)
        return counts.first() or 0

    def for_listing(self):
        """Leave the long columns in the database when only cards are shown."""
        return self.defer("body", "body_html")

    def filter_by(
        self,
        *,
        agencies=(),
        programmes=(),
        figures=(),
        kind="",
        year=None,
        date_from=None,
        date_to=None,
    ):
        """Apply the listing filters; several tags of one kind must all be present."""
        qs = self
        for field, tags in (
            ("agencies", agencies),
            ("programmes", programmes),
            ("figures", figures),
        ):
            for tag in tags:
                # One join per tag: a release must carry every tag asked for.
                qs = qs.filter(**{field: tag})
        if kind:
            qs = qs.filter(kind=kind)
        if year:
            qs = qs.filter(published_on__year=year)
        if date_from:
            qs = qs.filter(published_on__gte=date_from)
        if date_to:
            qs = qs.filter(published_on__lte=date_to)
        return qs

    def sorted_by(self, sort: str = "newest"):
        return self.order_by(*Release.SORTS.get(sort, Release.SORTS["newest"]))

    # before() and after() repeat the date bound outside the OR, so that an index walk
    # starts at the release instead of at one end of the archive. before() also puts
    # that bound first: published() has already bounded the date by today, and of two
    # bounds on one column SQLite (which keeps no statistics of values) walks from the
    # first written, so from today's end of the archive (for a release of 2017 among
    # 100,000: 7 ms, against 0.05 ms from its own date).
    def before(self, release):
        """Releases published before this one, nearest first."""
        nearest = self.filter(published_on__lte=release.published_on)
        conditions = nearest.query.where.children  # the clone's own list
        conditions.insert(0, conditions.pop())
        return nearest.filter(
            Q(published_on__lt=release.published_on)
            | Q(published_on=release.published_on, id__lt=release.id)
        ).order_by("-published_on", "-id")

    def after(self, release):
        """Releases published after this one, nearest first."""
        return self.filter(
            Q(published_on__gt=release.published_on)
            | Q(published_on=release.published_on, id__gt=release.id),
            published_on__gte=release.published_on,
        ).order_by("published_on", "id")

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)

    def formerly_at(self, slug):
        """Releases that used to live at this slug (there is at most one)."""
        return self.filter(old_slugs__slug=slug)

    # Sharing a programme says more about two releases than sharing an issuing agency.
    RELATED_WEIGHTS = {"programmes": 3, "agencies": 1, "figures": 1}
    # How many releases of each shared tag are considered (see related_ranking_sql).
    RELATED_CANDIDATES_PER_TAG = 100
    # Stands for the tag id in a candidate query compiled once for all tags; no
    # parameter of that query (dates, the release's own id, status) can equal it.
    TAG_STAND_IN = -7_201_948_513
    # In place of a score, marks the neighbours among around()'s rows.
    PREVIOUS, FOLLOWING = -1, -2

    def related_ranking_sql(self, release, limit):
        """SQL ranking the releases that share tags with this one, or None if it has no tags.

        Rows of (pk, published_on, relatedness): most shared (weighted) first, then
        newest. The candidates are, for each of this release's tags, the
        RELATED_CANDIDATES_PER_TAG releases carrying it that are nearest in date
        (half before, half after): the cost stays bounded however common a tag is
        (an agency on most of the archive would otherwise make every page rank most
        of the archive), and an old release finds its contemporaries. Each side of
        a tag is a walk along its link table's (tag, date, release) index from this
        release's date, checking each release it meets against `self`, so a rare
        tag and a common one cost the same. Each candidate's score counts its links
        to this release's tags through the links' unique (release, tag) index.
        """
        others = self.prefetch_related(None).values("pk", "published_on")
        half = self.RELATED_CANDIDATES_PER_TAG // 2
        tags = {field: [tag.pk for tag in release.tags_of(field)] for field in self.RELATED_WEIGHTS}
        arms, scores, params, score_params = [], [], [], []
        for field, weight in self.RELATED_WEIGHTS.items():
            tag_ids = tags[field]
            if not tag_ids:
                continue
            through = Release.tag_links()[field]
            for side in self._nearest_carrying(others, through._meta.model_name, release):
                # Compiled once per side, then given each tag's id in the stand-in's place.
                sql, side_params = side[:half].query.sql_with_params()
                for tag_id in tag_ids:
                    # Wrapped: SQLite allows no LIMIT on a bare arm of a UNION.
                    arms.append(f"SELECT * FROM ({sql}) AS nearest_{len(arms)}")
                    params.extend(tag_id if p == self.TAG_STAND_IN else p for p in side_params)
            marks = ", ".join(["%s"] * len(tag_ids))
            scores.append(
                f"{int(weight)} * (SELECT COUNT(*) FROM {through._meta.db_table} link"
                f" WHERE link.content_object_id = candidate.pk AND link.tag_id IN ({marks}))"
            )
            score_params.extend(tag_ids)
        if not arms:
            return None
        sql = (
            f"SELECT candidate.pk, candidate.published_on, {' + '.join(scores)} AS relatedness"
            f" FROM ({' UNION '.join(arms)}) candidate"
            " ORDER BY relatedness DESC, candidate.published_on DESC, candidate.pk DESC"
            " LIMIT %s"
        )
        return sql, [*score_params, *params, limit]

    def _nearest_carrying(self, releases, link: str, release) -> tuple:
        """`releases` carrying the tag TAG_STAND_IN through `link`: before this release,
        nearest first, and after it.

        Bounded, filtered and ordered on the link's own copy of the date (and its
        release id, for releases of the same day), all in one filter() so that both
        sides join the link table once: the walk is along the link's index.
        """
        date, pk, day = f"{link}__published_on", f"{link}__content_object_id", release.published_on
        tag = {f"{link}__tag": self.TAG_STAND_IN}
        before = releases.filter(
            Q(**{f"{date}__lt": day}) | Q(**{date: day, f"{pk}__lt": release.pk}),
            **tag,
            **{f"{date}__lte": day},
        ).order_by(f"-{date}", f"-{pk}")
        after = releases.filter(
            Q(**{f"{date}__gt": day}) | Q(**{date: day, f"{pk}__gt": release.pk}),
            **tag,
            **{f"{date}__gte": day},
        ).order_by(date, pk)
        return before, after

    def related_to(self, release, limit=5):
        """Releases sharing tags with this one, best first, each with its `relatedness`."""
        return self.around(release, limit=limit, neighbours=False).related

    def around(self, release, limit=5, neighbours=True):
        """The releases a release's page links to: previous, next and related.

        One statement finds them all (the related ranking and both neighbours),
        one more fetches them, plus one per tag kind if the release's tags were
        not prefetched and whatever `self` prefetches.
        """
        return self.surroundings(self.ranked_around(release, limit, neighbours))

    def ranked_around(self, release, limit=5, neighbours=True) -> list[tuple[int, int]]:
        """around()'s statement alone: (pk, relatedness) rows, the neighbours marked
        PREVIOUS and FOLLOWING in place of a score.

        Plain numbers, so that a page can keep them until the data changes.
        """
        tags = {field: [tag.pk for tag in release.tags_of(field)] for field in self.RELATED_WEIGHTS}
        sql, params = self._around_statement(
            tuple(len(ids) for ids in tags.values()), limit, neighbours
        )
        if sql is None:
            return []
        # As compiled: SQLite's dates are text by then.
        as_date = connections[self.db].ops.adapt_datefield_value
        values = {
            self.PK_STAND_IN: release.pk,
            as_date(self.DATE_STAND_IN): as_date(release.published_on),
        }
        own_tags = (pk for ids in tags.values() for pk in ids)
        values.update(zip(self._tag_stand_ins(), own_tags, strict=False))  # endless stand-ins
        with connections[self.db].cursor() as cursor:
            cursor.execute(sql, [values.get(param, param) for param in params])
            return [(pk, score) for pk, score in cursor.fetchall() if pk is not None]

    # A release's own id and date, and its tags' ids, in the statement _around_statement()
    # writes once per shape: no other parameter of it (today, a status) can equal them.
    PK_STAND_IN = -5_301_774_091
    DATE_STAND_IN = datetime.date(1, 1, 2)
    # Written statements by the queryset's conditions, database and tag counts: building
    # one took 6 ms of Python, as long as running it, on every release page's first visit.
    _around_statements = {}

    def _tag_stand_ins(self):
        return itertools.count(self.TAG_STAND_IN - 1, -1)

    def _around_statement(self, tag_counts: tuple, limit: int, neighbours: bool):
        key = (
            self.db,
            self.query.where,
            tuple(self.query.alias_map),
            tag_counts,
            limit,
            neighbours,
            self.RELATED_CANDIDATES_PER_TAG,
            tuple(self.RELATED_WEIGHTS.items()),
        )
        try:
            return self._around_statements[key]
        except KeyError:
            pass
        except TypeError:  # a condition on something unhashable: written each time
            return self._write_around(tag_counts, limit, neighbours)
        if len(self._around_statements) > 1_000:
            self._around_statements.clear()
        written = self._around_statements[key] = self._write_around(tag_counts, limit, neighbours)
        return written

    def _write_around(self, tag_counts, limit, neighbours):
        stand_in = Release(pk=self.PK_STAND_IN, published_on=self.DATE_STAND_IN)
        tag_ids = self._tag_stand_ins()
        for field, count in zip(self.RELATED_WEIGHTS, tag_counts, strict=True):
            model = Release.tag_links()[field].tag_model()
            tags = [model(pk=next(tag_ids)) for _ in range(count)]
            setattr(stand_in, tag_lists.attribute(field), tags)
        parts, params = [], []
        ranking = self.related_ranking_sql(stand_in, limit)
        if ranking is not None:
            parts.append(f"SELECT pk, relatedness FROM ({ranking[0]}) ranked")
            params.extend(ranking[1])
        # Scalar subqueries: each reads one index entry next to the release.
        sides = (
            ((self.before(stand_in), self.PREVIOUS), (self.after(stand_in), self.FOLLOWING))
            if neighbours
            else ()
        )
        for side, role in sides:
            sql, side_params = side.prefetch_related(None).values("pk")[:1].query.sql_with_params()
            parts.append(f"SELECT ({sql}), %s")
            params.extend([*side_params, role])
        if not parts:
            return None, ()
        return " UNION ALL ".join(parts), tuple(params)

    def surroundings(self, ranked) -> Surroundings:
        """The releases of `ranked_around()`'s rows, in one query (and self's prefetches)."""
        shown = {other.pk: other for other in self.among({pk for pk, _ in ranked})}
        related, roles = [], {}
        for pk, score in ranked:
            if pk not in shown:
                continue  # unpublished or deleted since the ranking
            if score < 0:
                roles[score] = shown[pk]
            else:
                # A copy: the previous or next release may be related too.
                other = copy.copy(shown[pk])
                other.relatedness = score
                related.append(other)
        related.sort(key=lambda r: (r.relatedness, r.published_on, r.pk), reverse=True)
        return Surroundings(
            previous=roles.get(self.PREVIOUS), following=roles.get(self.FOLLOWING), related=related
        )


class Release(models.Model):
    class Kind(models.TextChoices):
        PRESS_RELEASE = "press-release", "Press release"
        FACTSHEET = "factsheet", "Factsheet"
        SPEECH = "speech", "Speech"
        MEDIA_ADVISORY = "media-advisory", "Media advisory"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=300)
    slug = models.SlugField(
        max_length=200,
        unique=True,
        help_text="The permanent web address. If you change it, the old address redirects here.",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PRESS_RELEASE)
    published_on = models.DateField(
        db_index=True, help_text="The release date. A future date keeps it hidden until then."
    )
    summary = models.TextField(
        blank=True, help_text="One or two sentences shown in lists, feeds and link previews."
    )
    body = models.TextField(help_text="The full text, in Markdown.")
    body_html = models.TextField(editable=False, default="")
    source = models.CharField(
        max_length=200,
        blank=True,
        help_text="Who issued the text or where it came from, as shown to readers.",
    )
    source_url = models.URLField(max_length=500, blank=True, help_text="The original, if online.")
    language = models.CharField(max_length=16, default="en", help_text="BCP 47 code, e.g. en, zh.")
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    # The upload's own name is never used: the stored file is named by its content.
    hero_image = images.HeroImageField(
        upload_to=images.MASTER_DIR,
        blank=True,
        help_text="A JPEG, PNG or WebP picture, up to 20 MB, shown at the top of the release "
        "and in link previews. Location data and other metadata are removed.",
    )
    hero_image_alt = models.CharField(
        "hero image alt text",
        max_length=300,
        blank=True,
        help_text="Required with an image: describe the picture for readers who cannot see it.",
    )
    hero_image_caption = models.CharField(
        "caption", max_length=300, blank=True, help_text="Shown under the picture."
    )
    hero_image_credit = models.CharField(
        "credit", max_length=200, blank=True, help_text="Who took or made the picture."
    )
    hero_image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    hero_image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    # {"source": stored file name, "key": its content digest, "widths": [480, 960, 1600]}
    hero_renditions = models.JSONField(default=dict, blank=True, editable=False)
    correction_note = models.TextField(
        blank=True,
        help_text="Shown to readers above the text: what was corrected and why. Plain text.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    revised_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When a change was last made to the release after it became public.",
    )
    version = models.PositiveIntegerField(
        default=1, help_text="Goes up by one on every save, so that two editors cannot clash."
    )

    agencies = TaggableManager(
        verbose_name="agencies",
        through=TaggedAgency,
        related_name="releases",
        blank=True,
        help_text="Issuing agencies.",
    )
    programmes = TaggableManager(
        verbose_name="programmes",
        through=TaggedProgramme,
        related_name="releases",
        blank=True,
        help_text="Programmes.",
    )
    figures = TaggableManager(
        verbose_name="figures",
        through=TaggedFigure,
        related_name="releases",
        blank=True,
        help_text='Key numbers announced, e.g. "8 MoUs signed".',
    )

    objects = ReleaseQuerySet.as_manager()

    # Search results set each release's highlighted excerpt (safe HTML). Elsewhere it
    # is empty, and a card's {% if release.snippet %} costs no failed lookup (which
    # Django's templates answer with a dir() of the whole model instance).
    snippet = ""

    SORTS = {
        "newest": ("-published_on", "-id"),
        "oldest": ("published_on", "id"),
        "title": ("title", "id"),
    }

    class Meta:
        ordering = ["-published_on", "-id"]
        indexes = [
            models.Index(fields=["status", "-published_on", "-id"], name="release_listing"),
            # The newest edit, for the sitemap index's dates, without reading every release.
            models.Index(fields=["-updated_at"], name="release_last_edit"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.body_html = render_markdown(self.body)
        update_fields = kwargs.get("update_fields")
        stored_slug = getattr(self, "_stored_slug", None)
        slug_changed = (
            stored_slug is not None
            and stored_slug != self.slug
            and (update_fields is None or "slug" in update_fields)
        )
        if not self._state.adding:
            self.version += 1
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "version"}
        images.prepare_hero(self)
        self.__dict__.pop("hero", None)
        with transaction.atomic(using=kwargs.get("using")):
            super().save(*args, **kwargs)
            if slug_changed:
                self.old_slugs.filter(slug=self.slug).delete()
                ReleaseSlug.objects.update_or_create(slug=stored_slug, defaults={"release": self})
        self._stored_slug = self.slug

    def get_absolute_url(self):
        return slug_url("releases:detail", self.slug)

    def clean(self):
        super().clean()
        self.hero_image_alt = self.hero_image_alt.strip()
        if self.hero_image and not self.hero_image_alt:
            raise ValidationError(
                {
                    "hero_image_alt": "Describe the image for readers who cannot see it: "
                    "alt text is required whenever there is an image."
                }
            )

    def natural_key(self):
        return (self.slug,)

    @cached_property
    def hero(self):
        """The hero image with its renditions, or None (also while renditions are missing)."""
        return images.HeroImage.for_release(self)

    @property
    def social_card_key(self):
        return cards.card_key(self)

    @property
    def social_card_url(self):
        """Path of the 1200×630 link-preview image; og:image wants it absolute."""
        return reverse(
            "releases:social_card", kwargs={"slug": self.slug, "key": self.social_card_key}
        )

    @classmethod
    def from_db(cls, db, field_names, values):
        release = super().from_db(db, field_names, values)
        # Remember the stored slug so that save() can tell when it changes.
        release._stored_slug = release.__dict__.get("slug")
        return release

    @staticmethod
    def tag_links() -> dict:
        """Each tag field and its link (through) model."""
        return {
            field: Release._meta.get_field(field).remote_field.through
            for field in ("agencies", "programmes", "figures")
        }

    def tags_of(self, field: str) -> list:
        """The tags in one field, in their usual order; from `with_tag_lists()` when used."""
        loaded = getattr(self, tag_lists.attribute(field), None)
        if loaded is None:
            return list(getattr(self, field).all())
        return list(loaded)

    # For templates, which cannot pass an argument to tags_of().
    @property
    def agency_list(self) -> list:
        return self.tags_of("agencies")

    @property
    def programme_list(self) -> list:
        return self.tags_of("programmes")

    @property
    def figure_list(self) -> list:
        return self.tags_of("figures")

    @property
    def is_public(self):
        return self.status == self.Status.PUBLISHED and self.published_on <= timezone.localdate()

    @property
    def shows_update(self):
        """Whether readers see "Updated on": changed after the day it was published."""
        return bool(self.revised_at and timezone.localdate(self.revised_at) > self.published_on)

    # What staff can change, in the order the history lists it.
    TRACKED_FIELDS = (
        "title", "slug", "kind", "published_on", "summary", "body", "source", "source_url",
        "language", "status", "correction_note", "hero_image", "hero_image_alt",
        "agencies", "programmes", "figures",
    )  # fmt: skip
    TAG_FIELDS = ("agencies", "programmes", "figures")

    def snapshot(self) -> dict[str, str]:
        """Every tracked field as text, tags as sorted names: what a revision compares."""
        values = {}
        for name in self.TRACKED_FIELDS:
            if name in self.TAG_FIELDS:
                values[name] = ", ".join(sorted(tag.name for tag in getattr(self, name).all()))
            else:
                value = getattr(self, name)
                values[name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
        return values

    def agencies_as_issued(self):
        """(agency, former name or None) for each agency, as named on the release's date."""
        return [(agency, agency.alias_on(self.published_on)) for agency in self.agency_list]


def changes_between(before: dict, after: dict) -> dict[str, list[str]]:
    """{field: [old, new]} for the tracked fields that differ."""
    return {
        name: [before.get(name, ""), after.get(name, "")]
        for name in Release.TRACKED_FIELDS
        if before.get(name, "") != after.get(name, "")
    }


class ReleaseRevision(models.Model):
    """One saved change to a release: who, when, how, and each field's old and new text."""

    class Via(models.TextChoices):
        ADMIN = "admin", "Admin form"
        ACTION = "action", "Admin action"
        IMPORT = "import", "Import"

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    saved_at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    via = models.CharField(max_length=10, choices=Via.choices)
    note = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, help_text="{field: [old, new]}")

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["release", "version"], name="unique_release_version")
        ]

    def __str__(self):
        return f"{self.release} v{self.version}"

    @property
    def author(self) -> str:
        return self.user.get_username() if self.user else self.get_via_display().lower()


class ReleaseSlug(models.Model):
    """An address a release used to have; the detail page redirects it to the current one."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="old_slugs")
    slug = models.SlugField(max_length=200, unique=True)
    replaced_at = models.DateTimeField(
        auto_now=True, help_text="When the release moved away from this address."
    )

    class Meta:
        verbose_name = "old slug"
        ordering = ["-replaced_at"]

    def __str__(self):
        return f"{self.slug} → {self.release.slug}"


# --- Change tracking for HTTP caching ------------------------------------------------


class ArchiveState(models.Model):
    """One row whose version database triggers bump on any change to public data.

    Triggers (not signals) so that bulk imports, `update()` and `loaddata`
    count too; ETags and the page cache are keyed on it.
    """

    version = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="archive_state_single_row")]

    def __str__(self):
        return f"version {self.version} at {self.changed_at:%Y-%m-%d %H:%M:%S}"


class Tally(models.Model):
    """How many releases with published status carry a tag, or the archive holds.

    Kept by database triggers and never written by Django (releases/dbobjects/tallies.py).
    A tag's row has `kind` agency, programme or figure and its id; the archive's
    own row has kind ARCHIVE and tag id 0.
    """

    ARCHIVE = "archive"

    kind = models.CharField(max_length=10)
    tag_id = models.BigIntegerField()
    published = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "tag_id"], name="one_tally_per_tag")]

    def __str__(self):
        return f"{self.kind} {self.tag_id}: {self.published}"
