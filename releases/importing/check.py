"""Checking one raw record: a Record to write, or a message for everything wrong with it.

Pure computation with no database access, so it can run in a worker process.
"""

import datetime
import json
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from ..models import Agency, Release, format_number, parse_figure
from ..text_cleaning import tidy, tidy_line, tidy_name
from .read import NOT_IMPORTED
from .records import RELEASE_FIELDS, REQUIRED, TAG_FIELDS, Problem, Record
from .tags import slug_of

MULTILINE_FIELDS = {"summary", "body"}
MAX_LENGTHS = {
    name: Release._meta.get_field(name).max_length
    for name in ("title", "slug", "source", "source_url", "language")
}
TAG_NAME_MAX = Agency._meta.get_field("name").max_length
SLUG = re.compile(r"^[-a-zA-Z0-9_]+\Z")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}\Z")
LANGUAGE = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*\Z")
FIGURE_MAX = Decimal(10) ** 16  # DecimalField(max_digits=20, decimal_places=4)
KINDS = tuple(Release.Kind.values)
# Withdrawal needs a reason and is an editor's decision, made in the admin.
STATUSES = (Release.Status.DRAFT, Release.Status.PUBLISHED)
validate_url = URLValidator(schemes=["http", "https"])


def check_record(data: dict, path: str, line: int) -> tuple[Record | None, list[Problem]]:
    """Turn one raw record into a Record, or say everything that is wrong with it."""
    problems: list[tuple[str, str]] = [
        (field_name(key), "is not a field of the import format")
        for key in data
        if key not in RELEASE_FIELDS and key not in TAG_FIELDS and key not in NOT_IMPORTED
    ]
    problems += unencodable(data)
    if problems:
        return None, [Problem(path, line, name, message) for name, message in problems]
    values = check_texts(data, problems)
    published_on = check_date(data.get("published_on"), problems)
    if published_on is not None:
        values["published_on"] = published_on
    values.update(check_choices(data, problems))
    tags, figures = check_tags(data, problems)
    if problems:
        return None, [Problem(path, line, name, message) for name, message in problems]
    read_past = tuple(key for key in NOT_IMPORTED if key in data)
    return Record(path, line, values, tags, figures, read_past=read_past), []


# Half of a UTF-16 pair on its own: JSON's "\ud800" reads as one, and no database can
# store it (it is not a character, so it has no UTF-8 form).
SURROGATE = re.compile("[\ud800-\udfff]")


def unencodable(data: dict) -> list[tuple[str, str]]:
    """A problem for each field whose text, or any text inside it, holds a lone surrogate."""
    return [
        (field_name(key), "holds a lone UTF-16 surrogate (such as \\ud800), which is not text")
        for key, value in data.items()
        if any(SURROGATE.search(text) for text in texts_in(value))
    ]


def field_name(key) -> str:
    """A record's key as a message can print it, even one holding a lone surrogate."""
    return str(key)[:40].encode("utf-8", "backslashreplace").decode("utf-8")


def texts_in(value):
    """Every string in a JSON value, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from texts_in(key)
            yield from texts_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from texts_in(item)


def shown(value) -> str:
    """A value quoted for a problem message, cut short."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = text if len(text) <= 60 else text[:59] + "…"
    return f"“{text}”" if isinstance(value, str) else text


def check_text(value, name, problems, *, required=False):
    if value is None or value == "":
        if required:
            problems.append((name, "is required"))
        return None
    if not isinstance(value, str):
        problems.append((name, "must be text"))
        return None
    if "\x00" in value:
        problems.append((name, "contains a NUL character"))
        return None
    # Cleaned first, so that a text of only invisible characters counts as empty.
    text = tidy(value) if name in MULTILINE_FIELDS else tidy_line(value)
    limit = MAX_LENGTHS.get(name)
    if limit and len(text) > limit:
        problems.append((name, f"is {len(text):,} characters long; the limit is {limit}"))
        return None
    if required and not text:
        problems.append((name, "is required"))
        return None
    return text


def check_texts(data, problems) -> dict:
    """The text fields the record gives, tidied; an empty text stays empty."""
    values = {}
    for name in ("title", "slug", "summary", "body", "source", "source_url"):
        if name in data or name in REQUIRED:
            value = check_text(data.get(name), name, problems, required=name in REQUIRED)
            if value is not None or (name in data and data[name] == ""):
                values[name] = value if value is not None else ""
    slug = values.get("slug")
    if slug and not SLUG.match(slug):
        problems.append(("slug", f"“{slug[:60]}” may hold only letters, digits, - and _"))
    if values.get("source_url"):
        try:
            validate_url(values["source_url"])
        except ValidationError:
            problems.append(("source_url", f"“{values['source_url'][:60]}” is not a web address"))
    return values


