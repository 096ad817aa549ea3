from django.urls import path, re_path, register_converter

from . import api, version_views, views
from .converters import UnicodeSlugConverter, VersionNumberConverter
from .exporting import ReleaseExportView
from .feeds import ReleaseFeedView
from .models import Agency, Figure, Programme
from .sitemaps import robots_txt, sitemap_index, sitemap_section

app_name = "releases"
register_converter(UnicodeSlugConverter, "uslug")
register_converter(VersionNumberConverter, "version")


def tag_urls(prefix, model, field, name):
    return [
        path(f"{prefix}/", views.TagIndexView.as_view(tag_model=model), name=f"{name}_index"),
        path(
            f"{prefix}/<uslug:slug>/",
            views.TagDetailView.as_view(tag_model=model, tag_field=field),
            name=name,
        ),
    ]


urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("releases/", views.ReleaseListView.as_view(), name="list"),
    path("releases/export.csv", ReleaseExportView.as_view(format="csv"), name="export_csv"),
    path("releases/export.jsonl", ReleaseExportView.as_view(format="jsonl"), name="export_jsonl"),
    path("releases/<slug:slug>/", views.ReleaseDetailView.as_view(), name="detail"),
    re_path(
        r"^releases/(?P<slug>[-\w]+)/card-(?P<key>[0-9a-f]{16})\.jpg$",
        views.social_card,
        name="social_card",
    ),
    re_path(
        r"^images/(?P<key>[0-9a-f]{16})-(?P<width>[0-9]{1,5})\.(?P<ext>webp|jpg)$",
        views.hero_rendition,
        name="hero_rendition",
    ),
    path(
        "releases/<slug:slug>/cite.bib",
        views.ReleaseCitationView.as_view(format="bib"),
        name="cite_bib",
    ),
    path(
        "releases/<slug:slug>/cite.ris",
        views.ReleaseCitationView.as_view(format="ris"),
        name="cite_ris",
    ),
    path(
        "releases/<slug:slug>/v/<version:number>/",
        version_views.ReleaseVersionView.as_view(),
        name="version",
    ),
    path(
        "releases/<slug:slug>/v/<version:number>/cite.bib",
        version_views.VersionCitationView.as_view(format="bib"),
        name="version_cite_bib",
    ),
    path(
        "releases/<slug:slug>/v/<version:number>/cite.ris",
        version_views.VersionCitationView.as_view(format="ris"),
        name="version_cite_ris",
    ),
    path(
        "releases/<slug:slug>/v/compare/",
        version_views.VersionCompareView.as_view(),
        name="version_compare",
    ),
    path("feeds/releases.atom", ReleaseFeedView.as_view(), name="feed"),
    path("search/", views.SearchView.as_view(), name="search"),
    *tag_urls("agencies", Agency, "agencies", "agency"),
    *tag_urls("programmes", Programme, "programmes", "programme"),
    *tag_urls("figures", Figure, "figures", "figure"),
    path("api/releases/", api.ReleaseListAPI.as_view(), name="api_list"),
    path("api/releases/<slug:slug>/", api.ReleaseDetailAPI.as_view(), name="api_detail"),
    path("healthz", views.healthz, name="healthz"),
    path("sitemap.xml", sitemap_index, name="sitemap"),
    path("sitemap-<section>.xml", sitemap_section, name="sitemap_section"),
    path("robots.txt", robots_txt, name="robots"),
]
