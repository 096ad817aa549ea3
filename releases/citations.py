"""How to cite a release: APA, Chicago and MLA text, and BibTeX and RIS files.

Every function takes the release, its absolute permalink and the date the
reader accessed it, and escapes for its own format: HTML for the text styles,
LaTeX for BibTeX, one-line values for RIS.
"""

import datetime
import re
import unicodedata

from django.conf import settings
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

MLA_MONTHS = ["Jan.", "Feb.", "Mar.", "Apr.", "May", "June"]
MLA_MONTHS += ["July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec."]
BIBTEX_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun"]
BIBTEX_MONTHS += ["jul", "aug", "sep", "oct", "nov", "dec"]


def authors(release) -> list[str]:
    """The issuing agencies; the archive itself when a release names none."""
    names = [agency.name for agency in release.agency_list]
    return names or [release.source or settings.SITE_NAME]


def join_names(names: list[str], conjunction: str) -> str:
    """ "A", "A and B", "A, B, and C" (the serial comma all three styles use)."""
    if len(names) <= 2:
        return f" {conjunction} ".join(names)
    return ", ".join(names[:-1]) + f", {conjunction} " + names[-1]


def ending(text: str, mark: str = ".") -> str:
    """Add a full stop unless the text already ends with punctuation."""
    return text if text.endswith((".", "?", "!")) else text + mark


def kind_label(release) -> str:
    return release.get_kind_display()


def withdrawn_on(release) -> datetime.date | None:
    """The day a withdrawn release was withdrawn, which every style states; else None."""
    if not release.is_withdrawn or release.withdrawn_at is None:
        return None
    return timezone.localdate(release.withdrawn_at)


def long_date(date: datetime.date) -> str:
    """December 5, 2022 (APA and Chicago)."""
    return f"{date:%B} {date.day}, {date.year}"


def apa(release, url: str, accessed: datetime.date) -> SafeString:
    """APA 7: organisations as authors, (Year, Month Day), italic title, [Kind]."""
    date = release.published_on
    withdrawn = withdrawn_on(release)
    kind = kind_label(release) + (f"; withdrawn {long_date(withdrawn)}" if withdrawn else "")
    return format_html(
        "{} ({}, {} {}). <i>{}</i> [{}]. {}. Retrieved {} {}, {}, from {}",
        ending(apa_authors(authors(release))),
        date.year,
        date.strftime("%B"),
        date.day,
        release.title,
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


def chicago(release, url: str, accessed: datetime.date) -> SafeString:
    """Chicago 17 bibliography entry: Author. "Title." Kind, Month Day, Year. Accessed …. URL."""
    date = release.published_on
    withdrawn = withdrawn_on(release)
    return format_html(
        "{} “{}” {}, {} {}, {}.{} {}. Accessed {} {}, {}. {}.",
        ending(join_names(authors(release), "and")),
        ending(release.title),
        kind_label(release),
        date.strftime("%B"),
        date.day,
        date.year,
        f" Withdrawn {long_date(withdrawn)}." if withdrawn else "",
        settings.SITE_NAME,
        accessed.strftime("%B"),
        accessed.day,
        accessed.year,
        url,
    )


def mla(release, url: str, accessed: datetime.date) -> SafeString:
    """MLA 9: Author. "Title." Container, Day Mon. Year, URL. Accessed Day Mon. Year."""
    names = authors(release)
    # MLA names two authors in full and shortens three or more to "First, et al."
    author = join_names(names, "and") if len(names) <= 2 else f"{names[0]}, et al"
    withdrawn = withdrawn_on(release)
    return format_html(
        "{} “{}” <i>{}</i>, {}{}, {}. Accessed {}.",
        ending(author),
        ending(release.title),
        settings.SITE_NAME,
        mla_date(release.published_on),
        f", withdrawn {mla_date(withdrawn)}" if withdrawn else "",
        url,
        mla_date(accessed),
    )


def mla_date(date: datetime.date) -> str:
    return f"{date.day} {MLA_MONTHS[date.month - 1]} {date.year}"


def text_citations(release, url: str, accessed: datetime.date) -> list[tuple[str, SafeString]]:
    """(style name, citation HTML) for the "Cite this release" block."""
    return [
        ("APA", apa(release, url, accessed)),
        ("Chicago", chicago(release, url, accessed)),
        ("MLA", mla(release, url, accessed)),
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


def bibtex(release, url: str, accessed: datetime.date) -> str:
    date = release.published_on
    # Each agency in its own braces, so BibTeX neither splits "Trade and Industry"
    # nor reads the last word as a surname.
    author = " and ".join(f"{{{bibtex_escape(name)}}}" for name in authors(release))
    fields = [
        ("author", f"{{{author}}}"),
        ("title", f"{{{{{bibtex_escape(release.title)}}}}}"),
        ("howpublished", f"{{{bibtex_escape(kind_label(release))}}}"),
        ("organization", f"{{{bibtex_escape(settings.SITE_NAME)}}}"),
        ("year", f"{{{date.year}}}"),
        ("month", BIBTEX_MONTHS[date.month - 1]),
        ("date", f"{{{date.isoformat()}}}"),
        ("url", f"{{{bibtex_url(url)}}}"),
        ("urldate", f"{{{accessed.isoformat()}}}"),
        ("note", f"{{{bibtex_note(release, accessed)}}}"),
    ]
    if release.language:
        fields.append(("language", f"{{{bibtex_escape(release.language)}}}"))
    body = ",\n".join(f"  {name} = {value}" for name, value in fields)
    return f"@misc{{{bibtex_key(release)},\n{body}\n}}\n"


def bibtex_note(release, accessed: datetime.date) -> str:
    withdrawn = withdrawn_on(release)
    note = f"Accessed {accessed.day} {accessed:%B %Y}"
    if withdrawn:
        reason = bibtex_escape(release.withdrawal_reason)
        note = f"Withdrawn {withdrawn.day} {withdrawn:%B %Y}: {reason}. {note}"
    return note


def bibtex_key(release) -> str:
    # Keys may not hold spaces, commas or braces; a slug holds none of them.
    return re.sub(r"[^A-Za-z0-9_:-]", "", release.slug) or f"release{release.pk}"


# --- RIS ---------------------------------------------------------------------------

RIS_TYPES = {"press-release": "PRESS", "media-advisory": "PRESS"}


def ris(release, url: str, accessed: datetime.date) -> str:
    """RIS has no escaping: each value is kept to one line so it cannot start a new tag."""
    date = release.published_on
    lines = [("TY", RIS_TYPES.get(release.kind, "GEN"))]
    lines += [("AU", name) for name in authors(release)]
    lines += [
        ("TI", release.title),
        ("PY", str(date.year)),
        ("DA", date.strftime("%Y/%m/%d/")),
        ("M3", kind_label(release)),
        ("PB", settings.SITE_NAME),
        ("UR", url),
        ("Y2", accessed.strftime("%Y/%m/%d/")),
    ]
    if release.summary:
        lines.append(("AB", release.summary))
    lines += [("KW", programme.name) for programme in release.programme_list]
    if release.language:
        lines.append(("LA", release.language))
    if withdrawn := withdrawn_on(release):
        lines.append(("N1", f"Withdrawn {withdrawn:%Y-%m-%d}: {release.withdrawal_reason}"))
    lines.append(("ER", ""))
    # The RIS specification ends each line with CR LF.
    return "".join(f"{tag}  - {one_line(value)}\r\n" for tag, value in lines)
