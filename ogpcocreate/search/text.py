"""Spanish as people type it: accents and case ignored, words reduced to their stem (Snowball), so
"participacion" finds "participación" and "propuestas" finds "propuesta". The same function reads the
indexed text and the query, so both databases only ever compare stems."""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice

import snowballstemmer
from markupsafe import Markup, escape

_WORD = re.compile(r"\w+")
_TAG = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"\s+")
_QUOTED = re.compile(r'"([^"]*)"')
MAX_TERMS = 12
_stemmer = snowballstemmer.stemmer("spanish")


def plain(markup: str | None) -> str:
    """Text of sanitised HTML (rich text is stored as HTML): tags dropped, entities decoded."""
    return _SPACES.sub(" ", html.unescape(_TAG.sub(" ", markup or ""))).strip()


def _unaccent(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    return _stemmer.stemWord(_unaccent(word).lower())


def stems(text: str) -> list[str]:
    return [stem(w) for w in _WORD.findall(text or "")]


def terms(text: str) -> str:
    """What the index stores for a text: its stems, space-separated."""
    return " ".join(stems(text))


@dataclass
class Query:
    words: list[str] = field(default_factory=list)  # stems that must all appear
    phrases: list[list[str]] = field(default_factory=list)  # stems that must appear in this order

    @property
    def empty(self) -> bool:
        return not self.words and not self.phrases

    @property
    def all_stems(self) -> set[str]:
        return set(self.words) | {s for p in self.phrases for s in p}


def parse(raw: str) -> Query:
    """Words and "quoted phrases" of a query, as stems (at most MAX_TERMS of them)."""
    query = Query()
    budget = MAX_TERMS
    for phrase in _QUOTED.findall(raw or ""):
        found = stems(phrase)[:budget]
        budget -= len(found)
        if len(found) == 1:
            query.words.extend(found)
        elif found:
            query.phrases.append(found)
    for word in stems(_QUOTED.sub(" ", raw or ""))[:max(budget, 0)]:
        if word not in query.words:
            query.words.append(word)
    return query


def _letters() -> dict[str, str]:
    """For each letter a stem may hold, the characters of written text that fold to it (accents, case)."""
    variants: dict[str, set[str]] = {}
    for code in range(0x20, 0x250):
        char = chr(code)
        folded = _unaccent(char).lower()
        if len(folded) == 1 and folded != char:
            variants.setdefault(folded, {folded}).add(char)
    return {letter: "[" + "".join(re.escape(c) for c in sorted(chars)) + "]" for letter, chars in variants.items()}


_LETTERS = _letters()


def _prefix(stem_: str) -> str:
    """What every word with this stem begins with. The one ending Snowball's Spanish stemmer rewrites
    rather than removes is "-encia(s)", which becomes "-ente" and then "-ent": "transparencia" stems to
    "transparent"."""
    return stem_[:-1] if stem_.endswith("ent") else stem_


@lru_cache(maxsize=512)
def _candidates(wanted: frozenset[str]) -> re.Pattern:
    """Words that may stem to one of ``wanted``: a stem is a beginning of its accent-free, lower-case
    word (Snowball removes endings; ``_prefix``), so a word starting with the stem's letters, any accent or case,
    is a candidate; ``highlight`` checks each candidate's stem. One pass of the regular expression
    engine over the text instead of stemming every word of it."""
    patterns = sorted(("".join(_LETTERS.get(c, re.escape(c)) for c in _prefix(s)) for s in wanted if s),
                      key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(patterns) + r")\w*", re.IGNORECASE) if patterns else re.compile(r"(?!)")


def _first_hit(text: str, wanted: set[str]) -> re.Match | None:
    for m in _candidates(frozenset(wanted)).finditer(text):
        if stem(m.group()) in wanted:
            return m
    return None


def highlight(text: str, query: Query, before: int = 12, after: int = 28) -> Markup:
    """The passage around the first matching word (``before`` words before it, ``after`` from it), every
    matching word in <mark>; everything escaped. Only the passage's own words are stemmed."""
    text = text or ""
    wanted = query.all_stems
    first = _first_hit(text, wanted)
    if first is not None:
        # The words before the hit: from far enough back, dropping a word the cut may have split.
        reach = max(first.start() - 64 * (before + 1), 0)
        preceding = list(_WORD.finditer(text, reach, first.start()))
        if reach > 0 and preceding and preceding[0].start() == reach and _WORD.match(text, reach - 1):
            preceding = preceding[1:]
        words = preceding[-before:] if before else []
        words += list(islice(_WORD.finditer(text, first.start()), after + 1))
    else:
        words = list(islice(_WORD.finditer(text), after + 1))
    if not words:
        return Markup("")
    start, end = words[0].start(), words[-1].end()
    pieces, cursor = [], start
    for m in words:
        if stem(m.group()) in wanted:
            pieces.append(escape(text[cursor:m.start()]))
            pieces.append(Markup("<mark>%s</mark>") % m.group())
            cursor = m.end()
    pieces.append(escape(text[cursor:end]))
    if start > 0:
        pieces.insert(0, escape("… "))
    if end < len(text):
        pieces.append(escape(" …"))
    return Markup("").join(pieces)
