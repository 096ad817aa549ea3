"""Releases: the model and its query vocabulary."""

from functools import cached_property

from django.core.exceptions import ValidationError
from django.db import connections, models, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.db.models.query import ModelIterable
from django.urls import reverse
from django.utils import timezone
from taggit.managers import TaggableManager

from .. import cards, images, related, tag_lists
from ..markup import render_markdown
from ..slug_urls import slug_url
from .addresses import ReleaseSlug
from .revision import ReleaseRevision
from .tags import TaggedAgency, TaggedFigure, TaggedProgramme
from .tracking import Tally


class ReleaseQuerySet(models.QuerySet):
    def published(self):
        """The single definition of what the public may see."""
        return self.filter(status=Release.Status.PUBLISHED, published_on__lte=timezone.localdate())

    def with_public_page(self):
        """What a reader can open by its address: the published, and the withdrawn.

        A withdrawn release keeps its page (greyed, with the reason) so that links and
        citations to it still lead somewhere; it is in no list, count, search or tag page.
        """
        return self.filter(
            Q(status=Release.Status.PUBLISHED) | Q(status=Release.Status.WITHDRAWN),
            published_on__lte=timezone.localdate(),
        )

    def withdrawn(self):
        """Withdrawn releases (each was public when it was withdrawn)."""
        return self.filter(status=Release.Status.WITHDRAWN, published_on__lte=timezone.localdate())

    def once_public(self):
        """Releases readers have seen: public now, withdrawn, or published in their history.

        These are kept as issued, so editors withdraw them instead of deleting them. A
        revision that set or left published status counts even if the release was not
        yet due then: when in doubt, a release is kept.
        """
        published = Release.Status.PUBLISHED
        history = ReleaseRevision.objects.filter(release=OuterRef("pk")).filter(
            Q(changes__status__0=published) | Q(changes__status__1=published)
        )
        return self.filter(
            Q(status=Release.Status.WITHDRAWN)
            | Q(status=published, published_on__lte=timezone.localdate())
            | Exists(history)
        )

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
        if issubclass(clone._iterable_class, ModelIterable):  # not after values()
            asked = (
                *getattr(clone._iterable_class, "fields", ()),
                *(fields or Release.tag_links()),
            )
            clone._iterable_class = tag_lists.iterable(tuple(dict.fromkeys(asked)))
        return clone

    def prefetch_related(self, *lookups):
        """`prefetch_related(None)` clears the tag lists too: it means "load nothing else"."""
        clone = super().prefetch_related(*lookups)
        if lookups == (None,) and issubclass(clone._iterable_class, tag_lists.TagListIterable):
            clone._iterable_class = ModelIterable
        return clone

    def with_ids(self, ids):
        """This queryset's releases whose id is in `ids` (a page's worth), in no order.

        `filter(pk__in=ids)` reads the same rows, but SQLite, keeping no statistics,
        takes `status = ? AND published_on <= ?` for a selective use of the listing
        index and walks every published release to find a handful (a release page's
        related releases). Here the ids alone find the rows, and
        this queryset's conditions are checked on each, again by id. What is loaded
        with them (deferred fields, tag lists, prefetches) is this queryset's.
        PostgreSQL plans from statistics and looks the ids up either way: there the
        plain filter is kept, as the correlated check would only add work there.
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
        found._iterable_class = self._iterable_class
        found._prefetch_related_lookups = self._prefetch_related_lookups
        return found

    def public_total(self) -> int:
        """How many releases the archive shows: `Release.objects.published().count()`
        without counting them (this queryset's own filters play no part).

        The database keeps the number with published status (`Tally`, see
        releases/dbobjects/tallies.py); those scheduled for a later day are taken off, a
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
    # first written, so from today's end of the archive instead of the release's date.
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

    # --- What a release's page links to (releases/related.py) ------------------------

    def related_to(self, release, limit=5):
        """Releases sharing tags with this one, best first, each with its `relatedness`."""
        return self.surroundings_of(release, limit=limit, neighbours=False).related

    def surroundings_of(self, release, limit=5, neighbours=True) -> related.Surroundings:
        """The releases a release's page links to: previous, next and related.

        One statement finds them all, one more fetches them, plus one per tag kind if
        the release's tags were not prefetched and whatever this queryset prefetches.
        """
        return self.surroundings_from(self.ranked_surroundings(release, limit, neighbours))

    def ranked_surroundings(self, release, limit=5, neighbours=True) -> list[tuple[int, int]]:
        """`surroundings_of()`'s statement alone, as plain (pk, score) rows to keep."""
        return related.ranked(self, release, limit, neighbours)

    def surroundings_from(self, rows) -> related.Surroundings:
        """The releases of `ranked_surroundings()`'s rows, fetched from this queryset."""
        return related.surroundings(self, rows)


class Release(models.Model):
    class Kind(models.TextChoices):
        PRESS_RELEASE = "press-release", "Press release"
        FACTSHEET = "factsheet", "Factsheet"
        SPEECH = "speech", "Speech"
        MEDIA_ADVISORY = "media-advisory", "Media advisory"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Withdrawn"

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
    # Set by withdrawing (releases/withdrawal.py), cleared by reinstating.
    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    withdrawal_reason = models.CharField(
        max_length=200,
        blank=True,
        editable=False,
        help_text="Shown to readers at the top of the withdrawn page, after its date.",
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
    def is_withdrawn(self):
        return self.status == self.Status.WITHDRAWN

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
