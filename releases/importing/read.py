"""Reading import files: each record's line number and raw content, a record at a time."""

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

from .records import RELEASE_FIELDS, REQUIRED, TAG_FIELDS, Problem

CSV_LISTS = ("agencies", "programmes", "figures")
CSV_OPTIONAL_WHEN_EMPTY = ("kind", "status", "language")
# Columns the CSV export adds for readers (each release's address), read past on import.
CSV_DERIVED = ("url",)
# What an export may add to a JSON Lines record beyond the import format: the release's
# public versions (`export_releases --versions`). An import reads past them, once a file
# saying so: a release is imported as its current text.
NOT_IMPORTED = ("versions",)


def file_format(path: Path, given: str | None) -> str:
    if given:
        return given
    return "csv" if path.suffix.lower() == ".csv" else "jsonl"


def read_jsonl(path: Path, progress) -> Iterator[tuple[int, bytes]]:
    """(line number, raw line) for each non-blank line; parsing happens in `prepare`."""
    with path.open("rb") as stream:
        for number, raw in enumerate(stream, 1):
            progress.advance(len(raw))
            if raw.strip():
                yield number, raw


def parse_json_line(path: str, number: int, raw: bytes) -> dict | Problem:
    try:
        data = json.loads(raw.rstrip(b"\r\n"))
    except UnicodeDecodeError:
        return Problem(path, number, "record", "is not UTF-8 text")
    except json.JSONDecodeError as error:
        return Problem(path, number, "json", f"invalid JSON: {error.msg} (column {error.colno})")
    if not isinstance(data, dict):
        return Problem(path, number, "record", "must be a JSON object")
    return data


def read_csv(path: Path, progress) -> Iterator[tuple[int, dict | Problem]]:
    """(line a record starts on, its fields or a problem) for each non-blank row."""
    name = str(path)
    with path.open("rb") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        reader = csv.reader(text)
        try:
            header = [column.strip() for column in next(reader)]
        except StopIteration:
            return
        except UnicodeDecodeError:
            yield 1, Problem(name, 1, "header", "is not UTF-8 text")
            return
        problems = check_header(name, header)
        if problems:
            yield from ((1, problem) for problem in problems)
            return
        line = reader.line_num
        while True:
            start = line + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError:
                yield start, Problem(name, start, "record", "is not UTF-8 text; stopped here")
                return
            except csv.Error as error:
                yield start, Problem(name, start, "record", f"unreadable CSV: {error}")
                return
            line = reader.line_num
            progress.advance_to(raw.tell())
            if any(cell.strip() for cell in row):
                yield start, csv_record(name, start, header, row)


def check_header(name: str, header: list[str]) -> list[Problem]:
    known = (*RELEASE_FIELDS, *TAG_FIELDS, *CSV_DERIVED)
    unknown = [c for c in header if c not in known]
    missing = [c for c in REQUIRED if c not in header]
    return [Problem(name, 1, "header", f"unknown column “{column}”") for column in unknown] + [
        Problem(name, 1, "header", f"the required column “{column}” is missing")
        for column in missing
    ]


def csv_record(name: str, line: int, header: list[str], row: list[str]) -> dict | Problem:
    """One row as the fields a JSON Lines record would give."""
    if len(row) != len(header):
        message = f"has {len(row)} cells; the header has {len(header)}"
        return Problem(name, line, "record", message)
    data = {}
    for column, cell in zip(header, row, strict=True):
        cell = cell.removeprefix("'")  # a spreadsheet's mark for text, as the export writes it
        if column in CSV_DERIVED or (column in CSV_OPTIONAL_WHEN_EMPTY and not cell.strip()):
            continue
        if column in CSV_LISTS:
            data[column] = list_items(cell)
        else:
            data[column] = cell
    return data


def list_items(cell: str) -> list[str]:
    """The `;`-separated items of a tag cell; an item in double quotes may hold `;`."""
    rows = csv.reader(io.StringIO(cell, newline=""), delimiter=";", skipinitialspace=True)
    return [item.strip() for row in rows for item in row if item.strip()]


def list_cell(items) -> str:
    """Items as a tag cell that `list_items` reads back exactly (the CSV export's writer)."""
    return "; ".join(quoted_item(item) for item in items)


def quoted_item(item: str) -> str:
    if ";" in item or item.startswith('"'):
        return '"' + item.replace('"', '""') + '"'
    return item


def read_past(records, warned: set[str]) -> list[Problem]:
    """A warning at the first record of each file that holds what an import reads past.

    `warned` holds the files already warned about, so each gets one warning however many
    of its records hold versions.
    """
    warnings = []
    for record in records:
        if record.read_past and record.path not in warned:
            warned.add(record.path)
            message = (
                "not imported (here or in any later record): only each release's current text is"
            )
            warnings.append(Problem(record.path, record.line, ", ".join(record.read_past), message))
    return warnings


READERS = {"jsonl": read_jsonl, "csv": read_csv}
