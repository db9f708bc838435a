"""Logging to stderr with secrets and tokens redacted from every record."""

from __future__ import annotations

import logging
import re
import threading

_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9\-._~+/]+=*")
_JWT = re.compile(r"eyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*")
_SECRET_FIELD = re.compile(
    r'(?i)("?(?:client_?secret|client_assertion|access_token|refresh_token|id_token|password|'
    r'authorization)"?\s*[:=]\s*"?)([^"&,\s}]+)'
)

_known_secrets: set[str] = set()
_lock = threading.Lock()


def register_secret(value: str) -> None:
    """Make sure this exact value never reaches a log line (values from ${NAME}, tokens)."""
    if len(value) >= 4:
        with _lock:
            _known_secrets.add(value)


def redact(text: str) -> str:
    text = _BEARER.sub(r"\1(redacted)", text)
    text = _JWT.sub("(redacted-jwt)", text)
    text = _SECRET_FIELD.sub(r"\1(redacted)", text)
    with _lock:
        secrets = sorted(_known_secrets, key=len, reverse=True)
    for secret in secrets:
        text = text.replace(secret, "(sensitive)")
    return text


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class PlainFormatter(RedactingFormatter):
    """`warning: message` (the level in lower case, like the CLI's own messages)."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(f"{record.levelname.lower()}: {record.getMessage()}")


def configure_logging(level: str) -> None:
    root = logging.getLogger("reconciler")
    root.handlers.clear()
    handler = logging.StreamHandler()
    # At the default level an admin reads these in CI logs: `warning: …` like every other
    # warning, no internal module names; -v/--debug (for a report) keep level and logger.
    plain = level.lower() in {"warning", "error", "critical"}
    fmt = "%(levelname)s %(name)s: %(message)s"
    handler.setFormatter(PlainFormatter(fmt) if plain else RedactingFormatter(fmt))
    root.addHandler(handler)
    root.setLevel(level.upper())
    root.propagate = False
