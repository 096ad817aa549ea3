"""The filter form that every listing, feed, export and the API share."""

from django import forms
from django.core.validators import validate_unicode_slug

from .models import Agency, Figure, Programme, Release
from .text_cleaning import search_words

MAX_TAGS_PER_KIND = 10
MAX_QUERY_LENGTH = 500


class TagSlugsField(forms.Field):
    """Tags named by slug in the query string; unknown slugs are an error, not a 500.

    A plain field rather than a ModelMultipleChoiceField: every listing builds this
    form, and that field copies its queryset per form and builds a query even for
    no slugs at all (together ~2 ms of a 15 ms page).
    """

    widget = forms.MultipleHiddenInput  # reads every value of the parameter

    def __init__(self, model, kind_label, **kwargs):
        self.model = model
        self.kind_label = kind_label
        super().__init__(required=False, **kwargs)

    def clean(self, value):
        values = [v for v in (value or []) if v != ""]
        if not values:
            return []
        if len(values) > MAX_TAGS_PER_KIND:
            raise forms.ValidationError(
                f"Choose at most {MAX_TAGS_PER_KIND} of each kind of tag.", code="too_many"
            )
        for slug in values:
            # Validate the shape before the database sees it (NUL bytes, huge strings).
            if len(slug) > 100:
                raise forms.ValidationError(f"That {self.kind_label} name is too long.")
            try:
                validate_unicode_slug(slug)
            except forms.ValidationError:
                raise forms.ValidationError(
                    f"“{slug[:60]}” is not a valid {self.kind_label}.", code="invalid_slug"
                ) from None
        # A tag only unpublished releases carry is as unknown as one never made.
        found = {tag.slug: tag for tag in self.model.objects.public().filter(slug__in=values)}
        missing = [slug for slug in values if slug not in found]
        if missing:
            raise forms.ValidationError(
                f"No {self.kind_label} called “{missing[0][:60]}”.", code="unknown"
            )
        return [found[slug] for slug in dict.fromkeys(values)]


class ReleaseFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=MAX_QUERY_LENGTH,
        label="Search",
        error_messages={
            "max_length": f"Search text can be at most {MAX_QUERY_LENGTH} characters long."
        },
    )
    agency = TagSlugsField(Agency, "agency")
    programme = TagSlugsField(Programme, "programme")
    figure = TagSlugsField(Figure, "figure")
    kind = forms.ChoiceField(choices=[("", "Any kind"), *Release.Kind.choices], required=False)
    year = forms.IntegerField(required=False, min_value=1900, max_value=2999)
    date_from = forms.DateField(required=False, label="From", input_formats=["%Y-%m-%d"])
    date_to = forms.DateField(required=False, label="To", input_formats=["%Y-%m-%d"])
    sort = forms.ChoiceField(
        choices=[
            ("relevance", "Best match"),
            ("newest", "Newest first"),
            ("oldest", "Oldest first"),
            ("title", "Title A–Z"),
        ],
        required=False,
    )

    # The query string says `from`/`to`, which are awkward as Python names.
    PARAM_NAMES = {"date_from": "from", "date_to": "to"}

    def add_prefix(self, field_name):
        return self.PARAM_NAMES.get(field_name, field_name)

    def clean_q(self):
        # The Atom feed's title quotes the search. NUL was refused before this (CharField).
        return search_words(self.cleaned_data["q"])

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError("The “from” date is after the “to” date.")
        if cleaned.get("q") and cleaned.get("sort") == "title":
            self.add_error("sort", "Search results can be sorted by best match, newest or oldest.")
        return cleaned

    def filters(self) -> dict:
        """Keyword arguments for `ReleaseQuerySet.filter_by`."""
        data = self.cleaned_data
        return {
            "agencies": data.get("agency") or (),
            "programmes": data.get("programme") or (),
            "figures": data.get("figure") or (),
            "kind": data.get("kind") or "",
            "year": data.get("year"),
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
        }

    @property
    def search_text(self) -> str:
        """The search query, or "" when this listing is not a search."""
        return (self.cleaned_data.get("q") or "") if self.is_valid() else ""

    @property
    def sort_order(self) -> str:
        sort = self.cleaned_data.get("sort")
        if self.search_text:
            return sort or "relevance"
        return "newest" if sort in (None, "", "relevance") else sort

    def sort_choices(self) -> list[tuple[str, str, bool]]:
        """(value, label, selected) for the orders this listing offers.

        "Best match" only means something for a search, and search results are
        not sorted by title; the one selected is the order the list is in.
        """
        searching = bool((self.data.get("q") or "").strip())
        offered = ("relevance", "newest", "oldest") if searching else ("newest", "oldest", "title")
        current = self.sort_order if self.is_valid() else self.data.get("sort")
        labels = dict(self.fields["sort"].choices)
        return [(value, labels[value], value == current) for value in offered]

    def kind_choices(self) -> list[tuple[str, str, bool]]:
        """(value, label, selected) for the kind menu: the widget's templates cost more."""
        current = self.data.get("kind") or ""
        return [(value, label, value == current) for value, label in self.fields["kind"].choices]

    def applied_filters(self) -> list[tuple[str, str, str | None]]:
        """(label, parameter, value) for each applied filter, for removable chips."""
        if not self.is_valid():
            return []
        data = self.cleaned_data
        chips = [(f"“{data['q']}”", "q", None)] if data.get("q") else []
        chips += [
            (tag.name, param, tag.slug)
            for param in ("agency", "programme", "figure")
            for tag in data.get(param) or ()
        ]
        if data.get("kind"):
            chips.append((Release.Kind(data["kind"]).label, "kind", None))
        if data.get("year"):
            chips.append((str(data["year"]), "year", None))
        if data.get("date_from"):
            chips.append((f"From {data['date_from']:%-d %b %Y}", "from", None))
        if data.get("date_to"):
            chips.append((f"To {data['date_to']:%-d %b %Y}", "to", None))
        return chips


def error_messages(form: forms.Form) -> list[str]:
    """Flatten form errors into sentences a reader can act on."""
    messages = []
    for name, errors in form.errors.items():
        label = "" if name == "__all__" else form.fields[name].label or name
        messages.extend(f"{label.capitalize()}: {e}" if label else e for e in errors)
    return messages
