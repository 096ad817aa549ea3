"""Tags close to a typed name that is not one: the near-duplicates worth asking about.

`TagQuerySet.resolve` already links a name that *is* an existing tag in another form
(case, punctuation, slug, acronym, former name, old address). A name it does not
resolve would make a new tag; before that happens the admin asks, and an import warns,
when the name is close to one that exists:

- the start of a longer name, ending at a word ("Cyber Security Agency" for "Cyber
  Security Agency of Singapore (CSA)");
- the same words in another order ("Agency for Cyber Security");
- an acronym: the initials of a longer name, an acronym a name holds in brackets or an
  agency has, or a name whose initials are one of those;
- a small misspelling ("Cyber Secruity Agency of Singapore").

Figures are compared only with figures of the same number: "9 MoUs signed" is another
figure from "8 MoUs signed", not a misspelling of it.

`TagMatcher` indexes the tags once (an import builds one per kind for the whole run), so
each name costs a few dictionary look-ups and a handful of edit distances.
"""

import bisect
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from .models import Agency, Figure, parse_figure
from .search.spelling import distance

WORD = re.compile(r"\w+")
BRACKETED = re.compile(r"\(([^()]*)\)")
SMALL_WORDS = frozenset({"a", "an", "and", "at", "for", "in", "of", "on", "the", "to"})
MAX_SUGGESTIONS = 3


@dataclass(frozen=True)
class Known:
    """What the matcher needs of one existing tag."""

    name: str
    acronym: str = ""
    value: Decimal | None = None  # figures only


def words(name: str) -> list[str]:
    return WORD.findall(name.casefold())


def initials(name: str) -> set[str]:
    """The initials of a name of two words or more, with and without its small words."""
    found = set()
    bare = words(BRACKETED.sub(" ", name))
    for kept in (bare, [w for w in bare if w not in SMALL_WORDS]):
        if len(kept) >= 2:
            found.add("".join(w[0] for w in kept))
    return found


def acronyms(tag: Known) -> set[str]:
    """An agency's acronym, one a name holds in brackets, or a name that is one ("PDPC")."""
    found = {tag.acronym.casefold()} if tag.acronym else set()
    found.update(inner.strip().casefold() for inner in BRACKETED.findall(tag.name))
    if re.fullmatch(r"[A-Z][A-Z0-9&]{1,9}", tag.name):
        found.add(tag.name.casefold())
    return {a for a in found if len(a) >= 2}


def allowed_edits(text: str) -> int:
    """Misspellings worth asking about: none in a short name, more in a long one."""
    if len(text) < 5:
        return 0
    return 1 if len(text) <= 8 else 2 if len(text) <= 15 else 3


def any_of(names) -> str:
    """ "“A”", "“A” or “B”", "“A”, “B” or “C”": the suggestions in a question."""
    quoted = [f"“{name}”" for name in names]
    return " or ".join([", ".join(quoted[:-1]), quoted[-1]] if len(quoted) > 1 else quoted)


def figure_value(name: str) -> Decimal | None:
    parsed = parse_figure(name)
    return parsed[0] if parsed else None


