"""For crawlers: `/sitemap.xml` (an index of one sitemap per section) and `/robots.txt`."""

from functools import cache, cached_property, partial

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.core.paginator import Paginator
from django.db.models import Exists, Max, OuterRef
from django.shortcuts import render
from django.urls import reverse
from django.utils import dateformat
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime

from . import versions
from .caching import remember
from .models import Agency, Figure, Programme, Release, published_items, published_via


class CountedPaginator(Paginator):
    """A paginator whose item count comes from `count()` rather than counting what it pages."""

    def __init__(self, object_list, per_page, *, count):
        super().__init__(object_list, per_page)
        self.counted = count

    @cached_property
    def count(self):
        return self.counted()


class ArchiveSitemap(Sitemap):
    def __init__(self, request=None):
        self.request = request  # the request being answered, if any


class CountingSitemap(ArchiveSitemap):
    """A sitemap whose size is counted once per data version (see `remember`).

    The index asks every section its size: counting a million releases, and
    the figures in use, took most of a second.
    """

    def count(self) -> int:
        raise NotImplementedError

    @property
    def count_key(self) -> str:
        return f"sitemap:{type(self).__name__}"

    @property
    def paginator(self):
        count = partial(remember, self.request, self.count_key, self.count)
        return CountedPaginator(self.items(), self.limit, count=count)


class ReleaseSitemap(CountingSitemap):
    changefreq = "yearly"
    priority = 0.8
    # Crawlers accept up to 50,000 URLs a file, but rendering that many took ~3 s;
    # 5,000 keeps each file a fraction of a second (100 files per 500,000 releases).
    limit = 5_000

    def items(self):
        releases = Release.objects.published().only("slug", "published_on")
        return releases.annotate(last_version_at=versions.newest_time()).sorted_by("newest")

    # The home page's count of published releases: one count serves both.
    count_key = "published"

    def count(self):
        return Release.objects.public_total()

    def lastmod(self, release):
        # Its current public version: a save readers cannot see is no change to crawl.
        return versions.last_changed(release)

    def get_latest_lastmod(self):
        # For the index (Django's default would read every release).
        return versions.newest_public_change()


class TagSitemap(CountingSitemap):
    """Tag pages with at least one published release; modified when their newest release was.

    A section lists its tags with one pass over all of their links. The index
    only asks each section its size and newest date, which need no per-tag
    aggregate: the size counts the tags that have a published release at all,
    the date is the first release found walking the updated_at index backwards
    that carries a tag of this kind (docs/benchmarks.md has the difference).
    """

    changefreq = "weekly"
    priority = 0.5
    model = None

    def items(self):
        # Tags with no published release have no date: those are left out.
        return (
            self.model.objects.annotate(
                last_modified=Max("items__content_object__updated_at", filter=published_items())
            )
            .filter(last_modified__isnull=False)
            .order_by("slug")
        )

    def lastmod(self, tag):
        return tag.last_modified

    def count(self):
        # Cheaper than counting items(), which aggregates every tag's links.
        links = self.model.through_model().objects.filter(published_via("content_object"))
        return self.model.objects.filter(Exists(links.filter(tag=OuterRef("pk")))).count()

    def get_latest_lastmod(self):
        links = self.model.through_model().objects.filter(content_object=OuterRef("pk"))
        return newest_edit(Release.objects.published().filter(Exists(links)))


class PageSitemap(ArchiveSitemap):
    changefreq = "daily"
    priority = 0.6

    def items(self):
        return [
            "releases:home",
            "releases:list",
            "releases:agency_index",
            "releases:programme_index",
            "releases:figure_index",
        ]

    def location(self, name):
        return reverse(name)


class AgencySitemap(TagSitemap):
    model = Agency


class ProgrammeSitemap(TagSitemap):
    model = Programme


class FigureSitemap(TagSitemap):
    model = Figure


sitemaps = {
    "pages": PageSitemap,
    "releases": ReleaseSitemap,
    "agencies": AgencySitemap,
    "programmes": ProgrammeSitemap,
    "figures": FigureSitemap,
}


def sections(request) -> dict:
    return {name: sitemap(request) for name, sitemap in sitemaps.items()}


def sitemap_index(request):
    response = sitemap_views.index(
        request,
        sitemaps=sections(request),
        sitemap_url_name="releases:sitemap_section",
        template_name="sitemap_index.xml",
    )
    # The index lists every file of every section (200 of them at a million
    # releases). Rendered by the template engine entry by entry, with the section's
    # date formatted afresh for each, the index at a million took twice as long as
    # at 100,000; written here, each section's date once, the entries cost little.
    lastmod = cache(w3c_lastmod)
    response.context_data["entries"] = mark_safe(
        "".join(
            f"<sitemap><loc>{escape(item.location)}</loc>{lastmod(item.last_mod)}</sitemap>\n"
            for item in response.context_data["sitemaps"]
        )
    )
    return response


def w3c_lastmod(moment) -> str:
    """A sitemap's <lastmod>, as Django's template writes it (`date:"c"`, local time)."""
    if not moment:
        return ""
    return f"<lastmod>{dateformat.format(template_localtime(moment), 'c')}</lastmod>"


def sitemap_section(request, section):
    return sitemap_views.sitemap(request, sitemaps=sections(request), section=section)


def newest_edit(releases):
    return releases.order_by("-updated_at").values_list("updated_at", flat=True).first()


def robots_txt(request):
    return render(request, "robots.txt", content_type="text/plain; charset=utf-8")
