"""Rules for plain text typed by people: which characters a value may hold, and names' look-alike key.

Kept free of Flask so migrations can use ``name_key`` to recompute stored keys.
"""

from __future__ import annotations

import unicodedata

from disarm import skeleton_key

NAME_KEY_LENGTH = 200  # Organisation.name_key
# Explicit embeddings, overrides and isolates: they reorder what is shown (the "Trojan Source" trick).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_NOT_ON_ONE_LINE = frozenset({"Cc", "Cf", "Zl", "Zp"})


def single_line_problem(text: str) -> bool:
    """True if ``text`` has a character a one-line value may not hold: a control character (Cc), an
    invisible format character (Cf: zero-width space, soft hyphen, direction marks and overrides), or a
    line or paragraph separator."""
    return any(unicodedata.category(c) in _NOT_ON_ONE_LINE for c in text)


def one_line(text: str) -> str:
    """``text`` on one line: what single_line_problem refuses becomes a space, runs of spaces one.

    For e-mail headers: forms refuse these characters in names and titles, but a value stored before
    they did (or from the command line) must not make a message unsendable on every attempt.
    """
    cleaned = "".join(" " if unicodedata.category(c) in _NOT_ON_ONE_LINE else c for c in text)
    return " ".join(cleaned.split())


def multi_line_problem(text: str) -> bool:
    """True if ``text`` has a control character other than line breaks and tabs, or a bidi control.

    Other format characters stay allowed in long text: the zero-width joiner builds emoji and several
    scripts need it, and a soft hyphen inside a paragraph hides nothing.
    """
    return any((unicodedata.category(c) == "Cc" and c not in "\t\n\r") or c in BIDI_CONTROLS for c in text)


def _fold(text: str) -> str:
    skeleton = skeleton_key(text)
    bare = "".join(c for c in unicodedata.normalize("NFKD", skeleton) if not unicodedata.combining(c))
    return " ".join(bare.replace(".", " ").replace(",", " ").split())


def name_key(name: str) -> str:
    """The key two names share when a reader could take one for the other, for the duplicate check.

    - invisible format characters (category Cf: zero-width spaces, soft hyphens, direction marks) are
      dropped, and control characters and separators become spaces;
    - NFKC, then case folding: fullwidth and mathematical letters, ligatures and case are one;
    - the Unicode confusable skeleton (UTS #39, through disarm's ``skeleton_key``): a Cyrillic "о" or a
      Greek "ο" is the Latin "o";
    - accents, full stops, commas and runs of white space are ignored, as before.

    Case is folded before the skeleton, so "FUNDACIÓN" and "Fundación" share a key; the price is that
    UTS #39's I/l class is not applied ("AIianza" and "Alianza" differ), since folding it after the
    case fold would make every "i" an "l". Digits stay apart from letters ("Plan 2010" is not "Plan
    2OlO"). A change to these rules changes stored keys: it needs a migration that recomputes them, as
    0005_name_keys does.
    """
    text = "".join(
        "" if unicodedata.category(c) == "Cf" else " " if unicodedata.category(c) in _NOT_ON_ONE_LINE else c
        for c in name
    )
    text = unicodedata.normalize("NFKC", text).casefold()
    key = _fold(text)
    for _ in range(3):  # removing an accent can expose a base letter with its own prototype
        again = _fold(key)
        if again == key:
            break
        key = again
    return key[:NAME_KEY_LENGTH]
