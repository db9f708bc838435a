"""Masking personal data in sync errors: this output lands in a school's CI logs.

By field (the kind's `ErrorLogShape.personal`: a student's UPN, SIS id) the whole value goes;
in free text (error and status messages) anything that looks like an e-mail address or UPN,
an object id (GUID), a quoted value or a long number (student numbers) goes. Names written
without quotes cannot be recognised: the personal fields are where the service puts them.
"""

from __future__ import annotations

import re

HIDDEN = "(hidden)"

_PATTERNS = (
    # e-mail addresses and UPNs, guest UPNs (`jane_contoso.com#EXT#@tenant…`) included
    re.compile(r"[A-Za-z0-9._%+#'\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+"),
    re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"),
    re.compile(r"\b\d{5,}\b"),
)
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|‘[^’]*’|“[^”]*”")  # noqa: RUF001 (typographic quotes)


def mask_text(text: str) -> str:
    """Free text with everything person-shaped replaced by `(hidden)`."""
    masked = _QUOTED.sub(lambda m: f"{m.group(0)[0]}{HIDDEN}{m.group(0)[-1]}", text)
    for pattern in _PATTERNS:
        masked = pattern.sub(HIDDEN, masked)
    return masked


def mask_value(value: object, *, personal: bool, free_text: bool) -> str | None:
    if value is None:
        return None
    text = str(value)
    if personal:
        return HIDDEN if text else text
    return mask_text(text) if free_text else text
