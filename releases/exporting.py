"""Releases out as data: one record serializer in the import format, as JSON Lines or CSV.

`release_record` writes every field of the import format (docs/import-format.md), with
a fixed key order and sorted tags, so an export imported into an empty archive and
exported again is byte-identical and holds everything the first did. The web exports
and `manage.py export_releases` share it. JSON Lines can add each release's public
versions (`version_records`); an import reads past them.
"""

import csv
import datetime
import json
from decimal import Decimal

from django.db.models import Prefetch, Q
from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.urls import reverse
from django.views import View

from . import versions
from .forms import error_messages
from .importing.read import CSV_DERIVED, list_cell
from .importing.records import RELEASE_FIELDS, TAG_FIELDS
from .listing import FilteredReleasesMixin
from .models import AgencyAlias, Release, ReleaseVersion, format_number, parse_figure
from .search import SearchResults

# Rows are read and their tags prefetched this many at a time, so memory stays
# flat however many releases match.
CHUNK_SIZE = 500

# Every field the importer reads, in its order.
RECORD_FIELDS = (*RELEASE_FIELDS, *TAG_FIELDS)


def json_number(value: Decimal) -> int | float | str:
    """The value as a JSON number, or as text where a float would round it."""
    if value == value.to_integral_value():
        return int(value)
    if Decimal(repr(float(value))) == value:
        return float(value)
    return format(value.normalize(), "f")


def release_record(release) -> dict:
    """One release in the import format; tags sorted so that the output is stable."""
    record = {field: getattr(release, field) for field in RELEASE_FIELDS}
    record["published_on"] = release.published_on.isoformat()
    record["agencies"] = sorted(agency.name for agency in release.tags_of("agencies"))
    record["programmes"] = sorted(programme.name for programme in release.tags_of("programmes"))
    figures = sorted(release.tags_of("figures"), key=lambda f: (f.label, f.value, f.name))
    record["figures"] = [
        {"name": figure.name, "label": figure.label, "value": json_number(figure.value)}
        for figure in figures
    ]
    return record


def for_export(releases, *, with_versions: bool = False):
    """Every column the record needs, tags (and versions) prefetched a chunk at a time.

    `releases` is a queryset or, with `q`, search results, exported in their order.
    """
    if isinstance(releases, SearchResults):
        return searched_for_export(releases, with_versions)
    return export_columns(releases, with_versions).iterator(chunk_size=CHUNK_SIZE)


def export_columns(rows, with_versions: bool):
    rows = rows.prefetch_related(None).defer(None)
    if with_versions:
        # A release never changed in public has no kept version: its version 1 is read
        # from the release itself, rendered text included.
        kept = ReleaseVersion.objects.defer("body_html")
        rows = rows.prefetch_related(Prefetch("versions", queryset=kept))
    else:
        rows = rows.defer("body_html")
    return rows.with_tag_lists()


def searched_for_export(results, with_versions: bool):
    # Search pages carry only what a result card shows; each chunk of ids is loaded whole.
    for ids in results.id_batches(CHUNK_SIZE):
        by_id = export_columns(Release.objects.filter(pk__in=ids), with_versions).in_bulk(ids)
        yield from (by_id[pk] for pk in ids if pk in by_id)


# --- Public versions --------------------------------------------------------------------


def dated_aliases() -> dict[str, list[AgencyAlias]]:
    """{agency slug: its former names with dates}: the names a version may be issued under."""
    dated = AgencyAlias.objects.filter(Q(valid_from__isnull=False) | Q(valid_until__isnull=False))
    aliases = {}
    for alias in dated.select_related("agency"):
        aliases.setdefault(alias.agency.slug, []).append(alias)
    return aliases


def issued_name(agency, day: datetime.date, aliases: dict) -> str:
    """The agency's name on `day`: a dated former name covering it, else the name kept."""
    former = next((alias for alias in aliases.get(agency.slug, ()) if alias.covers(day)), None)
    return former.name if former else agency.name


def version_records(release, aliases: dict) -> list[dict]:
    """The release's public versions, oldest first, each with its fields as they stood."""
    return [version_record(version, aliases) for version in versions.history(release)]


def version_record(version, aliases: dict) -> dict:
    issued = version.published_on
    return {
        "number": version.number,
        "kind": version.kind,
        "published_at": version.published_at.astimezone(datetime.UTC).isoformat(),
        "note": version.note,
        "release": {
            "title": version.title,
            "kind": version.release_kind,
            "published_on": issued.isoformat(),
            "summary": version.summary,
            "body": version.body,
            "source": version.source,
            "source_url": version.source_url,
            "language": version.language,
            "agencies": sorted(issued_name(tag, issued, aliases) for tag in version.agency_list),
            "programmes": sorted(tag.name for tag in version.programme_list),
            "figures": sorted(tag.name for tag in version.figure_list),
        },
    }


# Characters that str.splitlines() treats as line ends but JSON leaves unescaped:
# escaped, so a reader splitting on lines never cuts a record in two.
LINE_BREAKS = str.maketrans({"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"})


def jsonl_line(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False).translate(LINE_BREAKS) + "\n"


def jsonl_lines(queryset, *, with_versions: bool = False):
    aliases = dated_aliases() if with_versions else {}
    for release in for_export(queryset, with_versions=with_versions):
        record = release_record(release)
        if with_versions:
            record["versions"] = version_records(release, aliases)
        yield jsonl_line(record)


# --- CSV ---------------------------------------------------------------------------

CSV_COLUMNS = (*CSV_DERIVED, *RECORD_FIELDS)
# A spreadsheet runs a cell starting with one of these as a formula; the apostrophe that
# defuses it is the spreadsheet's own "this is text" mark, which the importer takes off
# again. A cell that starts with an apostrophe gets one more, so that nothing is lost.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "'")


def csv_cell(value) -> str:
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def figure_text(figure: dict) -> str:
    """A figure as CSV writes it: its name where the name reads as its number and label."""
    value = Decimal(str(figure["value"]))
    if parse_figure(figure["name"]) == (value, figure["label"]):
        return figure["name"]
    return f"{format_number(value)} {figure['label']}"


def csv_row(record: dict, url: str) -> list[str]:
    joined = {
        "agencies": list_cell(record["agencies"]),
        "programmes": list_cell(record["programmes"]),
        "figures": list_cell(figure_text(figure) for figure in record["figures"]),
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
        problem = self.problem()
        if problem:
            return HttpResponseBadRequest(problem, content_type="text/plain; charset=utf-8")
        releases = self.filtered_queryset()
        if self.format == "csv":
            lines = csv_lines(releases, permalinks(request))
        else:
            lines = jsonl_lines(releases, with_versions=self.versions_asked() == "1")
        response = StreamingHttpResponse(lines, content_type=self.content_types[self.format])
        response["Content-Disposition"] = f'attachment; filename="releases.{self.format}"'
        return response

    def versions_asked(self) -> str:
        return self.request.GET.get("versions", "")

    def problem(self) -> str:
        """What is wrong with the request, said plainly; "" when nothing is."""
        form = self.get_filter_form()
        if not form.is_valid():
            return "Invalid filter: " + " ".join(error_messages(form))
        if self.versions_asked() not in ("", "0", "1"):
            return "versions= takes 1 or 0: 1 adds each release's public versions."
        if self.versions_asked() == "1" and self.format == "csv":
            return "CSV does not carry versions; /releases/export.jsonl?versions=1 does."
        return ""