class TagMatcher:
    """Near-duplicates among a fixed set of tags of one kind."""

    def __init__(self, tags, *, figures: bool = False):
        self.figures = figures
        self.starts = []  # sorted "words of a name " strings, for prefixes
        self.by_start = {}
        self.by_word_set = defaultdict(list)
        self.by_acronym = defaultdict(list)
        self.by_initials = defaultdict(list)
        self.by_bucket = defaultdict(list)  # for misspellings; see bucket()
        for tag in tags:
            self.index(tag)
        self.starts.sort()

    @classmethod
    def for_tags(cls, tags, *, names=(), unless=None):
        """A matcher over a queryset of one kind's tags; for figures, only those sharing a
        number with one of `names` (there are one or more per release), and not those
        whose id `unless` refuses."""
        if tags.model is Figure:
            values = sorted({v for v in map(figure_value, names) if v is not None})
            rows = (
                row
                for start in range(0, len(values), 500)  # SQLite's limit on values a statement
                for row in tags.filter(value__in=values[start : start + 500]).values_list(
                    "pk", "name", "value"
                )
            )
            known = (Known(n, value=v) for pk, n, v in rows if not (unless and unless(pk)))
            return cls(known, figures=True)
        fields = ("name", "acronym") if tags.model is Agency else ("name",)
        return cls(Known(*row) for row in tags.values_list(*fields))

    def index(self, tag: Known):
        joined = " ".join(words(tag.name))
        if not joined:
            return
        self.by_start.setdefault(joined + " ", tag.name)
        self.starts.append(joined + " ")
        self.by_word_set[tuple(sorted(words(tag.name)))].append(tag.name)
        self.by_bucket[self.bucket(tag.name, tag.value)].append((joined, pairs(joined), tag.name))
        if not self.figures:
            for acronym in acronyms(tag):
                self.by_acronym[acronym].append(tag.name)
            for letters in initials(tag.name):
                self.by_initials[letters].append(tag.name)

    def bucket(self, name: str, value: Decimal | None = None) -> tuple:
        """Misspellings are looked for among names with the same first letter; for figures,
        among those with the same number (`value`, or read from the name) whose label has
        the same first letter."""
        if not self.figures:
            return (" ".join(words(name))[:1],)
        parsed = parse_figure(name)
        label = " ".join(words(parsed[1] if parsed else name))
        return (value if value is not None else parsed and parsed[0], label[:1])

    def near(self, name: str) -> list[str]:
        """Up to three existing names close to `name`, the closest kinds of match first."""
        found = []
        for rule in (self.longer_names, self.reordered, self.acronym_matches, self.misspelt):
            found.extend(n for n in rule(name) if n not in found and n != name)
        return found[:MAX_SUGGESTIONS]

    def longer_names(self, name: str) -> list[str]:
        """Names that start with all the words of `name` and go on (at least four letters)."""
        joined = " ".join(words(name))
        if len(joined) < 4:
            return []
        start = joined + " "
        found = []
        for key in self.starts[bisect.bisect_right(self.starts, start) :]:
            if not key.startswith(start) or len(found) >= MAX_SUGGESTIONS:
                break
            found.append(self.by_start[key])
        return found

    def reordered(self, name: str) -> list[str]:
        """Names of the very same words in another order."""
        return list(self.by_word_set.get(tuple(sorted(words(name))), ()))

    def acronym_matches(self, name: str) -> list[str]:
        """A typed acronym of a longer name, or a long name typed for its acronym."""
        if self.figures:
            return []
        typed = words(name)
        found = []
        if len(typed) == 1:
            found += self.by_initials.get(typed[0], [])
            found += self.by_acronym.get(typed[0], [])
        for letters in initials(name):
            found += self.by_acronym.get(letters, [])
        return found

    def misspelt(self, name: str) -> list[str]:
        """Names a few letters away (a letter wrong, missing, extra, or two swapped)."""
        joined = " ".join(words(name))
        limit = allowed_edits(joined)
        if not limit:
            return []
        typed = pairs(joined)
        scored = [
            (edits, other)
            for candidate, candidate_pairs, other in self.by_bucket.get(self.bucket(name), ())
            if abs(len(candidate) - len(joined)) <= limit
            and could_be_within(typed, candidate_pairs, limit)
            and (edits := distance(joined, candidate, limit)) <= limit
        ]
        return [other for _, other in sorted(scored)]


def pairs(text: str) -> frozenset[str]:
    """The text's letter pairs, for ruling out most names before an edit distance."""
    return frozenset(text[i : i + 2] for i in range(len(text) - 1))


def could_be_within(a: frozenset, b: frozenset, edits: int) -> bool:
    """False when two texts share too few letter pairs to be `edits` apart.

    An edit (a swap of neighbours too) changes at most three of a text's pairs.
    """
    return len(a & b) >= max(len(a), len(b)) - 3 * edits
