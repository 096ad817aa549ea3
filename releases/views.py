from django.conf import settings
from django.core.paginator import InvalidPage
from django.db import connection
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.generic import DetailView, ListView, TemplateView

from . import cards, citations, images, versions, withdrawal
from .caching import remember
from .forms import error_messages
from .listing import FilteredReleasesMixin
from .models import Agency, Programme, Release
from .pagination import ArchivePaginator


def in_use_tags(request, model) -> list:
    """Tags of one kind with published releases, counted once per data version."""
    return remember(request, f"in_use:{model._meta.label}", lambda: list(model.objects.in_use()))


def most_used(tags):
    return sorted(tags, key=lambda tag: (-tag.release_count, tag.name))


class ReleaseListView(FilteredReleasesMixin, ListView):
    template_name = "releases/release_list.html"
    paginate_by = settings.RELEASES_PER_PAGE
    paginator_class = ArchivePaginator
    context_object_name = "releases"

    def get_paginator(self, queryset, per_page, **kwargs):
        return super().get_paginator(
            queryset,
            per_page,
            request=self.request,
            count_key=self.count_key(),
            counter=self.counter(),
            **kwargs,
        )

    def get_queryset(self):
        return self.filtered_queryset()

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size)
        number = self.request.GET.get("page") or 1
        try:
            page = paginator.page(number)
        except InvalidPage:
            raise Http404(
                f"There is no page “{str(number)[:20]}” of this list; "
                f"it has {paginator.num_pages} page{'s' if paginator.num_pages != 1 else ''}."
            ) from None
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        form = self.get_filter_form()
        return super().get_context_data(
            form=form,
            filter_errors=error_messages(form),
            agencies=self.all_tags(Agency),
            programmes=self.all_tags(Programme),
            syndication=self.syndication_links(),
            **kwargs,
        )

    def all_tags(self, model):
        """The filter form's choices, the tags in use: read on first use, once per data version."""
        return SimpleLazyObject(lambda: in_use_tags(self.request, model))

    def render_to_response(self, context, **kwargs):
        status = 400 if self.get_filter_form().errors else 200
        return super().render_to_response(context, status=status, **kwargs)


class TagDetailView(ReleaseListView):
    """Releases carrying one agency, programme or figure."""

    template_name = "releases/tag_detail.html"
    tag_model = None
    tag_field = ""

    def get(self, request, *args, **kwargs):
        # A tag only unpublished releases carry answers as one that does not exist.
        tags = self.tag_model.objects.public()
        self.tag = tags.filter(slug=kwargs["slug"]).first()
        if self.tag is None:
            # A merged or renamed tag's old address keeps working, filters and all.
            moved = tags.moved_from(kwargs["slug"]) or self.no_such_tag()
            query = request.META.get("QUERY_STRING", "")
            url = moved.get_absolute_url() + (f"?{query}" if query else "")
            return HttpResponsePermanentRedirect(url)
        return super().get(request, *args, **kwargs)

    def no_such_tag(self):
        raise Http404(f"No {self.tag_model._meta.verbose_name} is called that.")

    def get_base_filters(self):
        return {self.tag_field: [self.tag]}

    def counter(self):
        # Unfiltered, the page holds the tag's published releases, a count the database
        # keeps: counting them would visit every link (70,000 for a common agency).
        if self.narrowed_by_reader():
            return None
        tags = self.tag_model.objects.filter(pk=self.tag.pk).with_release_counts()
        return lambda: tags.values_list("release_count", flat=True).get()

    verbs = {"agency": "issued by", "figure": "announcing"}

    def get_context_data(self, **kwargs):
        kind = self.tag_model._meta.verbose_name
        return super().get_context_data(
            tag=self.tag,
            tag_kind=kind,
            tag_description=f"Press releases {self.verbs.get(kind, 'about')} {self.tag.name}.",
            **kwargs,
        )

    def syndication_query(self):
        # The tag page's feed is the listing feed filtered by this tag.
        query = super().syndication_query()
        param = self.tag_model._meta.model_name
        query.setlist(param, list(dict.fromkeys([self.tag.slug, *query.getlist(param)])))
        return query


FACET_LABELS = [
    ("Agency", "agency"),
    ("Programme", "programme"),
    ("Kind", "kind"),
    ("Year", "year"),
]


class SearchView(ReleaseListView):
    """Ranked full-text search; without `q`, the search form and ways to browse."""

    template_name = "releases/search.html"

    def get_queryset(self):
        return self.filtered_queryset() if self.get_filter_form().search_text else []

    def get_context_data(self, **kwargs):
        results = self.object_list
        facets = getattr(results, "facets", {})
        return super().get_context_data(
            query=getattr(results, "query", None),
            facet_groups=[
                (label, param, facets.get(param))
                for label, param in FACET_LABELS
                if facets.get(param)
            ],
            suggestion=getattr(results, "suggestion", None),
            kept_filters=[
                (param, value)
                for param, values in self.request.GET.lists()
                if param not in {"q", "page"}
                for value in values
            ],
            **kwargs,
        )


class TagIndexView(ListView):
    template_name = "releases/tag_index.html"
    context_object_name = "tags"
    tag_model = None

    def get_queryset(self):
        model = self.tag_model
        return in_use_tags(self.request, model)

    def get_context_data(self, **kwargs):
        return super().get_context_data(meta=self.tag_model._meta, **kwargs)


