from django.conf import settings
from django.core.paginator import InvalidPage
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.generic import DetailView, ListView, TemplateView

from .forms import ReleaseFilterForm, error_messages
from .models import Agency, Programme, Release
from .search import search_releases


class FilteredReleasesMixin:
    """Parse the listing filters (and `q`) from the query string and apply them."""

    def get_base_queryset(self):
        return Release.objects.published()

    def get_base_filters(self) -> dict:
        """Filters this listing always applies, in `ReleaseQuerySet.filter_by` terms."""
        return {}

    def get_filter_form(self):
        if not hasattr(self, "filter_form"):
            self.filter_form = ReleaseFilterForm(self.request.GET)
        return self.filter_form

    def get_filters(self) -> dict:
        filters = self.get_filter_form().filters()
        for field, tags in self.get_base_filters().items():
            filters[field] = (*tags, *filters.get(field, ()))
        return filters

    def filtered_queryset(self):
        """The listing's releases; with `q`, ranked search results (see releases/search/)."""
        form = self.get_filter_form()
        if not form.is_valid():
            return Release.objects.none()
        if form.search_text:
            return search_releases(
                query=form.search_text, filters=self.get_filters(), sort=form.sort_order
            )
        return (
            self.get_base_queryset()
            .filter_by(**self.get_filters())
            .sorted_by(form.sort_order)
            .for_listing()
            .with_tags()
        )


class ReleaseListView(FilteredReleasesMixin, ListView):
    template_name = "releases/release_list.html"
    paginate_by = settings.RELEASES_PER_PAGE
    context_object_name = "releases"

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
            agencies=Agency.objects.all(),
            programmes=Programme.objects.all(),
            **kwargs,
        )

    def render_to_response(self, context, **kwargs):
        status = 400 if self.get_filter_form().errors else 200
        return super().render_to_response(context, status=status, **kwargs)


class TagDetailView(ReleaseListView):
    """Releases carrying one agency, programme or figure."""

    template_name = "releases/tag_detail.html"
    tag_model = None
    tag_field = ""

    def get_base_filters(self):
        if not hasattr(self, "tag"):
            self.tag = get_object_or_404(self.tag_model, slug=self.kwargs["slug"])
        return {self.tag_field: [self.tag]}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            tag=self.tag, tag_kind=self.tag_model._meta.verbose_name, **kwargs
        )


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
        return self.tag_model.objects.in_use()

    def get_context_data(self, **kwargs):
        return super().get_context_data(meta=self.tag_model._meta, **kwargs)


class ReleaseDetailView(DetailView):
    template_name = "releases/release_detail.html"
    context_object_name = "release"

    def get_queryset(self):
        # Staff may open a draft (with a banner); everyone else sees only what is public.
        user = self.request.user
        releases = Release.objects.all() if user.is_staff else Release.objects.published()
        return releases.with_tags()

    def get_context_data(self, **kwargs):
        release = self.object
        neighbours = Release.objects.published().for_listing()
        return super().get_context_data(
            previous_release=neighbours.before(release).first(),
            next_release=neighbours.after(release).first(),
            **kwargs,
        )


class HomeView(TemplateView):
    template_name = "releases/home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            latest=Release.objects.published().for_listing().with_tags()[:8],
            agencies=Agency.objects.in_use().order_by("-release_count", "name")[:12],
            programmes=Programme.objects.in_use().order_by("-release_count", "name")[:12],
            release_count=Release.objects.published().count(),
            **kwargs,
        )


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
