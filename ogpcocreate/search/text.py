"""Spanish as people type it: accents and case ignored, words reduced to their stem (Snowball), so
"participacion" finds "participación" and "propuestas" finds "propuesta". The same function reads the
indexed text and the query, so both databases only ever compare stems."""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

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


def highlight(text: str, query: Query, before: int = 12, after: int = 28) -> Markup:
    """The passage around the first matching word, every matching word in <mark>; everything escaped."""
    words = list(_WORD.finditer(text or ""))
    wanted = query.all_stems
    hits = [i for i, m in enumerate(words) if stem(m.group()) in wanted]
    if not words:
        return Markup("")
    first = hits[0] if hits else 0
    start_word, end_word = max(first - before, 0), min(first + after, len(words) - 1)
    start, end = words[start_word].start(), words[end_word].end()
    pieces, cursor = [], start
    for i in range(start_word, end_word + 1):
        m = words[i]
        if i in hits:
            pieces.append(escape(text[cursor:m.start()]))
            pieces.append(Markup("<mark>%s</mark>") % m.group())
            cursor = m.end()
    pieces.append(escape(text[cursor:end]))
    if start > 0:
        pieces.insert(0, escape("… "))
    if end < len(text):
        pieces.append(escape(" …"))
    return Markup("").join(pieces)