class ReleaseLookupMixin:
    """One release by slug, for its page, its versions and its citation files.

    Staff may open a draft (with a banner); everyone else sees only what is
    public, and what was withdrawn (greyed, with the reason). A release whose slug
    changed answers at its old address with a 301 to the same page at the new one; a
    deleted once-public one, 410.
    """

    def get_queryset(self):
        user = self.request.user
        releases = Release.objects.all() if user.is_staff else Release.objects.with_public_page()
        return releases.with_tag_lists().prefetch_related("loaded_agencies__aliases")

    def get(self, request, *args, **kwargs):
        try:
            self.object = self.get_object()
        except Http404 as missing:
            return self.moved_or_gone(request, kwargs, missing)
        return self.render_to_response(self.get_context_data(object=self.object))

    def moved_or_gone(self, request, kwargs, missing: Http404):
        # Current slugs win: an old slug redirects only while no release holds it.
        moved = self.get_queryset().prefetch_related(None).formerly_at(kwargs["slug"])
        slug = moved.values_list("slug", flat=True).first()
        if slug is None:
            removed = gone(request, kwargs["slug"])
            if removed is None:
                raise missing
            return removed
        url = reverse(request.resolver_match.view_name, kwargs={**kwargs, "slug": slug})
        query = request.META.get("QUERY_STRING", "")
        return HttpResponsePermanentRedirect(url + (f"?{query}" if query else ""))


def gone(request, slug):
    """410 for the address of a once-public release a superuser deleted; None otherwise.

    Gone rather than not found: the removal was deliberate and is permanent, which
    tells crawlers and link checkers to drop the address instead of trying it again.
    """
    record = withdrawal.removed(slug)
    if record is None:
        return None
    return render(request, "releases/release_gone.html", {"removed": record}, status=410)


class ReleaseDetailView(ReleaseLookupMixin, DetailView):
    template_name = "releases/release_detail.html"
    context_object_name = "release"

    def get_context_data(self, **kwargs):
        release = self.object
        published = Release.objects.published().for_listing()
        permalink = self.request.build_absolute_uri(release.get_absolute_url())
        # The ranking is the costly part of the page: kept like a count.
        ranked = remember(
            self.request, f"around:{release.pk}", lambda: published.ranked_surroundings(release)
        )
        around = published.with_tag_lists("agencies").surroundings_from(ranked)
        history = versions.history(release)
        return super().get_context_data(
            previous_release=around.previous,
            next_release=around.following,
            related_releases=around.related,
            permalink=permalink,
            citations=citations.text_citations(release, permalink, timezone.localdate()),
            versions=history,
            # A staff preview of a draft shows its note as readers will first see it.
            version_notes=versions.notes(history or [versions.first_of(release)]),
            og_image_url=self.og_image_url(),
            **kwargs,
        )

    def og_image_url(self):
        """The 1200×630 social card: the hero cropped to fit, or one drawn from the title."""
        return self.request.build_absolute_uri(self.object.social_card_url)


class CitationFileMixin:
    """A BibTeX or RIS file for reference managers, of `cited_version()` or the release."""

    formats = {
        "bib": (citations.bibtex, "application/x-bibtex"),
        "ris": (citations.ris, "application/x-research-info-systems"),
    }
    format = ""

    def cited_version(self):
        return None

    def render_to_response(self, context, **kwargs):
        write, content_type = self.formats[self.format]
        release, version = self.object, self.cited_version()
        url = self.request.build_absolute_uri((version or release).get_absolute_url())
        response = HttpResponse(
            write(release, url, timezone.localdate(), version),
            content_type=f"{content_type}; charset=utf-8",
        )
        name = release.slug + (f"-v{version.number}" if version else "")
        response["Content-Disposition"] = f'attachment; filename="{name}.{self.format}"'
        return response


class ReleaseCitationView(CitationFileMixin, ReleaseLookupMixin, DetailView):
    """The release as it is now, as a citation file."""


class HomeView(TemplateView):
    template_name = "releases/home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            latest=Release.objects.published().for_listing().with_tag_lists("agencies")[:8],
            agencies=most_used(in_use_tags(self.request, Agency))[:12],
            programmes=most_used(in_use_tags(self.request, Programme))[:12],
            release_count=remember(self.request, "published", Release.objects.public_total),
            **kwargs,
        )


def hero_rendition(request, key, width, ext):
    """One rendition of a hero image; the URL names its content, so it never goes stale."""
    return images.rendition_response(key, int(width), ext)


def social_card(request, slug, key):
    """The link-preview picture of a published release, drawn on its first request."""
    release = get_object_or_404(Release.objects.with_public_page().with_tags(), slug=slug)
    if key != release.social_card_key:
        return redirect(release.social_card_url)  # the release changed since this link
    return cards.card_response(release, key)


def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any failure here means "not healthy", never a 500
        return JsonResponse(
            {"status": "error", "database": "unavailable", "detail": type(error).__name__},
            status=503,
        )
    return JsonResponse({"status": "ok", "database": "ok"})


def page_not_found(request, exception=None):
    message = exception.args[0] if exception and exception.args else ""
    if not isinstance(message, str):
        message = ""
    return render(request, "404.html", {"message": message}, status=404)
