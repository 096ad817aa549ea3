from django.urls import path, register_converter

from . import api, views
from .converters import UnicodeSlugConverter
from .models import Agency, Figure, Programme

app_name = "releases"
register_converter(UnicodeSlugConverter, "uslug")


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
    path("releases/<slug:slug>/", views.ReleaseDetailView.as_view(), name="detail"),
    path("search/", views.SearchView.as_view(), name="search"),
    *tag_urls("agencies", Agency, "agencies", "agency"),
    *tag_urls("programmes", Programme, "programmes", "programme"),
    *tag_urls("figures", Figure, "figures", "figure"),
    path("api/releases/", api.ReleaseListAPI.as_view(), name="api_list"),
    path("api/releases/<slug:slug>/", api.ReleaseDetailAPI.as_view(), name="api_detail"),
    path("healthz", views.healthz, name="healthz"),
]
