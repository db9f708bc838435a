"""What a command hands back to GitHub Actions (step summary, outputs), written when it ends.

Kept apart from the pull-request and issue publishing in `github_hooks` so that every command
can be wrapped without importing the GitHub client, the engine or requests (start-up time).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

import click

from reconciler.commands.base import EXIT_ERROR
from reconciler.errors import ReconcileError
from reconciler.github.context import ActionsContext, append_step_summary, write_outputs
from reconciler.logsetup import redact

F = TypeVar("F", bound=Callable[..., Any])


def echo_err(message: str) -> None:
    click.echo(message, err=True)


@dataclass
class ActionsRun:
    """What one command run hands back to GitHub Actions, written when it ends."""

    env: Mapping[str, str]
    context: ActionsContext = field(init=False)
    summary: list[str] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)
    #: Called with the message when the command fails with an error (e.g. to update a comment).
    on_failure: list[Callable[[str], None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.context = ActionsContext.from_env(self.env)

    @property
    def active(self) -> bool:
        return self.context.in_actions

    def add_summary(self, markdown: str) -> None:
        self.summary.append(markdown)

    def set_output(self, name: str, value: str) -> None:
        self.outputs[name] = value

    def github_failed(self, what: str, exc: Exception, *, unchanged: bool = True) -> None:
        """One line on stderr and in the step summary; the exit code stays what it was."""
        tail = "; the exit code is unchanged" if unchanged else ""
        line = redact(f"warning: could not {what}: {exc}{tail}")
        echo_err(line)
        self.add_summary(f"> :warning: {line}")

    def failed(self, message: str) -> None:
        self.add_summary(f"> :x: **error:** {redact(message)}")
        for hook in self.on_failure:
            hook(message)

    def finish(self, code: int) -> None:
        if not self.active:
            return
        self.outputs["exit-code"] = str(code)
        try:
            if self.context.step_summary and self.summary:
                append_step_summary(self.context.step_summary, "\n\n".join(self.summary))
            if self.context.output:
                write_outputs(self.context.output, self.outputs)
        except OSError as exc:
            echo_err(f"warning: could not write the GitHub Actions step files: {exc}")


_current: ContextVar[ActionsRun | None] = ContextVar("edusync_actions_run", default=None)


def current_run() -> ActionsRun:
    run = _current.get()
    if run is None:
        run = ActionsRun(os.environ)
        _current.set(run)
    return run


def reports_to_actions(func: F) -> F:
    """Wrap a command so that its exit code (also on an error) reaches `$GITHUB_OUTPUT` and its
    markdown `$GITHUB_STEP_SUMMARY` when it runs under GitHub Actions."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        run = ActionsRun(os.environ)
        token = _current.set(run)
        code = EXIT_ERROR
        try:
            code = func(*args, **kwargs)
            return code
        except ReconcileError as exc:
            run.failed(str(exc))
            raise
        finally:
            run.finish(code if isinstance(code, int) else EXIT_ERROR)
            _current.reset(token)

    return cast(F, wrapper)


# -- validate --------------------------------------------------------------------------------


def after_validate(markdown: str) -> None:
    current_run().add_summary(markdown)
