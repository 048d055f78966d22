"""Mail header values that every client decodes back to exactly what was written (RFC 5322, RFC 2047).

The standard library's folder (``email.policy.SMTP``, Python 3.11-3.13) drops the space between two
encoded words when a fold falls beside it ("ñoño: áéíóú" arrives as "ñoño:áéíóú") and corrupts long
non-ASCII display names; Flask-Mail's ``Header`` folding splits words ("p ública"). So the few
headers a person reads are encoded here:

- printable ASCII without ``=?`` is folded only before an existing space, so unfolding restores it;
- anything else in a Subject becomes a run of Q encoded words, each holding whole characters and at
  most 75 characters long, with every space encoded *inside* a word (as ``_``): decoders drop the
  folding white space between adjacent encoded words, so nothing can be lost or added there;
- a display name is written as plain atoms and encoded words that never touch (see _phrase_tokens).

Every line, including the header name on the first, is at most 78 characters.
"""

from __future__ import annotations

import string

MAX_LINE = 78
MAX_WORD = 75  # RFC 2047, 2: an encoded word is at most 75 characters
FOLD = "\r\n "
_PREFIX, _SUFFIX = "=?utf-8?q?", "?="
# Characters Q encoding may leave as they are in any header, including a phrase (RFC 2047, 5(3)).
_SAFE_Q = frozenset(string.ascii_letters + string.digits + "!*+-/")
_PRINTABLE = frozenset(string.printable) - frozenset("\t\n\r\x0b\x0c")
_ATEXT = frozenset(string.ascii_letters + string.digits + "!#$%&'*+-/=?^_`{|}~")  # RFC 5322, 3.2.3


def _q(char: str) -> str:
    if char == " ":
        return "_"
    if char in _SAFE_Q:
        return char
    return "".join(f"={byte:02X}" for byte in char.encode("utf-8"))


def _needs_encoding(text: str) -> bool:
    return not set(text) <= _PRINTABLE or "=?" in text


def _encoded_words(text: str, used: int) -> str:
    """``text`` as Q encoded words; ``used`` is how much of the first line is already taken."""
    lines, current, room = [], "", min(MAX_WORD, MAX_LINE - used) - len(_PREFIX) - len(_SUFFIX)
    for char in text:
        piece = _q(char)
        if current and len(current) + len(piece) > room:
            lines.append(_PREFIX + current + _SUFFIX)
            current, room = "", min(MAX_WORD, MAX_LINE - 1) - len(_PREFIX) - len(_SUFFIX)
        current += piece
    lines.append(_PREFIX + current + _SUFFIX)
    return FOLD.join(lines)


def _fold_ascii(text: str, used: int) -> str:
    """Fold before spaces: unfolding (removing CRLF) gives the text back unchanged."""
    lines, current = [], ""
    for i, word in enumerate(text.split(" ")):
        candidate = word if i == 0 else current + " " + word
        if i and used + len(candidate) > MAX_LINE and current:
            lines.append(current)
            current, used = " " + word, 0
        else:
            current = candidate
    lines.append(current)
    # Each continuation line already starts with the space it was folded before.
    return "\r\n".join(lines)


def unstructured(name: str, text: str) -> str:
    """The raw value of an unstructured header (Subject) for ``text``, which is on one line."""
    used = len(name) + 2
    if not text:
        return ""
    words = text.split(" ")
    # A word that fits on no line (after the name on the first, after the fold's space on the others)
    # cannot be folded: the whole value is then encoded, which can be split anywhere.
    too_long = used + len(words[0]) > MAX_LINE or any(len(w) > MAX_LINE - 1 for w in words)
    if _needs_encoding(text) or too_long or text != text.strip() or "  " in text:
        return _encoded_words(text, used)
    return _fold_ascii(text, used)


def _phrase_tokens(display_name: str, limit: int) -> list[str] | None:
    """The display name as atoms and encoded words, or None if it cannot be written unambiguously.

    Decoders disagree on the white space between two encoded words in a phrase: RFC 2047 says to drop
    it, Python's parser keeps it. So each run of words that need encoding becomes one encoded word
    (its spaces inside it), and runs are separated by plain atoms, whose spaces every decoder keeps.
    A run too long for one encoded word (of at most ``limit`` characters) cannot be written so; the
    caller then omits the name.
    """
    tokens, run = [], []

    def close_run():
        if run:
            text = " ".join(run)
            word = _PREFIX + "".join(_q(c) for c in text) + _SUFFIX
            if len(word) > limit:
                raise ValueError(text)
            tokens.append(word)
            run.clear()

    try:
        for word in display_name.split(" "):
            if word and set(word) <= _ATEXT and "=?" not in word and len(word) <= limit:
                close_run()
                tokens.append(word)
            else:
                run.append(word)
        close_run()
    except ValueError:
        return None
    return tokens


def mailbox(name: str, display_name: str, address: str) -> str:
    """The raw value of an address header (From, To) for one mailbox with an optional display name."""
    spec = f"<{address}>"
    # Every token must fit on the first line too, after the header's name.
    tokens = _phrase_tokens(display_name, min(MAX_WORD, MAX_LINE - len(name) - 2)) if display_name else None
    if not tokens:
        return address
    lines, current = [], name + ":"
    for token in [*tokens, spec]:
        if len(current) + 1 + len(token) > MAX_LINE and current != name + ":":
            lines.append(current)
            current = ""
        current += " " + token
    lines.append(current)
    return "\r\n".join(lines)[len(name) + 2 :]
