"""Metadata for crawlers and link previews: canonical URLs and schema.org JSON-LD."""

import functools
import json

from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import QueryDict
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

from releases.forms import ReleaseFilterForm

register = template.Library()

# The same escapes as Django's json_script: nothing in the data can close the <script>.
JSON_SCRIPT_ESCAPES = str.maketrans({"<": "\\u003C", ">": "\\u003E", "&": "\\u0026"})


@functools.cache
def listing_params() -> tuple[str, ...]:
    """Query parameters that change what a listing shows; anything else is noise.

    Worked out once: building the form copies every field, and each page asks twice.
    """
    form = ReleaseFilterForm()
    names = [form.add_prefix(name) for name in form.fields]
    return (*names, *(p for p in ("q", "page") if p not in names))


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """This page's absolute URL with only its meaningful parameters, in a fixed order.

    A paginated page is canonical to itself; page 1 is the page without `page`.
    """
    request = context["request"]
    query = QueryDict(mutable=True)
    for name in listing_params():
        values = [v for v in request.GET.getlist(name) if v]
        if name == "page" and values in (["1"], []):
            continue
        if values:
            query.setlist(name, values)
    encoded = query.urlencode()
    return request.build_absolute_uri(request.path + (f"?{encoded}" if encoded else ""))


def json_ld(data: dict, nonce: str = "") -> str:
    # The per-request nonce lets the Content-Security-Policy allow this one script element.
    opening = (
        f'<script type="application/ld+json" nonce="{escape(nonce)}">'
        if nonce
        else ('<script type="application/ld+json">')
    )
    # Safe: the escapes above leave no way to end the script element early.
    return mark_safe(
        opening
        + json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(JSON_SCRIPT_ESCAPES)
        + "</script>"
    )


def thing(kind, tag, absolute) -> dict:
    return {"@type": kind, "name": tag.name, "url": absolute(tag.get_absolute_url())}


@register.simple_tag(takes_context=True)
def news_article_json_ld(context, release):
    """schema.org NewsArticle for one release."""
    absolute = context["request"].build_absolute_uri
    permalink = absolute(release.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": release.title,
        "description": release.summary,
        "datePublished": release.published_on.isoformat(),
        "dateModified": release.updated_at.isoformat(),
        "url": permalink,
        "mainEntityOfPage": permalink,
        "inLanguage": release.language,
        "author": [thing("Organization", a, absolute) for a in release.agency_list],
        "publisher": {
            "@type": "Organization",
            "name": settings.SITE_NAME,
            "url": absolute(reverse("releases:home")),
        },
        "about": [thing("Thing", p, absolute) for p in release.programme_list],
    }
    if context.get("og_image_url"):
        data["image"] = [context["og_image_url"]]
    return json_ld(data, nonce=str(getattr(context["request"], "csp_nonce", "")))
