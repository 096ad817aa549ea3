"""How to cite a release or one of its versions: APA, Chicago and MLA text, and BibTeX
and RIS files.

Every function takes the release, its absolute permalink (a version's, when citing one)
and the date the reader accessed it, and escapes for its own format: HTML for the text
styles, LaTeX for BibTeX, one-line values for RIS. Agencies are named as they were named
on the release's date (their dated former names), not as they are called now.
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from . import versions

MLA_MONTHS = ["Jan.", "Feb.", "Mar.", "Apr.", "May", "June"]
MLA_MONTHS += ["July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec."]
BIBTEX_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun"]
BIBTEX_MONTHS += ["jul", "aug", "sep", "oct", "nov", "dec"]


@dataclass(frozen=True)
class Cited:
    """What a citation names: the release as it is now, or one of its versions."""

    title: str
    kind: str  # as readers read it: "Press release"
    kind_code: str  # as stored: "press-release"
    published_on: datetime.date
    authors: list[str]
    summary: str
    programmes: list[str]
    language: str
    key: str
    withdrawn: datetime.date | None
    withdrawal_reason: str
    version: tuple[int, str, datetime.date] | None  # (2, "corrected", 5 Dec 2022)


def cited(release, version=None) -> Cited:
    text = version or release
    named = version.agencies_as_issued if version else release.agencies_as_issued()
    return Cited(
        title=text.title,
        kind=text.get_release_kind_display() if version else release.get_kind_display(),
        kind_code=version.release_kind if version else release.kind,
        published_on=text.published_on,
        authors=authors(named, text.source),
        summary=text.summary,
        programmes=[programme.name for programme in text.programme_list],
        language=text.language,
        key=bibtex_key(release),
        withdrawn=withdrawn_on(release),
        withdrawal_reason=release.withdrawal_reason,
        version=versions.citation_label(version) if version else None,
    )


def authors(named, source: str) -> list[str]:
    """The issuing agencies, each by its name on the release's date; the source or the
    archive itself when a release names none."""
    names = [former.name if former else agency.name for agency, former in named]
    return names or [source or settings.SITE_NAME]


def join_names(names: list[str], conjunction: str) -> str:
    """ "A", "A and B", "A, B, and C" (the serial comma all three styles use)."""
    if len(names) <= 2:
        return f" {conjunction} ".join(names)
    return ", ".join(names[:-1]) + f", {conjunction} " + names[-1]


def ending(text: str, mark: str = ".") -> str:
    """Add a full stop unless the text already ends with punctuation."""
    return text if text.endswith((".", "?", "!")) else text + mark


def withdrawn_on(release) -> datetime.date | None:
    """The day a withdrawn release was withdrawn, which every style states; else None."""
    if not release.is_withdrawn or release.withdrawn_at is None:
        return None
    return timezone.localdate(release.withdrawn_at)


def long_date(date: datetime.date) -> str:
    """December 5, 2022 (APA and Chicago)."""
    return f"{date:%B} {date.day}, {date.year}"


def version_text(work: Cited, date_style) -> str:
    """ "Version 2, corrected December 5, 2022", with the style's date; "" for no version."""
    if work.version is None:
        return ""
    number, verb, date = work.version
    return f"Version {number}, {verb} {date_style(date)}"


def apa(release, url: str, accessed: datetime.date, version=None) -> SafeString:
    """APA 7: organisations as authors, (Year, Month Day), italic title, (Version), [Kind]."""
    work = cited(release, version)
    date = work.published_on
    kind = work.kind + (f"; withdrawn {long_date(work.withdrawn)}" if work.withdrawn else "")
    edition = version_text(work, long_date)
    return format_html(
        "{} ({}, {} {}). <i>{}</i>{} [{}]. {}. Retrieved {} {}, {}, from {}",
        ending(apa_authors(work.authors)),
        date.year,
        date.strftime("%B"),
        date.day,
        work.title,
        f" ({edition})" if edition else "",
        kind,
        settings.SITE_NAME,
        accessed.strftime("%B"),
        accessed.day,
        accessed.year,
        url,
    )


def apa_authors(names: list[str]) -> str:
    # APA puts a comma before the ampersand even between two authors.
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + ", & " + names[-1]


def chicago(release, url: str, accessed: datetime.date, version=None) -> SafeString:
    """Chicago 17 bibliography entry: Author. "Title." Version. Kind, Month Day, Year.
    Accessed …. URL."""
    work = cited(release, version)
    date = work.published_on
    edition = version_text(work, long_date)
    return format_html(
        "{} “{}”{} {}, {} {}, {}.{} {}. Accessed {} {}, {}. {}.",
        ending(join_names(work.authors, "and")),
        ending(work.title),
        f" {edition}." if edition else "",
        work.kind,
        date.strftime("%B"),
        date.day,
        date.year,
        f" Withdrawn {long_date(work.withdrawn)}." if work.withdrawn else "",
        settings.SITE_NAME,
        accessed.strftime("%B"),
        accessed.day,
        accessed.year,
        url,
    )


def mla(release, url: str, accessed: datetime.date, version=None) -> SafeString:
    """MLA 9: Author. "Title." Version. Container, Day Mon. Year, URL. Accessed Day Mon. Year."""
    work = cited(release, version)
    names = work.authors
    # MLA names two authors in full and shortens three or more to "First, et al."
    author = join_names(names, "and") if len(names) <= 2 else f"{names[0]}, et al"
    edition = version_text(work, mla_date)
    return format_html(
        "{} “{}”{} <i>{}</i>, {}{}, {}. Accessed {}.",
        ending(author),
        ending(work.title),
        f" {edition}." if edition else "",
        settings.SITE_NAME,
        mla_date(work.published_on),
        f", withdrawn {mla_date(work.withdrawn)}" if work.withdrawn else "",
        url,
        mla_date(accessed),
    )


