"""Reading `NAME@odata.bind` URLs in every documented form (reference §1.10, correction 10).

Full or relative, key in the path or in parentheses, quoted or not:
`https://graph.microsoft.com/beta/external/industryData/sourceSystems('{id}')`,
`…/dataConnectors/{id}`, `/roleGroups('students')`, `external/industryData/years/{id}`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

ROOT = ("external", "industrydata")
_KEYED = re.compile(r"^(?P<name>[^()]+)\((?P<key>.*)\)$")


@dataclass(frozen=True)
class BindTarget:
    #: The collection segment as written (matched case-insensitively by the caller).
    collection: str
    key: str


class BindError(ValueError):
    """The URL does not address one entity of an Industry Data collection."""


def split_key(segment: str) -> tuple[str, str | None]:
    """`years('x')` -> (`years`, `x`); `years(x)` -> (`years`, `x`); `years` -> (`years`, None)."""
    match = _KEYED.match(segment)
    if match is None:
        return segment, None
    key = match.group("key").strip()
    if len(key) >= 2 and key[0] == key[-1] == "'":
        key = key[1:-1].replace("''", "'")
    return match.group("name"), key


def _segments(url: str) -> list[str]:
    text = url.strip()
    text = urlsplit(text).path if "://" in text else text.split("?", 1)[0]
    return [unquote(s) for s in text.split("/") if s]


def parse_bind(url: object) -> BindTarget:
    """The collection and key a bind names. The service root (`/beta`) is optional, the
    `external/industryData` prefix is not: OData binds are relative to the service root."""
    if not isinstance(url, str) or not url.strip():
        raise BindError("a bind must be a non-empty URL string")
    segments = _segments(url)
    if segments and segments[0].lower() in ("beta", "v1.0"):
        if segments[0].lower() != "beta":
            raise BindError("industryData exists in Graph beta only; use a …/beta/… URL")
        segments = segments[1:]
    if tuple(s.lower() for s in segments[:2]) != ROOT:
        raise BindError("a bind URL must address …/external/industryData/{collection}/{id}")
    rest = segments[2:]
    if len(rest) == 1:
        collection, key = split_key(rest[0])
        if key:
            return BindTarget(collection, key)
    elif len(rest) == 2 and split_key(rest[0])[1] is None and rest[1]:
        return BindTarget(rest[0], rest[1])
    raise BindError("a bind URL must end with {collection}/{id} or {collection}('{id}')")
