from django.conf import settings
from django.core.paginator import InvalidPage
from django.db import connection
from django.http import Http404, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.views.generic import DetailView, ListView, TemplateView

from .forms import ReleaseFilterForm, error_messages
from .models import Agency, Programme, Release


class FilteredReleasesMixin:
    """Parse the listing filters from the query string and apply them."""

    def get_base_queryset(self):
        return Release.objects.published()

    def get_filter_form(self):
        if not hasattr(self, "filter_form"):
            self.filter_form = ReleaseFilterForm(self.request.GET)
        return self.filter_form

    def filtered_queryset(self):
        form = self.get_filter_form()
        if not form.is_valid():
            return Release.objects.none()
        return (
            self.get_base_queryset()
            .filter_by(**form.filters())
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

    def get(self, request, *args, **kwargs):
        self.tag = self.tag_model.objects.filter(slug=kwargs["slug"]).first()
        if self.tag is None:
            # A merged or renamed tag's old address keeps working, filters and all.
            moved = self.tag_model.moved_to(kwargs["slug"]) or self.no_such_tag()
            query = request.META.get("QUERY_STRING", "")
            url = moved.get_absolute_url() + (f"?{query}" if query else "")
            return HttpResponsePermanentRedirect(url)
        return super().get(request, *args, **kwargs)

    def no_such_tag(self):
        raise Http404(f"No {self.tag_model._meta.verbose_name} is called that.")

    def get_base_queryset(self):
        return super().get_base_queryset().filter_by(**{self.tag_field: [self.tag]})

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            tag=self.tag, tag_kind=self.tag_model._meta.verbose_name, **kwargs
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
        return releases.with_tags().prefetch_related("agencies__aliases")

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
