"""Read-only JSON: the same filters and querysets as the HTML pages."""

import datetime

from django.conf import settings
from django.core.paginator import InvalidPage
from django.db.models import Max
from django.http import JsonResponse
from django.utils import timezone
from django.views import View

from . import versions, withdrawal
from .forms import error_messages
from .listing import FilteredReleasesMixin
from .models import Release, ReleaseVersion, format_number
from .pagination import ArchivePaginator
from .search import SearchResults


def tag_list(tags):
    return [{"name": tag.name, "slug": tag.slug} for tag in tags]


def release_summary(release, request, version: int) -> dict:
    return {
        "slug": release.slug,
        "title": release.title,
        "url": request.build_absolute_uri(release.get_absolute_url()),
        "kind": release.kind,
        "published_on": release.published_on.isoformat(),
        "summary": release.summary,
        "agencies": tag_list(release.agency_list),
        "programmes": tag_list(release.programme_list),
        "figures": [
            {
                "name": figure.name,
                "slug": figure.slug,
                "value": float(figure.value),
                "label": figure.label,
                "display_value": format_number(figure.value),
            }
            for figure in release.figure_list
        ],
        "version": version,
    }


def current_versions(releases) -> dict[int, int]:
    """{release id: its current public version number} for a page, in one query at most.

    Only a release changed in public since it was issued has kept versions to count (as
    `versions.history` reads them); every other one is at version 1.
    """
    changed = [release.pk for release in releases if release.revised_at]
    if not changed:
        return {}
    newest = ReleaseVersion.objects.filter(release_id__in=changed).values("release_id")
    return dict(newest.annotate(top=Max("number")).values_list("release_id", "top"))


def version_list(history, request) -> list[dict]:
    """Each public version, oldest first: when it appeared, its note, its own page."""
    return [
        {
            "number": version.number,
            "kind": version.kind,
            "published_on": timezone.localdate(version.published_at).isoformat(),
            "published_at": version.published_at.astimezone(datetime.UTC).isoformat(),
            "note": version.note,
            "url": request.build_absolute_uri(version.get_absolute_url()),
        }
        for version in history
    ]


def add_search_fields(data: dict, results: SearchResults, releases) -> None:
    """Snippets on each result, facet counts over every match, and any suggestion."""
    for item, release in zip(data["results"], releases, strict=True):
        item["snippet"] = release.snippet
    data["query"] = str(results.query)
    data["facets"] = {
        facet: [
            {"slug": int(v.slug) if facet == "year" else v.slug, "name": v.name, "count": v.count}
            for v in values
        ]
        for facet, values in results.facets.items()
    }
    if results.suggestion:
        data["suggestion"] = results.suggestion


def withdrawn(release) -> dict | None:
    """When and why a withdrawn release was withdrawn; None for a published one."""
    if not release.is_withdrawn:
        return None
    at = release.withdrawn_at
    return {
        "on": timezone.localdate(at).isoformat() if at else None,
        "at": at.isoformat() if at else None,
        "reason": release.withdrawal_reason,
    }


def error_response(message, status, details=()):
    return JsonResponse({"error": message, "details": list(details)}, status=status)


class ReleaseListAPI(FilteredReleasesMixin, View):
    page_size = settings.API_PAGE_SIZE
    listed_tags = ("agencies", "programmes", "figures")

    def get(self, request):
        form = self.get_filter_form()
        if not form.is_valid():
            return error_response("Invalid filter.", 400, error_messages(form))
        releases = self.filtered_queryset()
        paginator = ArchivePaginator(
            releases,
            self.page_size,
            request=request,
            count_key=self.count_key(),
            counter=self.counter(),
        )
        try:
            page = paginator.page(request.GET.get("page") or 1)
        except InvalidPage:
            return error_response(f"No such page; there are {paginator.num_pages}.", 404, ["page"])
        current = current_versions(page.object_list)
        data = {
            "count": paginator.count,
            "next": self.page_url(page.next_page_number()) if page.has_next() else None,
            "previous": self.page_url(page.previous_page_number()) if page.has_previous() else None,
            "results": [
                release_summary(r, request, current.get(r.pk, 1)) for r in page.object_list
            ],
        }
        if isinstance(releases, SearchResults):
            add_search_fields(data, releases, page.object_list)
        return JsonResponse(data, json_dumps_params={"ensure_ascii": False})

    def page_url(self, number):
        query = self.request.GET.copy()
        query["page"] = number
        return self.request.build_absolute_uri(f"{self.request.path}?{query.urlencode()}")


class ReleaseDetailAPI(View):
    def get(self, request, slug):
        try:
            release = Release.objects.with_public_page().with_tag_lists().get(slug=slug)
        except Release.DoesNotExist:
            if withdrawal.removed(slug):
                return error_response("That release was removed from the archive.", 410)
            return error_response("No published release has that slug.", 404)
        history = versions.history(release)
        data = release_summary(release, request, history[-1].number)
        data.update(
            versions=version_list(history, request),
            body_html=release.body_html,
            source=release.source,
            source_url=release.source_url,
            language=release.language,
            updated_at=release.updated_at.isoformat(),
            withdrawn=withdrawn(release),
        )
        return JsonResponse(data, json_dumps_params={"ensure_ascii": False})