def check_date(published_on, problems) -> datetime.date | None:
    if published_on in (None, ""):
        problems.append(("published_on", "is required"))
        return None
    try:
        if not isinstance(published_on, str) or not DATE.match(published_on):
            raise ValueError
        return datetime.date.fromisoformat(published_on)
    except ValueError:
        problems.append(("published_on", f"{shown(published_on)} is not a date written YYYY-MM-DD"))
        return None


def check_choices(data, problems) -> dict:
    """Kind, status and language, where the record gives them."""
    values = {}
    for name, choices in (("kind", KINDS), ("status", STATUSES)):
        if name in data:
            if data[name] in choices:
                values[name] = data[name]
            else:
                problems.append(
                    (name, f"unknown {name} {shown(data[name])}; use one of {', '.join(choices)}")
                )
    if "language" in data:
        language = check_text(data["language"], "language", problems, required=True)
        if language is not None and not LANGUAGE.match(language):
            problems.append(("language", f"“{language}” is not a language code such as en or zh"))
        elif language is not None:
            values["language"] = language
    return values


def check_tags(data, problems) -> tuple[dict, dict]:
    """(kind -> tag names, figure name -> (value, label)) for the kinds the record gives."""
    tags = {}
    for kind in ("agencies", "programmes"):
        if kind in data:
            names = check_tag_names(data[kind], kind, problems)
            if names is not None:
                tags[kind] = names
    figures = {}
    if "figures" in data:
        if not isinstance(data["figures"], list):
            problems.append(("figures", "must be a list"))
        else:
            for item in data["figures"]:
                checked = check_figure(item, problems)
                if checked:
                    figures[checked[0]] = checked[1:]
            tags["figures"] = list(figures)
    return tags, figures


def check_tag_names(value, kind, problems) -> list[str] | None:
    if not isinstance(value, list):
        problems.append((kind, "must be a list of names"))
        return None
    names = []
    for item in value:
        name = tidy_name(item) if isinstance(item, str) and "\x00" not in item else item
        if not isinstance(item, str) or not name:
            problems.append((kind, f"{json.dumps(item, ensure_ascii=False)[:40]} is not a name"))
        elif "\x00" in item:
            problems.append((kind, "a name contains a NUL character"))
        elif len(name) > TAG_NAME_MAX:
            problems.append((kind, f"“{name[:40]}…” is longer than {TAG_NAME_MAX} characters"))
        elif not slug_of(name):
            problems.append((kind, f"“{name}” has no letters or digits to make an address from"))
        else:
            names.append(name)
    return list(dict.fromkeys(names))


def check_figure(item, problems) -> tuple[str, Decimal, str] | None:
    """(name, value, label) of a figure given as "8 MoUs signed" or as an object."""
    if isinstance(item, str):
        checked = figure_from_text(item, problems)
    elif isinstance(item, dict):
        checked = figure_from_object(item, problems)
    else:
        problems.append(("figures", "each figure must be an object with label and value"))
        return None
    if checked is None:
        return None
    name, value, label = checked
    if len(name) > TAG_NAME_MAX or len(label) > TAG_NAME_MAX:
        problems.append(("figures", f"“{name[:40]}…” is longer than {TAG_NAME_MAX} characters"))
        return None
    return name, value, label


def figure_from_text(item: str, problems) -> tuple[str, Decimal, str] | None:
    name = tidy_name(item)
    parsed = parse_figure(name)
    if parsed is None:
        problems.append(("figures", f"“{name[:60]}” needs a number first, like “8 MoUs signed”"))
        return None
    value, label = parsed
    return name, value, label


def figure_from_object(item: dict, problems) -> tuple[str, Decimal, str] | None:
    unknown = set(item) - {"label", "value", "name"}
    if unknown:
        problems.append(("figures", f"unknown key “{sorted(unknown)[0]}” in a figure"))
        return None
    raw, label, name = item.get("value"), item.get("label"), item.get("name")
    value = figure_value(raw, problems)
    if value is None:
        return None
    if not isinstance(label, str) or "\x00" in label or not tidy_name(label):
        problems.append(("figures", "a figure needs a label, e.g. “MoUs signed”"))
        return None
    label = tidy_name(label)
    if name is not None and (not isinstance(name, str) or not tidy_name(name)):
        problems.append(("figures", "a figure's name must be text"))
        return None
    name = tidy_name(name) if name else f"{format_number(value)} {label}"
    return name, value, label


def figure_value(raw, problems) -> Decimal | None:
    """A figure's value as the Decimal its column can hold."""
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        problems.append(("figures", f"value {json.dumps(raw)[:40]} is not a number"))
        return None
    try:
        value = Decimal(str(raw).replace(",", "").strip())
    except InvalidOperation:
        problems.append(("figures", f"value “{str(raw)[:40]}” is not a number"))
        return None
    if not value.is_finite() or abs(value) >= FIGURE_MAX:
        problems.append(("figures", f"value {str(raw)[:40]} is out of range"))
        return None
    if value.as_tuple().exponent < -4:
        problems.append(("figures", f"value {raw} has more than 4 decimal places"))
        return None
    return value
