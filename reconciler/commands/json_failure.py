"""`plan`/`apply --format json`: stdout holds one JSON document also when the command stops
before it has a plan (unreadable YAML, a missing path, Graph unreachable, a bad `--target`, a
file that is not a plan): a script reading stdout always gets something to parse, never 0 bytes.

The command marks when it has written its own document (`document_written`); if it fails before
that, the wrapper writes the error document and lets the error go on to set the exit code.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from typing import Any, TypeVar, cast

import click

from reconciler import __version__
from reconciler.commands.base import EXIT_ERROR, EXIT_USAGE, describe_os_error
from reconciler.desired.problems import Problem
from reconciler.errors import ConfigError, ReconcileError

F = TypeVar("F", bound=Callable[..., Any])

_written: ContextVar[bool] = ContextVar("edusync_json_document_written", default=False)


class InvalidDesiredState(ConfigError):
    """The desired state has errors; carries them so the JSON document can list them."""

    def __init__(self, message: str, problems: tuple[Problem, ...]) -> None:
        super().__init__(message)
        self.problems = problems


def document_written() -> None:
    """The command's own JSON document is out: no error document after it."""
    _written.set(True)


def _message_and_code(exc: BaseException) -> tuple[str, int]:
    if isinstance(exc, click.UsageError):
        return exc.format_message(), EXIT_USAGE
    if isinstance(exc, ReconcileError):
        return str(exc), EXIT_ERROR
    if isinstance(exc, OSError):
        return describe_os_error(exc), EXIT_ERROR
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted", EXIT_ERROR
    from reconciler.logsetup import redact

    return f"internal error: {type(exc).__name__}: {redact(str(exc))}", EXIT_ERROR


def error_document(command: str, exc: BaseException, *, dry_run: bool = False) -> dict[str, Any]:
    """What `command` prints instead of its document when it stopped early. `apply` keeps the
    keys of its report (`plan` null, nothing done); `plan` has no `changes` or `summary`, so
    a script cannot read a failure as "nothing to change"."""
    message, code = _message_and_code(exc)
    problems = getattr(exc, "problems", ())
    document: dict[str, Any] = {"format_version": 1, "tool_version": __version__}
    if command == "apply":
        from reconciler.render.apply_report import empty_summary

        document |= {
            "dry_run": dry_run,
            "plan": None,
            "outcomes": [],
            "summary": empty_summary(),
            "next": [],
        }
    return document | {
        "error": message,
        "exit_code": code,
        "problems": [p.as_json() for p in problems],
    }


def json_document_on_failure(command: str) -> Callable[[F], F]:
    """Wrap `plan` or `apply`: with `--format json` (or EDUSYNC_FORMAT=json), a failure before
    the command wrote its document writes the error document to stdout, then goes on."""

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            wants_json = (kwargs.get("output_format") or "").lower() == "json"
            token = _written.set(False)
            try:
                return func(*args, **kwargs)
            except (Exception, KeyboardInterrupt) as exc:
                if wants_json and not _written.get():
                    document = error_document(command, exc, dry_run=bool(kwargs.get("dry_run")))
                    click.echo(json.dumps(document, indent=2, ensure_ascii=False))
                exc.json_document_written = wants_json  # type: ignore[union-attr]
                raise
            finally:
                _written.reset(token)

        return cast(F, wrapper)

    return decorate


def usage_error_document(args: Sequence[str], env_format: str, exc: click.UsageError) -> None:
    """A command line the parser rejected before `plan`/`apply` ran (an unknown option, a bad
    value): still the error document when the line asks for JSON."""
    if getattr(exc, "json_document_written", False):
        return
    command = _subcommand(args)
    if command not in {"plan", "apply"}:
        return
    fmt = env_format
    for i, arg in enumerate(args):
        if arg == "--format" and i + 1 < len(args):
            fmt = args[i + 1]
        elif arg.startswith("--format="):
            fmt = arg.partition("=")[2]
    if fmt.strip().lower() != "json":
        return
    document = error_document(command, exc, dry_run="--dry-run" in args)
    click.echo(json.dumps(document, indent=2, ensure_ascii=False))


#: Global options given before the subcommand that take a value.
_VALUED = frozenset({"--graph-url", "--cloud", "--credential"})


def _subcommand(args: Sequence[str]) -> str | None:
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in _VALUED:
            skip = True
        elif not arg.startswith("-"):
            return arg
    return None
