"""Releases out as data: one record serializer in the import format, as JSON Lines or CSV.

`release_record` writes exactly the import format of docs/import-format.md, with a fixed
key order and sorted tags, so an export imported and exported again is
byte-identical. The web exports and `manage.py export_releases` share it.
"""

import csv
import json
from decimal import Decimal

from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.urls import reverse
from django.views import View

from .forms import error_messages
from .listing import FilteredReleasesMixin
from .models import Release, format_number
from .search import SearchResults

# Rows are read and their tags prefetched this many at a time, so memory stays
# flat however many releases match.
CHUNK_SIZE = 500

RECORD_FIELDS = (
    "title",
    "slug",
    "kind",
    "published_on",
    "summary",
    "body",
    "source_url",
    "agencies",
    "programmes",
    "figures",
)


def json_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def release_record(release) -> dict:
    """One release in the import format; tags sorted so that the output is stable."""
    figures = sorted(release.tags_of("figures"), key=lambda figure: (figure.label, figure.value))
    return {
        "title": release.title,
        "slug": release.slug,
        "kind": release.kind,
        "published_on": release.published_on.isoformat(),
        "summary": release.summary,
        "body": release.body,
        "source_url": release.source_url,
        "agencies": sorted(agency.name for agency in release.tags_of("agencies")),
        "programmes": sorted(programme.name for programme in release.tags_of("programmes")),
        "figures": [
            {"label": figure.label, "value": json_number(figure.value)} for figure in figures
        ],
    }


def for_export(releases):
    """Every column the record needs, tags prefetched a chunk at a time.

    `releases` is a queryset or, with `q`, search results, exported in their order.
    """
    if isinstance(releases, SearchResults):
        return searched_for_export(releases)
    return (
        releases.prefetch_related(None)
        .defer(None)
        .defer("body_html")
        .with_tag_lists()
        .iterator(chunk_size=CHUNK_SIZE)
    )


def searched_for_export(results):
    # Search pages carry only what a result card shows; each chunk of ids is loaded whole.
    for ids in results.id_batches(CHUNK_SIZE):
        rows = Release.objects.filter(pk__in=ids).defer("body_html").with_tag_lists()
        by_id = rows.in_bulk(ids)
        yield from (by_id[pk] for pk in ids if pk in by_id)


# Characters that str.splitlines() treats as line ends but JSON leaves unescaped:
# escaped, so a reader splitting on lines never cuts a record in two.
LINE_BREAKS = str.maketrans({"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"})


def jsonl_line(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False).translate(LINE_BREAKS) + "\n"


def jsonl_lines(queryset):
    for release in for_export(queryset):
        yield jsonl_line(release_record(release))


# --- CSV ---------------------------------------------------------------------------

CSV_COLUMNS = ("url", *RECORD_FIELDS)
# A spreadsheet runs a cell starting with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_row(record: dict, url: str) -> list[str]:
    joined = {
        "agencies": "; ".join(record["agencies"]),
        "programmes": "; ".join(record["programmes"]),
        "figures": "; ".join(
            f"{format_number(Decimal(str(f['value'])))} {f['label']}" for f in record["figures"]
        ),
    }
    return [csv_cell(url)] + [csv_cell(joined.get(f, record[f])) for f in RECORD_FIELDS]


class Echo:
    """A file-like object whose write() hands back the line, for streaming csv.writer."""

    def write(self, value):
        return value


def csv_lines(queryset, absolute_url):
    writer = csv.writer(Echo())
    # The byte-order mark tells Excel the file is UTF-8, so non-Latin text survives.
    yield "\ufeff" + writer.writerow(CSV_COLUMNS)
    for release in for_export(queryset):
        yield writer.writerow(csv_row(release_record(release), absolute_url(release)))


# --- Views -------------------------------------------------------------------------


def permalinks(request):
    """Absolute release URLs without a reverse() per row, which would dominate a CSV."""
    marker = "slug-goes-here"
    url = request.build_absolute_uri(reverse("releases:detail", kwargs={"slug": marker}))
    before, after = url.split(marker)
    return lambda release: f"{before}{release.slug}{after}"


class ReleaseExportView(FilteredReleasesMixin, View):
    """Every release matching the listing filters (and `q`), streamed, not one page."""

    format = ""
    content_types = {
        "csv": "text/csv; charset=utf-8",
        "jsonl": "application/jsonl; charset=utf-8",
    }

    def get(self, request):
        form = self.get_filter_form()
        if not form.is_valid():
            message = "Invalid filter: " + " ".join(error_messages(form))
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        releases = self.filtered_queryset()
        if self.format == "csv":
            lines = csv_lines(releases, permalinks(request))
        else:
            lines = jsonl_lines(releases)
        response = StreamingHttpResponse(lines, content_type=self.content_types[self.format])
        response["Content-Disposition"] = f'attachment; filename="releases.{self.format}"'
        return response
