"""Text as it is stored: the one place text from forms and imports is cleaned.

The admin form (`ReleaseAdminForm.clean`) and the importer (`importing/check.py`) pass
every text field through `tidy` (several lines: summary, body, correction note) or
`tidy_line` (one line: title, source, captions), and tag names through `tidy_name`.
Cleaning decides what "unchanged" means: a save is compared after cleaning, so text
that differs only in what is cleaned here is the same text, and saving it records
nothing. What is cleaned, and why each rule keeps the meaning:

- Line endings become `\\n`. Browsers send a textarea's lines with `\\r\\n`; old Mac
  files end lines with a lone `\\r`. Word writes a manual line break as a vertical tab
  and a page break as a form feed: both become line breaks. U+2028 (line separator)
  becomes a line break and U+2029 (paragraph separator) a blank line, which is how
  Markdown separates paragraphs.
- Other control characters are dropped: they show as nothing or as a box, and XML 1.0
  (the Atom feed) cannot carry them at all; one in a title once stopped the feed.
- Zero-width spaces (U+200B), word joiners (U+2060) and stray byte-order marks (U+FEFF)
  are dropped: pasted from web pages, they split a word invisibly, so "Shen\\u200bzhen"
  looks right and is never found by search. In Thai or Khmer a zero-width space marks
  where a line may wrap; browsers find those places themselves, so only a wrapping hint
  is lost.
- Zero-width joiners and non-joiners (U+200D, U+200C) are kept between two characters,
  where they join or part letters (Persian, the Indic scripts) and build emoji
  sequences; next to a space or at either end of the text they join nothing and go.
- Bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) are
  dropped, in bodies as in titles: an override makes the text after it display
  reversed (a title can read backwards on every page that shows it), and one left open
  spills into whatever is shown next to it. HTML lays out right-to-left text without
  them. The directional marks U+200E and U+200F are kept: they are single invisible
  letters that place neutral characters such as digits, and cannot reverse a run.
- Spaces and tabs at the end of a line are dropped, except two or more spaces after
  text, which Markdown reads as a hard line break: they become exactly two.
- Leading and trailing whitespace of the whole text is dropped, as Django's form fields
  already strip it, so the admin and an import store the same text.
- Unicode text is stored composed (NFC): "é" typed as e + U+0301 and "é" as one
  character are the same text, and search and comparison treat them so. CJK
  compatibility ideographs (U+F900–U+FAFF, U+2F800–U+2FA1F) are left as written: NFC
  would replace each with its unified ideograph, a different glyph in a name.
"""

import re
import unicodedata

LINE_ENDS = {"\r": "\n", "\x0b": "\n", "\x0c": "\n", "\u2028": "\n", "\u2029": "\n\n"}
CONTROLS = [
    *range(0x00, 0x09), *range(0x0E, 0x20), *range(0x7F, 0xA0), 0xFFFE, 0xFFFF,
]  # fmt: skip
ZERO_WIDTH = [0x200B, 0x2060, 0xFEFF]
BIDI_CONTROLS = [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]
CLEANING = str.maketrans({**LINE_ENDS, **dict.fromkeys(CONTROLS + ZERO_WIDTH + BIDI_CONTROLS)})
# Any character `CLEANING` changes or a joiner: with a look for spaces at a line's end,
# one scan tells whether a text needs any work (nearly all text needs none).
UNCLEAN = re.compile("[" + "".join(re.escape(chr(code)) for code in CLEANING) + "\u200c\u200d]")
LOOSE_JOINERS = re.compile(r"(?<!\S)[\u200c\u200d]+|[\u200c\u200d]+(?!\S)")
LINE_END_SPACE = re.compile(r"[ \t]+$", re.MULTILINE)
LINE_BREAK = re.compile(r"[ \t]*\n+[ \t]*")
CJK_COMPATIBILITY = re.compile("([\uf900-\ufaff\U0002f800-\U0002fa1f])")
# For a search: every control character separates words.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ufffe\uffff]+")


def tidy(text: str) -> str:
    """Text of several lines (a body, a summary) as it is stored."""
    if is_clean(text):
        return text
    text = text.replace("\r\n", "\n").translate(CLEANING)
    text = LOOSE_JOINERS.sub("", text)
    text = LINE_END_SPACE.sub(line_end, text)
    return composed(text).strip()


def tidy_line(text: str) -> str:
    """Text of one line (a title): cleaned as `tidy`, any line break becomes a space."""
    text = tidy(text)
    return LINE_BREAK.sub(" ", text) if "\n" in text else text


def tidy_name(text: str) -> str:
    """A tag's name: one line, runs of spaces as one."""
    return " ".join(tidy_line(text).split())


def is_clean(text: str) -> bool:
    # Two scans, not one regular expression with both: an alternative tried at every
    # character makes the scan several times slower.
    return (
        text == text.strip()
        and " \n" not in text
        and "\t\n" not in text
        and UNCLEAN.search(text) is None
        and is_composed(text)
    )


def line_end(match: re.Match) -> str:
    """Two or more spaces after text are a Markdown hard line break; the rest is noise."""
    start = match.start()
    after_text = start > 0 and match.string[start - 1] != "\n"
    return "  " if after_text and match.group().endswith("  ") else ""


def is_composed(text: str) -> bool:
    return text.isascii() or unicodedata.is_normalized("NFC", text)


def composed(text: str) -> str:
    """NFC, leaving CJK compatibility ideographs as they are."""
    if is_composed(text):
        return text
    # split() with a group keeps each ideograph as an odd-numbered part, unnormalised.
    # Each is a starter that composes with nothing, so normalising around it is safe.
    parts = CJK_COMPATIBILITY.split(text)
    return "".join(
        part if index % 2 else unicodedata.normalize("NFC", part)
        for index, part in enumerate(parts)
    )


def search_words(text: str) -> str:
    """A search as words: control characters become spaces."""
    return CONTROL.sub(" ", text).strip()
