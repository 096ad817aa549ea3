import datetime
from functools import lru_cache
from html import escape

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag(takes_context=True)
def page_href(context, number):
    """This page's query string with another page number, so filters survive paging."""
    query = context["request"].GET.copy()
    query["page"] = number
    return f"?{query.urlencode()}"


@register.simple_tag(takes_context=True)
def href_without(context, param, value=None):
    """This page's query string without one filter value (for the remove-filter chips)."""
    query = context["request"].GET.copy()
    query.pop("page", None)
    if value is None:
        query.pop(param, None)
    else:
        query.setlist(param, [v for v in query.getlist(param) if v != str(value)])
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag
def tag_options(tags, chosen):
    """The <option>s of a tag filter, those in `chosen` selected.

    Written here rather than as a template loop: every listing offers every agency and
    programme (about 70), and a loop renders each option through the template engine.
    `html.escape` is what Django's `escape` calls, without its lazy-string check.
    """
    chosen_ids = {tag.pk for tag in chosen or ()}
    return mark_safe(
        "".join(
            f'<option value="{escape(tag.slug)}"{" selected" if tag.pk in chosen_ids else ""}>'
            f"{escape(tag.name)}</option>"
            for tag in tags
        )
    )


@register.filter
def long_date(day):
    """`day|date:"j F Y"` ("2 December 2022") for a date, remembered per date and language.

    A list page writes twenty dates, and Django's filter looks up the format and
    month names afresh each time.
    """
    if type(day) is not datetime.date:
        return date_filter(day, "j F Y")  # a datetime is shown in local time
    return _long_date(day, get_language())


@lru_cache(maxsize=8192)
def _long_date(day, language):
    return date_filter(day, "j F Y")
