from django import template

register = template.Library()

REPEATABLE = {"agency", "programme", "figure"}


@register.simple_tag(takes_context=True)
def facet_href(context, param, value):
    """This search narrowed by one more filter: tags add to the list, kind and year replace."""
    query = context["request"].GET.copy()
    query.pop("page", None)
    value = str(value)
    if param in REPEATABLE:
        values = query.getlist(param)
        query.setlist(param, values if value in values else [*values, value])
    else:
        query[param] = value
    return f"?{query.urlencode()}"


@register.filter
def chips_without(chips, param):
    """The applied-filter chips other than `param`'s (the search box shows `q` itself)."""
    return [chip for chip in chips if chip[1] != param]


@register.simple_tag(takes_context=True)
def facet_applied(context, param, value):
    return str(value) in context["request"].GET.getlist(param)
