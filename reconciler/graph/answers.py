"""What an HTTP answer's body is, in one line: Graph's JSON, or what came instead.

Between this tool and Graph there may be a TLS-inspecting proxy, a captive portal or a load
balancer answering on Graph's behalf: an HTML page, plain text, JSON cut off mid-way, nothing at
all. A read must never take such an answer for data (an empty tenant, say); the error names
what arrived, so an admin can tell a proxy's sign-in page from Graph's own error.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass

from reconciler.jsontypes import JSON

#: A larger answer is refused while it streams in: Graph pages hold at most 999 objects (a few
#: MiB); a body this large is no Graph answer, and reading on would only fill memory.
MAX_BODY_BYTES = 16 * 1024 * 1024
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class Body:
    """An answer's body: the parsed JSON, or None with the reason it is not JSON."""

    value: JSON
    #: Why the body is not usable JSON ("an HTML page …"), or None.
    problem: str | None = None


def read_json(content: bytes, content_type: str | None) -> Body:
    """Parse a body that should be Graph's JSON; say what it is when it is not."""
    if not content.strip():
        return Body(None, "the answer is empty where Graph sends JSON")
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media and media != "application/json" and not media.endswith("+json"):
        return Body(None, f"the answer is {describe(content, content_type)}, not JSON")
    try:
        return Body(json.loads(content))
    except (ValueError, RecursionError) as exc:
        return Body(None, f"the answer is not valid JSON: {_json_problem(content, exc)}")


def lenient_json(content: bytes) -> JSON:
    """The JSON of a body when it is JSON (an error answer, a write's echo), else None."""
    if not content.strip():
        return None
    try:
        parsed: JSON = json.loads(content)
    except (ValueError, RecursionError):
        return None
    return parsed


def describe(content: bytes, content_type: str | None) -> str:
    """A body that is not JSON, in a few words: `an HTML page ("Sign in")`."""
    media = (content_type or "").split(";", 1)[0].strip().lower() or "no Content-Type"
    head = content[:4096]
    if "html" in media or head.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")):
        title = _TITLE.search(head)
        name = _one_line(html.unescape(title.group(1).decode("utf-8", "replace"))) if title else ""
        return f'an HTML page ("{name}")' if name else "an HTML page"
    text = _one_line(head.decode("utf-8", "replace"))
    if not text:
        return f"{len(content):,} bytes of {media}"
    return f'{media} "{text[:120]}{"…" if len(text) > 120 else ""}"'


def summary(content: bytes, content_type: str | None, limit: int = 300) -> str | None:
    """The text of an error answer that carries no Graph error JSON, on one line."""
    if not content.strip():
        return None
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if "html" in media or content.lstrip()[:1] == b"<":
        return describe(content, content_type)
    text = _one_line(content[: limit * 4].decode("utf-8", "replace"))
    return text[:limit] + ("…" if len(text) > limit else "")


def _json_problem(content: bytes, exc: Exception) -> str:
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    if not isinstance(exc, json.JSONDecodeError):
        return _one_line(str(exc))
    # A string that never closes, or a value missing at the very end: the answer stopped.
    at_end = exc.pos >= len(content.decode("utf-8", "replace").rstrip()) - 1
    if (at_end and exc.msg.startswith("Expecting")) or exc.msg.startswith("Unterminated string"):
        return f"it ends after {len(content):,} bytes, in the middle of a value (cut off?)"
    return f"{exc.msg} (character {exc.pos + 1:,} of {len(content):,} bytes)"


def _one_line(text: str) -> str:
    return " ".join(text.split())
