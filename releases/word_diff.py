"""Two versions of a text compared word by word, as HTML with <ins> and <del>.

The comparison is Python's difflib on word tokens (letters of scripts written without
spaces, such as Chinese, are a word each). Every piece of text is escaped; the only
markup is what this module writes around it: <p>, <ins> and <del>.
"""

import difflib
import re
from html.parser import HTMLParser

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Han, kana, Hangul and full-width forms: scripts whose words are not spaced.
UNSPACED = "\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef"
WORD = re.compile(rf"[{UNSPACED}]|[^\s{UNSPACED}]+")
UNSPACED_CHAR = re.compile(rf"[{UNSPACED}]")

# Elements whose text starts a new paragraph of the comparison.
BLOCKS = {
    "p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr", "dt", "dd",
    "figcaption", "table", "ul", "ol", "div", "br", "hr",
}  # fmt: skip

EQUAL, INSERT, DELETE = "equal", "insert", "delete"
BREAK = "\n"  # a paragraph break among the words of a body


def words(text: str) -> list[str]:
    return WORD.findall(text)


def spaced(before: str, after: str) -> bool:
    """Whether two words read with a space between them."""
    return not (UNSPACED_CHAR.fullmatch(before[-1]) or UNSPACED_CHAR.fullmatch(after[0]))


def joined(tokens: list[str]) -> str:
    """Words as they read: spaced, except beside a letter of an unspaced script."""
    text = ""
    for token in tokens:
        text += " " + token if text and spaced(text, token) else token
    return text


def diff_ops(old: list[str], new: list[str]) -> list[tuple[str, str]]:
    """(op, token) for each token of either side, in reading order: removed before added."""
    ops = []
    # autojunk off: it would treat common words ("the") as noise in long texts.
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == EQUAL:
            ops += [(EQUAL, token) for token in new[j1:j2]]
            continue
        ops += [(DELETE, token) for token in old[i1:i2]]
        ops += [(INSERT, token) for token in new[j1:j2]]
    return ops


def runs_html(ops: list[tuple[str, str]]) -> str:
    """Consecutive tokens of one op as one piece, escaped, in <ins> or <del> if changed."""
    html, last = "", ""
    for op, group in grouped(ops):
        text = escape(joined(group))
        if last and spaced(last, group[0]):
            html += " "
        html += text if op == EQUAL else f"<{op[:3]}>{text}</{op[:3]}>"
        last = group[-1]
    return html


def grouped(ops):
    group, current = [], None
    for op, token in ops:
        if op != current and group:
            yield current, group
            group = []
        current = op
        group.append(token)
    if group:
        yield current, group


def inline(old: str, new: str) -> SafeString:
    """One line of text (a title, a summary) compared word by word."""
    return mark_safe(runs_html(diff_ops(words(old), words(new))))


def paragraphs(html: str) -> list[str]:
    """The text of rendered HTML, one string per paragraph, list item or heading."""
    parser = TextParser()
    parser.feed(html)
    parser.close()
    return [text for text in (" ".join(block.split()) for block in parser.blocks) if text]


class TextParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks = [""]

    def handle_starttag(self, tag, attrs):
        if tag in BLOCKS:
            self.blocks.append("")

    def handle_endtag(self, tag):
        if tag in BLOCKS:
            self.blocks.append("")

    def handle_data(self, data):
        self.blocks[-1] += data


def body(old_html: str, new_html: str) -> SafeString:
    """Two rendered bodies compared: paragraph by paragraph, then word by word within
    the paragraphs that changed, each paragraph of the result in a <p>."""
    old, new = paragraphs(old_html), paragraphs(new_html)
    html = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == EQUAL:
            html += [f"<p>{escape(text)}</p>" for text in new[j1:j2]]
        else:
            html += changed_paragraphs(old[i1:i2], new[j1:j2])
    return mark_safe("\n".join(html))


def changed_paragraphs(old: list[str], new: list[str]) -> list[str]:
    """Paragraphs replaced by others, compared as one run of words with their breaks."""
    ops = diff_ops(with_breaks(old), with_breaks(new))
    html, line = [], []
    for op, token in ops:
        if token == BREAK:
            html.append(line)
            line = []
        else:
            line.append((op, token))
    html.append(line)
    return [f"<p>{runs_html(line)}</p>" for line in html if line]


def with_breaks(texts: list[str]) -> list[str]:
    tokens = []
    for text in texts:
        if tokens:
            tokens.append(BREAK)
        tokens += words(text)
    return tokens


def whole(old: str, new: str) -> SafeString:
    """A value replaced as a whole (a date, an address): the old struck, the new marked."""
    removed = f"<del>{escape(old)}</del>" if old else ""
    added = f"<ins>{escape(new)}</ins>" if new else ""
    return mark_safe(" ".join(piece for piece in (removed, added) if piece))


def names(old: list[str], new: list[str]) -> SafeString:
    """Two lists of tag names: kept ones plain, removed ones struck, added ones marked."""
    kept = [escape(name) for name in new if name in old]
    removed = [f"<del>{escape(name)}</del>" for name in old if name not in new]
    added = [f"<ins>{escape(name)}</ins>" for name in new if name not in old]
    return mark_safe(", ".join(kept + removed + added) or "(none)")
