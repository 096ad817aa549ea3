from django.contrib import admin
from django.db import models
from django.db.models import Count
from django.db.models.functions import ExtractYear

from .models import Agency, Figure, Programme, Release


class YearFilter(admin.SimpleListFilter):
    title = "year"
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = (
            Release.objects.annotate(year=ExtractYear("published_on"))
            .values_list("year", flat=True)
            .distinct()
            .order_by("-year")
        )
        return [(str(year), str(year)) for year in years]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(published_on__year=int(self.value()))
        return queryset


@admin.register(Release)
class ReleaseAdmin(admin.ModelAdmin):
    list_display = ["title", "published_on", "kind", "status", "agency_names"]
    list_filter = ["status", "kind", YearFilter, "agencies", "programmes"]
    search_fields = ["title", "slug", "summary"]
    date_hierarchy = "published_on"
    prepopulated_fields = {"slug": ["title"]}
    list_per_page = 50
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["title", "slug", "kind", "summary", "body"]}),
        ("Tags", {"fields": ["agencies", "programmes", "figures"]}),
        ("Publication", {"fields": ["status", "published_on", "language"]}),
        (
            "Image",
            {
                "fields": [
                    "hero_image",
                    "hero_image_alt",
                    "hero_image_caption",
                    "hero_image_credit",
                ],
                "classes": ["collapse"],
            },
        ),
        ("Source", {"fields": ["source", "source_url"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("body", "body_html").prefetch_related("agencies")

    @admin.display(description="agencies")
    def agency_names(self, release):
        return ", ".join(agency.acronym or agency.name for agency in release.agencies.all())


class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "release_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(release_count=Count("items"))

    @admin.display(description="releases", ordering="release_count")
    def release_count(self, tag):
        return tag.release_count


@admin.register(Agency)
class AgencyAdmin(TagAdmin):
    list_display = ["name", "acronym", "slug", "release_count"]
    search_fields = ["name", "acronym", "slug"]


@admin.register(Programme)
class ProgrammeAdmin(TagAdmin):
    pass


@admin.register(Figure)
class FigureAdmin(TagAdmin):
    list_display = ["name", "value", "label", "slug", "release_count"]
    fields = ["value", "label", "name", "slug"]
