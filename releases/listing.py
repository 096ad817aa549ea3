"""The listing mixin every list of releases shares: pages, the API, feeds and exports.

It reads the filters (and `q`) from the query string through one form, so a filter
means the same on `/releases/`, in `/feeds/releases.atom` and in `/api/releases/`.
"""

from functools import partial

from django.urls import reverse

from .caching import remember
from .forms import ReleaseFilterForm
from .models import Release
from .search import search_releases


class FilteredReleasesMixin:
    """Parse the listing filters (and `q`) from the query string and apply them."""

    # The tag kinds each listed release shows (a card shows only its agencies).
    listed_tags = ("agencies",)

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

    def filtered_queryset(self, sort=None):
        """The listing's releases; with `q`, ranked search results (see releases/search/).

        `sort` overrides the reader's choice (a feed is always newest first).
        """
        form = self.get_filter_form()
        if not form.is_valid():
            return Release.objects.none()
        sort = sort or form.sort_order
        if form.search_text:
            return search_releases(
                query=form.search_text,
                filters=self.get_filters(),
                sort=sort,
                remember=partial(remember, self.request),
                tags=self.listed_tags,
            )
        return (
            self.get_base_queryset()
            .filter_by(**self.get_filters())
            .sorted_by(sort)
            .for_listing()
            .with_tag_lists(*self.listed_tags)
        )

    def count_key(self) -> str | None:
        """The listing's filters, which alone decide which published releases it counts."""
        if not self.get_filter_form().is_valid():
            return None
        filters = {
            name: tuple(getattr(v, "pk", v) for v in value)
            if isinstance(value, (tuple, list))
            else value
            for name, value in self.get_filters().items()
        }
        return f"published:{sorted(filters.items())!r}"

    def counter(self):
        """A cheaper way to count this listing's releases than counting them, if any."""
        if self.narrowed_by_reader() or self.get_base_filters():
            return None
        return Release.objects.public_total  # the database keeps it (releases/dbobjects/tallies.py)

    def narrowed_by_reader(self) -> bool:
        """Whether the query string searches or filters (or cannot be read)."""
        form = self.get_filter_form()
        return not form.is_valid() or bool(form.search_text) or any(form.filters().values())

    def syndication_query(self):
        """This listing's filters for its feed and exports: the query string less the page."""
        query = self.request.GET.copy()
        query.pop("page", None)
        return query

    def syndication_links(self) -> dict:
        """Feed and export URLs of this listing, for <link rel="alternate"> and download links."""
        query = self.syndication_query().urlencode()
        suffix = f"?{query}" if query else ""
        names = ("feed", "export_csv", "export_jsonl")
        return {name: reverse(f"releases:{name}") + suffix for name in names}
