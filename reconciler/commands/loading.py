"""What a command does with the desired state before it talks to Graph: read and check it,
resolve the settings, refuse an --out it could not write; and the stderr and colour helpers.

Light on purpose (no Graph client, no engine): `plan` imports those while the files are read
(see `plan_cmd.AFTER_LOADING`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from reconciler.commands.base import colour_wanted, options_of, registry_of
from reconciler.commands.json_failure import InvalidDesiredState
from reconciler.desired import DesiredState, load_desired
from reconciler.desired.problems import Severity
from reconciler.errors import ConfigError
from reconciler.settings import FileSettings, Settings, resolve_settings


def echo_err(message: str) -> None:
    click.echo(message, err=True)


def use_colour(stream: Any = None) -> bool:
    stream = stream or sys.stdout
    return colour_wanted() and hasattr(stream, "isatty") and stream.isatty()


def style(text: str, colour: str) -> str:
    return click.style(text, fg=colour)


def load_checked(
    ctx: click.Context,
    path: str,
    *,
    strict: bool = True,
    meanwhile: Callable[[], None] | None = None,
) -> DesiredState:
    """Load the desired state; print its problems to stderr and stop (exit 1) on any error.
    `meanwhile`: work for this process while the files are read on the other cores."""
    state = load_desired(path, registry=registry_of(ctx), meanwhile=meanwhile)
    for problem in state.problems:
        echo_err(str(problem))
    if state.problems and os.environ.get("GITHUB_ACTIONS") == "true":
        from reconciler.render.problems import github_annotations

        echo_err(github_annotations(state.problems).rstrip("\n"))
    if not state.ok and strict:
        errors = sum(1 for p in state.problems if p.severity is Severity.ERROR)
        raise InvalidDesiredState(
            f"{errors} problem(s) in {path}; nothing was sent to Graph. Fix them "
            "(`edusync-reconcile validate` lists them all) and run again",
            state.problems,
        )
    return state


def settings_for(ctx: click.Context, state: DesiredState | None, **flags: Any) -> Settings:
    opts = options_of(ctx)
    return resolve_settings(
        env=os.environ,
        file=state.settings if state else FileSettings(),
        cloud_flag=opts.get("cloud"),
        graph_url_flag=opts.get("graph_url"),
        update_method_flag=flags.get("update_method"),
        parallelism_flag=flags.get("parallelism"),
        credential_flag=opts.get("credential"),
    )


def check_writable(path: str) -> None:
    """Refuse an --out FILE that cannot be written, before any work is done."""
    target = Path(path)
    parent = target.parent
    if target.is_dir():
        raise ConfigError(f"--out {path} is a directory; give a file name, e.g. {path}/plan.json")
    blocking = next((p for p in (parent, *parent.parents) if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        raise ConfigError(
            f"--out {path}: {blocking} is a file, not a directory; save the plan elsewhere, "
            "e.g. --out plan.json"
        )
    if not parent.is_dir():
        raise ConfigError(
            f"--out {path}: the directory {parent} does not exist; create it first "
            f"(mkdir -p {parent}) or choose another path"
        )
    if not os.access(parent, os.W_OK):
        raise ConfigError(f"--out {path}: the directory {parent} is not writable")