def mla_date(date: datetime.date) -> str:
    return f"{date.day} {MLA_MONTHS[date.month - 1]} {date.year}"


def text_citations(
    release, url: str, accessed: datetime.date, version=None
) -> list[tuple[str, SafeString]]:
    """(style name, citation HTML) for the "Cite this release" block."""
    return [
        ("APA", apa(release, url, accessed, version)),
        ("Chicago", chicago(release, url, accessed, version)),
        ("MLA", mla(release, url, accessed, version)),
    ]


# --- BibTeX ------------------------------------------------------------------------

# Replacements keep braces balanced: BibTeX counts `\{` as an opening brace.
LATEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
}
LATEX_SPECIAL_RE = re.compile("|".join(re.escape(c) for c in LATEX_SPECIALS))


def one_line(text: str) -> str:
    """Collapse every kind of line break and run of spaces; drop control characters."""
    text = "".join(" " if unicodedata.category(c) == "Cc" else c for c in text)
    return " ".join(text.split())


def bibtex_escape(text: str) -> str:
    """Escape LaTeX specials; non-Latin text stays as UTF-8 (LaTeX reads UTF-8 since 2018)."""
    return LATEX_SPECIAL_RE.sub(lambda m: LATEX_SPECIALS[m.group()], one_line(text))


def bibtex_url(url: str) -> str:
    # The url field is read verbatim, so only characters that would end it are encoded.
    return url.replace("{", "%7B").replace("}", "%7D").replace("\\", "%5C")


def bibtex(release, url: str, accessed: datetime.date, version=None) -> str:
    work = cited(release, version)
    date = work.published_on
    # Each agency in its own braces, so BibTeX neither splits "Trade and Industry"
    # nor reads the last word as a surname.
    author = " and ".join(f"{{{bibtex_escape(name)}}}" for name in work.authors)
    fields = [
        ("author", f"{{{author}}}"),
        ("title", f"{{{{{bibtex_escape(work.title)}}}}}"),
        ("howpublished", f"{{{bibtex_escape(work.kind)}}}"),
        ("organization", f"{{{bibtex_escape(settings.SITE_NAME)}}}"),
        ("year", f"{{{date.year}}}"),
        ("month", BIBTEX_MONTHS[date.month - 1]),
        ("date", f"{{{date.isoformat()}}}"),
    ]
    if work.version:
        fields.append(("version", f"{{{work.version[0]}}}"))
    fields += [
        ("url", f"{{{bibtex_url(url)}}}"),
        ("urldate", f"{{{accessed.isoformat()}}}"),
        ("note", f"{{{bibtex_note(work, accessed)}}}"),
    ]
    if work.language:
        fields.append(("language", f"{{{bibtex_escape(work.language)}}}"))
    body = ",\n".join(f"  {name} = {value}" for name, value in fields)
    key = work.key + (f":v{work.version[0]}" if work.version else "")
    return f"@misc{{{key},\n{body}\n}}\n"


def day_month_year(date: datetime.date) -> str:
    return f"{date.day} {date:%B %Y}"


def bibtex_note(work: Cited, accessed: datetime.date) -> str:
    note = f"Accessed {day_month_year(accessed)}"
    if work.withdrawn:
        reason = bibtex_escape(work.withdrawal_reason)
        note = f"Withdrawn {day_month_year(work.withdrawn)}: {reason}. {note}"
    if edition := version_text(work, day_month_year):
        note = f"{edition}. {note}"
    return note


def bibtex_key(release) -> str:
    # Keys may not hold spaces, commas or braces; a slug holds none of them.
    return re.sub(r"[^A-Za-z0-9_:-]", "", release.slug) or f"release{release.pk}"


# --- RIS ---------------------------------------------------------------------------

RIS_TYPES = {"press-release": "PRESS", "media-advisory": "PRESS"}


def ris(release, url: str, accessed: datetime.date, version=None) -> str:
    """RIS has no escaping: each value is kept to one line so it cannot start a new tag."""
    work = cited(release, version)
    date = work.published_on
    lines = [("TY", RIS_TYPES.get(work.kind_code, "GEN"))]
    lines += [("AU", name) for name in work.authors]
    lines += [
        ("TI", work.title),
        ("PY", str(date.year)),
        ("DA", date.strftime("%Y/%m/%d/")),
        ("M3", work.kind),
        ("PB", settings.SITE_NAME),
        ("UR", url),
        ("Y2", accessed.strftime("%Y/%m/%d/")),
    ]
    if edition := version_text(work, day_month_year):
        lines.append(("ET", edition))
    if work.summary:
        lines.append(("AB", work.summary))
    lines += [("KW", programme) for programme in work.programmes]
    if work.language:
        lines.append(("LA", work.language))
    if work.withdrawn:
        lines.append(("N1", f"Withdrawn {work.withdrawn:%Y-%m-%d}: {work.withdrawal_reason}"))
    lines.append(("ER", ""))
    # The RIS specification ends each line with CR LF.
    return "".join(f"{tag}  - {one_line(value)}\r\n" for tag, value in lines)
