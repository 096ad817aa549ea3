"""A release's public versions: each as it stood, two compared word by word, each citable.

Only what readers can open has versions to show: a draft or a scheduled release answers
404 here for everyone, staff too (they preview the current text on the release's page).
"""

from functools import cached_property

from django import forms
from django.http import Http404
from django.utils import timezone
from django.views.generic import DetailView

from . import citations, versions, word_diff
from .models import Release
from .views import CitationFileMixin, ReleaseLookupMixin

# As many as an address can name (converters.VersionNumberConverter).
MAX_VERSION = 999_999_999


class VersionLookupMixin(ReleaseLookupMixin):
    def get_queryset(self):
        releases = Release.objects.with_public_page().with_tag_lists()
        return releases.prefetch_related("loaded_agencies__aliases")

    @cached_property
    def history(self):
        return versions.history(self.object)

    def version_numbered(self, number: int):
        version = versions.numbered(self.history, number)
        if version is None:
            raise Http404(f"This release has no version {number}.")
        return version


class ReleaseVersionView(VersionLookupMixin, DetailView):
    """One version exactly as it stood, marked as the current one or an earlier one."""

    template_name = "releases/release_version.html"
    context_object_name = "release"

    def get_context_data(self, **kwargs):
        version = self.version_numbered(self.kwargs["number"])
        permalink = self.request.build_absolute_uri(version.get_absolute_url())
        until = [kept for kept in self.history if kept.number <= version.number]
        return super().get_context_data(
            version=version,
            versions=self.history,
            latest=self.history[-1],
            later=next((kept for kept in self.history if kept.number > version.number), None),
            version_notes=versions.notes(until),
            permalink=permalink,
            citations=citations.text_citations(
                self.object, permalink, timezone.localdate(), version
            ),
            **kwargs,
        )


class VersionCitationView(CitationFileMixin, VersionLookupMixin, DetailView):
    """One version as a BibTeX or RIS file: it cites that version at its own address."""

    def cited_version(self):
        return self.version_numbered(self.kwargs["number"])


class CompareForm(forms.Form):
    """Which two versions to compare: `from` and `to`, the newest two when not given."""

    def __init__(self, data, *, latest: int):
        super().__init__(data)
        self.latest = latest
        for name, label in (("from", "Compare version"), ("to", "with version")):
            self.fields[name] = forms.IntegerField(
                label=label, min_value=1, max_value=MAX_VERSION, required=False
            )

    def numbers(self) -> tuple[int, int]:
        """(older, newer): in the order read, whichever way round they were asked."""
        newer = self.cleaned_data["to"] or self.latest
        older = self.cleaned_data["from"] or max(newer - 1, 1)
        return min(older, newer), max(older, newer)


class VersionCompareView(VersionLookupMixin, DetailView):
    """Two versions compared word by word; a malformed number is a 400 with a message."""

    template_name = "releases/version_compare.html"
    context_object_name = "release"

    def get_context_data(self, **kwargs):
        form = CompareForm(self.request.GET, latest=self.history[-1].number)
        context = {"form": form, "versions": self.history, **kwargs}
        if form.is_valid():
            older, newer = (self.version_numbered(n) for n in form.numbers())
            context.update(older=older, newer=newer, changes=compared(older, newer))
        return super().get_context_data(**context)

    def render_to_response(self, context, **kwargs):
        status = 400 if context["form"].errors else 200
        return super().render_to_response(context, status=status, **kwargs)


def compared(older, newer) -> list[tuple[str, object]]:
    """(field label, comparison HTML) for each public field that differs."""
    fields = [
        ("Title", older.title, newer.title, word_diff.inline),
        ("Kind", older.get_release_kind_display(), newer.get_release_kind_display(), None),
        ("Date", long_date(older.published_on), long_date(newer.published_on), None),
        ("Summary", older.summary, newer.summary, word_diff.inline),
        ("Text", older.body_html, newer.body_html, word_diff.body),
        ("Note to readers", older.note, newer.note, word_diff.inline),
        ("Source", older.source, newer.source, word_diff.inline),
        ("Source address", older.source_url, newer.source_url, None),
    ]
    rows = [
        (label, (compare or word_diff.whole)(old, new))
        for label, old, new, compare in fields
        if old != new
    ]
    for label, kind in TAG_LABELS:
        rows += tag_row(label, older, newer, kind)
    return rows


TAG_LABELS = [("Issued by", "agencies"), ("Programmes", "programmes"), ("Figures", "figures")]


def long_date(day) -> str:
    return f"{day.day} {day:%B %Y}"


def tag_row(label, older, newer, kind) -> list[tuple[str, object]]:
    old = [tag.name for tag in older.tag_list(kind)]
    new = [tag.name for tag in newer.tag_list(kind)]
    return [] if sorted(old) == sorted(new) else [(label, word_diff.names(old, new))]
