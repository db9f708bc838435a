"""Ctrl-C before `apply` writes anything: say so plainly instead of click's bare `Aborted.`.

Once the writes begin, the executor reports an interrupt itself (what was done, what was not);
after that point a Ctrl-C is left as it was, since something has been written.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar, cast

import click

from reconciler.errors import ReconcileError

F = TypeVar("F", bound=Callable[..., Any])

_writing: ContextVar[bool] = ContextVar("writing", default=False)


class InterruptedBeforeWriting(ReconcileError):
    """Ctrl-C (or Ctrl-C/Ctrl-D at the approval prompt) before the first write."""


def writes_begin() -> None:
    """Called just before the executor sends its first write: from here on the executor
    reports an interrupt with what it did."""
    _writing.set(True)


def nothing_written_on_interrupt(message: str) -> Callable[[F], F]:
    """Wrap a command: an interrupt before `writes_begin` becomes the one-line error
    `message`, which says that nothing was written (exit 1, as before)."""

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            token = _writing.set(False)
            try:
                return func(*args, **kwargs)
            except (KeyboardInterrupt, click.exceptions.Abort):
                if _writing.get():
                    raise
                raise InterruptedBeforeWriting(message) from None
            finally:
                _writing.reset(token)

        return cast(F, wrapper)

    return decorate
