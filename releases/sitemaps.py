"""For crawlers: `/sitemap.xml` (an index of one sitemap per section) and `/robots.txt`."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.shortcuts import render
from django.urls import reverse

from .models import Agency, Figure, Programme, Release, published_items


class ReleaseSitemap(Sitemap):
    changefreq = "yearly"
    priority = 0.8
    # Crawlers accept up to 50,000 URLs a file, but rendering that many took ~3 s;
    # 5,000 keeps each file a fraction of a second (100 files per 500,000 releases).
    limit = 5_000

    def items(self):
        return Release.objects.published().only("slug", "updated_at").sorted_by("newest")

    def lastmod(self, release):
        return release.updated_at

    def get_latest_lastmod(self):
        # For the index. Django's default reads every release to find the newest edit.
        return self.items().aggregate(latest=Max("updated_at"))["latest"]


class TagSitemap(Sitemap):
    """Tag pages with at least one published release; modified when their newest release was."""

    changefreq = "weekly"
    priority = 0.5
    model = None

    def items(self):
        return (
            self.model.objects.in_use()
            .annotate(
                last_modified=Max("items__content_object__updated_at", filter=published_items())
            )
            .order_by("slug")
        )

    def lastmod(self, tag):
        return tag.last_modified


class PageSitemap(Sitemap):
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


def robots_txt(request):
    return render(request, "robots.txt", content_type="text/plain; charset=utf-8")
