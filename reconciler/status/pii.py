"""Masking personal data in sync errors: this output lands in a school's CI logs.

By field (the kind's `ErrorLogShape.personal`: a student's UPN, SIS id) the whole value goes;
in free text (error and status messages) every value masked by field goes too (a UPN also
without its domain), and so does anything that looks like an e-mail address or UPN, an object
id (GUID), a quoted value, a date (a date of birth cannot be told from other dates), a phone
number or a long number (student numbers). Names written without quotes cannot be recognised:
the personal fields are where the service puts them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

HIDDEN = "(hidden)"

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
#: Calendar dates (2011-03-04, 04/03/2011, 4.3.2011, March 4, 2011, 4 March 2011); a
#: timestamp (2025-05-02T09:00:00Z) is the service's own time and stays.
_DATES = (
    re.compile(r"\b\d{4}([-/.])\d{1,2}\1\d{1,2}\b"),
    re.compile(r"\b\d{1,2}([-/.])\d{1,2}\1\d{4}\b"),
    re.compile(rf"\b{_MONTH} \d{{1,2}}(?:st|nd|rd|th)?,? \d{{4}}\b", re.IGNORECASE),
    re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)? {_MONTH},? \d{{4}}\b", re.IGNORECASE),
)
#: Digit groups with separators (+1 555 123 4567, (555) 010-7788); kept when under 7 digits.
_PHONE = re.compile(
    r"(?<![\w+])(?:\+\d{1,3}[ .\-]?)?(?:\(\d{1,4}\)[ .\-]?)?\d{1,4}(?:[ .\-]\d{1,4}){1,4}(?!\w)"
)


def _hide_phones(text: str) -> str:
    def hide(match: re.Match[str]) -> str:
        digits = sum(ch.isdigit() for ch in match.group(0))
        return HIDDEN if 7 <= digits <= 15 else match.group(0)

    return _PHONE.sub(hide, text)


_PATTERNS = (
    # e-mail addresses and UPNs, guest UPNs (`jane_contoso.com#EXT#@tenant…`) included
    re.compile(r"[A-Za-z0-9._%+#'\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+"),
    re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"),
    *_DATES,
)
_LONG_NUMBER = re.compile(r"\b\d{5,}\b")
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|‘[^’]*’|“[^”]*”")  # noqa: RUF001 (typographic quotes)


def _known_pattern(known: Iterable[str]) -> re.Pattern[str] | None:
    """Whole occurrences of values masked by field, and of a UPN's or address's user part."""
    values: set[str] = set()
    for value in known:
        text = value.strip()
        if not text:
            continue
        values.add(text)
        user = text.split("@", 1)[0]
        if "@" in text and len(user) >= 3:
            values.add(user)
    if not values:
        return None
    alternatives = "|".join(re.escape(v) for v in sorted(values, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def mask_text(text: str, known: Iterable[str] = ()) -> str:
    """Free text with everything person-shaped replaced by `(hidden)`, and every `known`
    value (what the same row or object hides by field) with it."""
    pattern = _known_pattern(known)
    masked = pattern.sub(HIDDEN, text) if pattern else text
    masked = _QUOTED.sub(lambda m: f"{m.group(0)[0]}{HIDDEN}{m.group(0)[-1]}", masked)
    for pattern in _PATTERNS:
        masked = pattern.sub(HIDDEN, masked)
    return _LONG_NUMBER.sub(HIDDEN, _hide_phones(masked))


def mask_value(
    value: object, *, personal: bool, free_text: bool, known: Iterable[str] = ()
) -> str | None:
    if value is None:
        return None
    text = str(value)
    if personal:
        return HIDDEN if text else text
    return mask_text(text, known) if free_text else text
