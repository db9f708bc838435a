"""Names people cannot tell apart: a no-break space pasted from a web page or Word, a zero-width
character, a Cyrillic letter among Latin ones, a space at either end. `Test Profile` with a
U+00A0 reads exactly like `Test Profile` but is another name, so `validate` warns naming the
character and where it is, and messages show such names escaped (`'Test\\u00a0Profile'`).
"""

from __future__ import annotations

import unicodedata

#: Scripts whose letters look like Latin ones (a mixed-script name is likely a paste accident).
_LOOKALIKE_SCRIPTS = ("CYRILLIC", "GREEK")


def _script(ch: str) -> str:
    return unicodedata.name(ch, "").split(" ", 1)[0]


def _invisible(ch: str) -> bool:
    """A space other than U+0020, a format character (zero-width, BOM, direction marks), a
    control character or a line/paragraph separator."""
    category = unicodedata.category(ch)
    return (category == "Zs" and ch != " ") or category in {"Cf", "Cc", "Zl", "Zp"}


def _lookalike_letters(text: str) -> set[int]:
    """Positions of Cyrillic or Greek letters in a name that also has Latin letters."""
    letters = [(i, _script(ch)) for i, ch in enumerate(text) if ch.isalpha()]
    if not any(script == "LATIN" for _, script in letters):
        return set()
    return {i for i, script in letters if script in _LOOKALIKE_SCRIPTS}


def _plain(text: str) -> bool:
    """Printable ASCII holds no invisible character and no letter of another script: most
    names, answered without a Unicode database lookup per character."""
    return text.isascii() and text.isprintable()


def _describe(ch: str) -> str:
    return f"U+{ord(ch):04X} {unicodedata.name(ch, 'UNNAMED CHARACTER')}"


def odd_characters(text: str) -> list[str]:
    """What makes `text` read like another name, in plain words (empty: nothing)."""
    found = []
    if text[:1].isspace() and text.strip():
        found.append("a space at the start")
    if text[-1:].isspace() and text.strip():
        found.append("a space at the end")
    if _plain(text):
        return found
    lookalikes = _lookalike_letters(text)
    for i, ch in enumerate(text):
        if _invisible(ch):
            found.append(f"{_describe(ch)} at character {i + 1}")
        elif i in lookalikes:
            found.append(f"{_describe(ch)} (looks like a Latin letter) at character {i + 1}")
    return found


def escaped(text: str) -> str:
    """`text` with every invisible or look-alike character written as \\uXXXX, so two names
    that look the same do not read the same in a message."""
    if _plain(text):
        return text
    lookalikes = _lookalike_letters(text)
    if not lookalikes and not any(_invisible(ch) for ch in text):
        return text
    return "".join(
        f"\\u{ord(ch):04x}" if _invisible(ch) or i in lookalikes else ch
        for i, ch in enumerate(text)
    )


def quoted(name: str) -> str:
    """A name for a message: plain quotes (a space at either end shows), escaped if need be."""
    return f"'{escaped(name)}'"
