"""Web-search syntax → a small, safe query tree that each engine compiles itself.

Readers type what they would type into a web search engine:

    smart city            both words (AND)
    "smart city"          the phrase
    tradetrust OR ebl     either word
    mou -tusstar          MoU but not TusStar

Anything else (brackets, stars, colons, a lone minus, unbalanced quotes,
emoji) is treated as punctuation, never as engine syntax, so no input can
make the engine raise. Each term keeps the text the reader typed: the engine
tokenises and stems it with the same rules it used for the documents.
"""

import re
import unicodedata
from dataclasses import dataclass

MAX_TERMS = 12
MAX_WORDS_PER_TERM = 10

# PostgreSQL's english.stop list; dropped on both engines so they agree on "the".
STOP_WORDS = frozenset(
    """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his
    himself she her hers herself it its itself they them their theirs themselves what
    which who whom this that these those am is are was were be been being have has had
    having do does did doing a an the and but if or because as until while of at by for
    with about against between into through during before after above below to from up
    down in out on off over under again further then once here there when where why how
    all any both each few more most other some such no nor not only own same so than too
    very s t can will just don should now
    """.split()  # noqa: SIM905
)

WORD = re.compile(r"[^\W_]+")
TOKEN = re.compile(r'(?P<minus>-?)(?:"(?P<phrase>[^"]*)"?|(?P<bare>[^\s"]+))')


@dataclass(frozen=True)
class Term:
    """A word or a quoted phrase, as typed (the engine tokenises it)."""

    text: str
    words: tuple[str, ...]
    quoted: bool = False

    def __str__(self):
        return f'"{self.text}"' if self.quoted else self.text


@dataclass(frozen=True)
class Query:
    """Every group must match (a group: one term, or several joined by OR); no excluded term may."""

    groups: tuple[tuple[Term, ...], ...] = ()
    excluded: tuple[Term, ...] = ()
    truncated: bool = False

    def __bool__(self):
        return bool(self.groups)

    def __str__(self):
        parts = [" OR ".join(str(t) for t in group) for group in self.groups]
        parts += [f"-{term}" for term in self.excluded]
        return " ".join(parts)

    @property
    def terms(self) -> list[Term]:
        return [term for group in self.groups for term in group]


def clean(text: str) -> str:
    """Normalise width and compatibility forms; turn control and private-use characters into spaces.

    (The index marks every release with a private-use character: search_totals.SENTINEL.)
    """
    text = unicodedata.normalize("NFKC", text)
    return "".join(" " if unicodedata.category(c) in {"Cc", "Cf", "Cs", "Co"} else c for c in text)


def fold(word: str) -> str:
    """Lower case without accents, as both engines index words."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def make_term(text: str, quoted: bool) -> Term | None:
    words = [fold(word) for word in WORD.findall(text)]
    if len(words) > MAX_WORDS_PER_TERM:
        # Cut the typed text after the last word kept, so the engine sees a prefix of it.
        last = list(WORD.finditer(text))[MAX_WORDS_PER_TERM - 1]
        text, words = text[: last.end()], words[:MAX_WORDS_PER_TERM]
    if not words or all(word in STOP_WORDS for word in words):
        return None
    return Term(text=" ".join(text.split()), words=tuple(words), quoted=quoted)


def parse(text: str) -> Query:
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    joining = False  # an OR follows a positive term and waits for the next one
    last_positive = False
    count = 0
    for match in TOKEN.finditer(clean(text)):
        quoted = match["phrase"] is not None
        raw = match["phrase"] if quoted else match["bare"]
        if not quoted and not match["minus"] and raw == "OR":
            joining = last_positive
            continue
        term = make_term(raw, quoted)
        if term is None:
            continue
        count += 1
        if count > MAX_TERMS:
            return Query(tuple(map(tuple, groups)), tuple(excluded), truncated=True)
        if match["minus"]:
            excluded.append(term)
            last_positive = False
        elif joining:
            groups[-1].append(term)
            last_positive = True
        else:
            groups.append([term])
            last_positive = True
        joining = False
    return Query(tuple(map(tuple, groups)), tuple(excluded))
