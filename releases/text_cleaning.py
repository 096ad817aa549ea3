"""Control characters in text that people paste or type.

Word writes a manual line break as a vertical tab and a page break as a form feed,
and copied text brings other control characters now and then. They show on a page as
nothing or as a box, and XML 1.0 (the Atom feed) cannot carry them at all: one in a
release title made the feed fail for every reader.
"""

import re

# Word's line and page breaks.
BREAKS = re.compile(r"[\x0b\x0c]")
# Everything else XML 1.0 refuses (but tab, line feed and carriage return), and the C1
# controls, which no keyboard types.
INVISIBLE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
UNWANTED = re.compile(f"{BREAKS.pattern}|{INVISIBLE.pattern}")
# For a search: every control character separates words.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ufffe\uffff]+")
LINE_BREAK = re.compile(r"[ \t]*[\r\n]+[ \t]*")


def tidy(text: str) -> str:
    """Line and page breaks as line breaks; other control characters dropped."""
    # Nearly all text has none: one scan instead of two rewrites.
    if UNWANTED.search(text) is None:
        return text
    return INVISIBLE.sub("", BREAKS.sub("\n", text))


def tidy_line(text: str) -> str:
    """For a one-line field (a title): any line break becomes a space."""
    text = tidy(text)
    return LINE_BREAK.sub(" ", text) if "\n" in text or "\r" in text else text


def search_words(text: str) -> str:
    """A search as words: control characters become spaces."""
    return CONTROL.sub(" ", text).strip()
