"""Turn an engine's highlighted excerpt into safe HTML with <mark>.

The engines wrap matched words in two control characters that never reach
the page as text; everything else is escaped first, so nothing in a release
can become markup. Markdown punctuation is dropped from body excerpts because an
excerpt is plain text, not the rendered body (a " · " marks where a heading or list
item ended without punctuation); summaries are plain text already.
"""

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

START, STOP = "\x02", "\x03"
ELLIPSIS = "…"

MARKDOWN = [
    (re.compile(r"!?\[([^\]]*)\]\([^)]*\)"), r"\1"),  # [text](url) and images
    (re.compile(r"\]\([^)\s]*\)?"), ""),  # the tail of a link cut by the excerpt
    (re.compile(r"<[^>\n]*>"), " "),  # inline HTML
    (re.compile(r"^[ \t]*(?:#{1,6}|>|[-+*]|\d+\.)[ \t]+", re.MULTILINE), ""),  # block markers
    (re.compile(r"[*_`~\[\]]{1,3}"), ""),  # emphasis, code, brackets
    (re.compile(r"\s+"), " "),
]
# Where one block (paragraph, heading, list item) ends and the next begins: a blank
# line, or a line break before a block marker. A single line break inside a
# paragraph is only a wrapped line.
BLOCK_BREAK = re.compile(r"(\S?)[ \t]*\n(?:(?:[ \t]*\n)+|(?=[ \t]*(?:#{1,6}|>|[-+*]|\d+\.)[ \t]+))")
ENDS_SENTENCE = set(".!?:;," + ELLIPSIS)


def join_blocks(match: re.Match) -> str:
    # A heading or list item ends without a full stop: joined to the next block by a
    # space it would read as one sentence ("… smart city solutions Pre-arranged
    # meetings …"). A separator marks the break without adding punctuation to a quote.
    # The line break stays, for the block markers' patterns to find.
    last = match.group(1)
    return f"{last}\n" if not last or last in ENDS_SENTENCE else f"{last} ·\n"


def plain_text(markdown: str) -> str:
    markdown = BLOCK_BREAK.sub(join_blocks, markdown)
    for pattern, replacement in MARKDOWN:
        markdown = pattern.sub(replacement, markdown)
    return markdown.strip()


def has_match(excerpt: str | None) -> bool:
    return bool(excerpt) and START in excerpt


def to_html(excerpt: str, *, markdown: bool = False) -> SafeString:
    """Escape the excerpt and turn the engine's markers into balanced <mark> elements."""
    text = plain_text(excerpt) if markdown else " ".join(excerpt.split())
    parts = re.split(f"([{START}{STOP}])", text)
    html, open_mark = [], False
    for part in parts:
        if part == START:
            if not open_mark:
                html.append("<mark>")
                open_mark = True
        elif part == STOP:
            if open_mark:
                html.append("</mark>")
                open_mark = False
        else:
            html.append(escape(part))
    if open_mark:
        html.append("</mark>")
    return mark_safe("".join(html))


def choose(summary: str | None, body: str | None) -> SafeString:
    """The summary if the query matched there, else the body excerpt, else the summary."""
    if has_match(summary) or (summary and not has_match(body)):
        return to_html(summary)
    return to_html(body or "", markdown=True)
