"""Checks for the text formats the model names (`Format`), each with the likely fix; and
Graph's date and date-time texts."""

from __future__ import annotations

import datetime as dt
import functools
import re
from urllib.parse import urlsplit

from reconciler.kinds.model import FORMAT_PATTERNS, Format

_GUID_EXAMPLE = "314c4481-f395-4525-be8b-2ec4bb1e9d91"
_PATTERNS = {fmt: re.compile(pattern) for fmt, pattern in FORMAT_PATTERNS.items()}


@functools.lru_cache(maxsize=4096)
def format_ok(fmt: Format, text: str) -> bool:
    """Whether `text` is a valid `fmt` (the common case: no message is made). Remembered: a
    district's files repeat the same licence GUIDs and SIS addresses in file after file."""
    return bool(_PATTERNS[fmt].fullmatch(text)) and _extra_ok(fmt, text)


def format_problem(fmt: Format, text: str, label: str, *, hint: str | None = None) -> str | None:
    """Why `text` is not a valid `fmt` (None when it is), naming the property as `label`;
    `hint` is the property's own advice for a wrong value."""
    if format_ok(fmt, text):
        return None
    if fmt is Format.GUID:
        if hint:
            return f"{label} must be a GUID, not {text!r}: {hint}"
        return f"{label} must be a GUID such as {_GUID_EXAMPLE}, not {text!r}"
    if fmt is Format.YEAR:
        problem = _year_problem(text, label)
    elif fmt is Format.HTTPS_URL:
        problem = _url_problem(text, label)
    else:
        problem = _domain_problem(text, label)
    return f"{problem}; {hint}" if hint else problem


#: A host name: labels of letters (any script), digits and hyphens; or an IP address.
_HOST = re.compile(r"[\w-]+(\.[\w-]+)*\.?|\[[0-9A-Fa-f:.]+\]")


def _bad_host(text: str) -> str | None:
    """The host of an https:// address when it holds a character no host name can hold."""
    try:
        host = urlsplit(text.strip()).netloc.rpartition("@")[2]
    except ValueError:
        return None
    host = host if host.startswith("[") else host.rpartition(":")[0] or host
    return None if not host or _HOST.fullmatch(host) else host


def _extra_ok(fmt: Format, text: str) -> bool:
    if fmt is not Format.HTTPS_URL:
        return True
    try:
        urlsplit(text).port  # noqa: B018 (raises ValueError for a port out of range)
    except ValueError:
        return False
    return _bad_host(text) is None


def _url_problem(text: str, label: str) -> str:
    stripped = text.strip()
    if any(ch.isspace() for ch in stripped):
        return f"{label} must be an https:// address without spaces, not {text!r}"
    if "://" not in stripped:
        return (
            f"{label} must be a full address starting with https://, not {text!r}: "
            f"write https://{stripped.lstrip('/')}"
        )
    scheme, _, rest = stripped.partition("://")
    if scheme.lower() == "http":
        return (
            f"{label} must use https://, not http:// (School Data Sync connects over HTTPS "
            f"only): write https://{rest}"
        )
    if scheme.lower() != "https":
        return f"{label} must be an https:// address, not {scheme}://"
    if "@" in rest.split("/", 1)[0]:
        return f"{label} must not hold a user name or password; write the address alone"
    host = _bad_host(stripped)
    if host is not None:
        odd = next(ch for ch in host if not (ch.isalnum() or ch in "-._:[]"))
        fixed = host.replace(",", ".") if odd == "," else None
        meant = f" (did you mean {fixed}?)" if fixed else ""
        return f"{label}: the host name {host!r} cannot hold {odd!r}{meant}"
    return f"{label} is not a valid https:// address: {text!r}"


def _domain_problem(text: str, label: str) -> str:
    cleaned = re.sub(r"^[a-z]+://", "", text.strip(), flags=re.IGNORECASE)
    cleaned = cleaned.split("/", 1)[0].lstrip("@").strip()
    if cleaned and re.fullmatch(FORMAT_PATTERNS[Format.DOMAIN], cleaned):
        return f"{label} must be a domain name alone, not {text!r}: write {cleaned}"
    return f"{label} must be a domain name such as contoso.edu, not {text!r}"


def _year_problem(text: str, label: str) -> str:
    years = re.findall(r"(?<![0-9])[0-9]{4}(?![0-9])", text)
    fix = f": write {years[-1]} (the year it ends in)" if len(years) == 2 else ""
    return (
        f"{label} must be the calendar year the academic year ends in, four digits such as "
        f"2027, not {text!r}{fix}"
    )


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: Graph's DateTimeOffset: date, `T`, time, optional fraction, and a zone (Z or ±hh:mm).
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})")


def is_date(text: str) -> bool:
    """A date as Graph's Edm.Date writes it: YYYY-MM-DD, and a real day."""
    if not _DATE.fullmatch(text):
        return False  # Python also parses 20270630; Graph's Edm.Date does not
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def parse_datetime(text: str, *, assume_utc: bool = False) -> dt.datetime | None:
    """The instant of a DateTimeOffset as Graph writes it (None: not one); `assume_utc`: a text
    without a zone is UTC."""
    candidate = text
    if assume_utc and not re.search(r"(Z|[+-]\d{2}:?\d{2})$", candidate):
        candidate += "Z"  # YAML timestamps without a zone are UTC (YAML 1.1 timestamp type)
    if not _DATETIME.fullmatch(candidate):
        return None
    fraction = re.search(r"\.(\d+)", candidate)
    if fraction and len(fraction.group(1)) > 6:  # Graph writes 7 digits; Python reads 6
        candidate = candidate.replace(fraction.group(0), "." + fraction.group(1)[:6])
    try:
        return dt.datetime.fromisoformat(candidate.replace("Z", "+00:00"))
    except ValueError:
        return None
