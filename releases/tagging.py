"""How a tag field's text becomes tag names, and back.

Names are separated by a comma followed by a space (or the end), a semicolon or a new
line; a comma inside a number stays, so "10,000+ enterprises" is one figure, and spaces
never separate, so "8 MoUs signed" is one tag. A name holding a separator, or starting
with a double quote, is written in double quotes with its own quotes doubled, as in CSV.
Anywhere else a quote is part of the name. `edit_string` writes what `parse_tags` reads
back to the same names.
"""

# Names and how they are written:
#   The "Smart Nation" Initiative    The "Smart Nation" Initiative
#   Trade, Industry                  "Trade, Industry"
#   "Smart Nation" Initiative        """Smart Nation"" Initiative"

import re

SEPARATOR = re.compile(r",(?=\s|\Z)|;|\n")
# A whole item in quotes, then the end or a separator (after a quote, any comma is one).
QUOTED = re.compile(r'\s*"((?:[^"]|"")*)"\s*?(?:,|;|\n|\Z)')


def split_names(text: str) -> list[str]:
    """The items of the text in order, quoted ones unquoted, unstripped."""
    names, position = [], 0
    while position < len(text):
        quoted = QUOTED.match(text, position)
        if quoted:
            names.append(quoted[1].replace('""', '"'))
            position = quoted.end()
            continue
        separator = SEPARATOR.search(text, position)
        end = separator.start() if separator else len(text)
        names.append(text[position:end])
        position = separator.end() if separator else len(text)
    return names


def parse_tags(text: str) -> list[str]:
    return sorted({name.strip() for name in split_names(text or "") if name.strip()})


def quote(name: str) -> str:
    """The name as typed in a tag field: in quotes only where it must be."""
    if SEPARATOR.search(name) or name.startswith('"'):
        return '"' + name.replace('"', '""') + '"'
    return name


def join_names(names) -> str:
    return ", ".join(quote(name) for name in sorted(names))


def edit_string(tags) -> str:
    return join_names(tag.name for tag in tags)
