"""'Did you mean': correct misspelt words from the archive's own vocabulary.

The engine supplies the words of published releases (with how many releases hold
each); `candidates` narrows them to those within reach of the query's words, whose
counts the caller then makes public ones (less the releases not yet due), and the
choice of correction is made here from those, the same way on both engines. So a word
only a draft or a scheduled release holds is never offered, nor does it stop another.
"""

import re

from .query import WORD, Query, fold


def distance(a: str, b: str, limit: int) -> int:
    """Edit distance counting a swap of neighbours as one edit; stops early past `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2, previous = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def allowed_edits(word: str) -> int:
    return 1 if len(word) <= 5 else 2


def needs_checking(word: str) -> bool:
    return len(word) > 2 and word.isalpha()


def prefixes(query: Query) -> list[str]:
    """First letters of the words worth checking: the engine returns words starting so."""
    return sorted({word[0] for term in query.terms for word in term.words if needs_checking(word)})


def within_reach(word: str, candidate: str) -> bool:
    limit = allowed_edits(word)
    return candidate[:1] == word[:1] and distance(word, candidate, limit) <= limit


def candidates(query: Query, vocabulary: dict[str, int]) -> dict[str, int]:
    """The vocabulary's words that a word of the query could be, itself included."""
    words = {word for term in query.terms for word in term.words if needs_checking(word)}
    return {
        candidate: documents
        for candidate, documents in vocabulary.items()
        if documents > 0 and any(within_reach(word, candidate) for word in words)
    }


def correct(word: str, vocabulary: dict[str, int]) -> str | None:
    if vocabulary.get(word, 0) > 0 or not needs_checking(word):
        return None
    limit = allowed_edits(word)
    scored = [
        (d, -documents, candidate)
        for candidate, documents in vocabulary.items()
        if documents > 0
        and candidate[:1] == word[:1]
        and (d := distance(word, candidate, limit)) <= limit
    ]
    return min(scored)[2] if scored else None


def suggestion(query: Query, vocabulary: dict[str, int]) -> str | None:
    """The query with its misspelt words corrected, or None when nothing needs correcting."""
    corrections = {}
    for term in query.terms:
        for word in term.words:
            fixed = correct(word, vocabulary)
            if fixed:
                corrections[word] = fixed
    if not corrections:
        return None

    def fix(text):
        return WORD.sub(lambda m: corrections.get(fold(m.group()), m.group()), text)

    parts = [" OR ".join(_quoted(t, fix(t.text)) for t in group) for group in query.groups]
    parts += [f"-{_quoted(t, t.text)}" for t in query.excluded]
    return re.sub(r"\s+", " ", " ".join(parts)).strip()


def _quoted(term, text):
    return f'"{text}"' if term.quoted else text
