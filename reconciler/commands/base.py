"""What every subcommand shares: exit codes and the options defined once for all of them.

Commands import from here, never from `reconciler.cli` (the CLI loads commands lazily, so the
dependency runs one way only: cli → commands).
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click
from click.core import ParameterSource

from reconciler.logsetup import configure_logging
from reconciler.settings import (
    CREDENTIAL_CHOICES,
    LOG_LEVELS,
    OutputFormat,
    UpdateMethod,
    graph_url_problem,
)

if TYPE_CHECKING:  # the kind models load only when a command needs them
    from reconciler.kinds.registry import Registry

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_CHANGES = 2
EXIT_USAGE = 64

CLOUD_CHOICES = ("global", "usgov", "usgovdod", "china")

F = TypeVar("F", bound=Callable[..., Any])


# Global options are accepted before and after the subcommand; the later one on the command
# line wins, and a flag anywhere beats the environment (each copy of the option reads it).
def _remember(key: str) -> Callable[[click.Context, click.Parameter, Any], Any]:
    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        if value is None or value is False:
            return value
        root = ctx.find_root()
        root.ensure_object(dict)
        from_flag = ctx.get_parameter_source(param.name or key) is ParameterSource.COMMANDLINE
        flagged: set[str] = root.obj.setdefault("_from_flag", set())
        if from_flag or key not in flagged:
            root.obj[key] = value
            if from_flag:
                flagged.add(key)
        return value

    return callback


def _graph_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A malformed --graph-url / EDUSYNC_GRAPH_URL is a usage error (exit 64) at parse time."""
    if value is not None:
        problem = graph_url_problem(value)
        if problem:
            source = ctx.get_parameter_source(param.name or "graph_url")
            hint = "EDUSYNC_GRAPH_URL" if source is ParameterSource.ENVIRONMENT else None
            raise click.BadParameter(problem, ctx=ctx, param=param, param_hint=hint)
    return _remember("graph_url")(ctx, param, value)  # type: ignore[no-any-return]


def _from_environment(ctx: click.Context | None, param: click.Parameter) -> bool:
    if ctx is None or param.name is None:
        return False
    return ctx.get_parameter_source(param.name) is ParameterSource.ENVIRONMENT


class _EnvChoice(click.Choice):  # type: ignore[type-arg]
    """A choice whose error names the environment variable when the value came from there
    (`Invalid value for EDUSYNC_CLOUD`), not the option the admin never typed."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter as exc:
            envvar = param.envvar if param is not None else None
            if isinstance(envvar, str) and param is not None and _from_environment(ctx, param):
                exc.param_hint = envvar
            raise


def _global_options(func: F, *, graph_hidden: bool) -> F:
    options = [
        click.option(
            "--graph-url",
            envvar="EDUSYNC_GRAPH_URL",
            show_envvar=True,
            metavar="URL",
            help="Graph root including version (default per --cloud: https://graph.microsoft.com/beta).",
            callback=_graph_url,
            expose_value=False,
            hidden=graph_hidden,
        ),
        click.option(
            "--cloud",
            envvar="EDUSYNC_CLOUD",
            show_envvar=True,
            type=_EnvChoice(CLOUD_CHOICES, case_sensitive=False),
            help="National cloud: sets the Graph host and login authority (default: global).",
            callback=_remember("cloud"),
            expose_value=False,
            hidden=graph_hidden,
        ),
        click.option(
            "--credential",
            envvar="EDUSYNC_CREDENTIAL",
            show_envvar=True,
            type=_EnvChoice(CREDENTIAL_CHOICES, case_sensitive=False),
            help="Credential source to use instead of the first that matches (default: auto).",
            callback=_remember("credential"),
            expose_value=False,
            hidden=graph_hidden,
        ),
        click.option(
            "-v",
            "--verbose",
            is_flag=True,
            default=False,
            help="Log progress and every HTTP call to stderr.",
            callback=_remember("verbose"),
            expose_value=False,
        ),
        click.option(
            "--debug",
            is_flag=True,
            default=False,
            help="Log request and response details (secrets redacted) and show tracebacks.",
            callback=_remember("debug"),
            expose_value=False,
        ),
        click.option(
            "--no-color",
            "--no-colour",
            "no_color",
            is_flag=True,
            default=False,
            help="No colour in the output (also: the NO_COLOR environment variable).",
            callback=_remember("no_color"),
            expose_value=False,
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def global_options(func: F) -> F:
    """--graph-url, --cloud, --credential, -v, --debug, --no-color: for commands that talk to
    Graph."""
    return _global_options(func, graph_hidden=False)


def offline_options(func: F) -> F:
    """The same options for commands that never contact Graph: the Graph ones are still
    accepted (they may come first on any command line) but not offered in --help."""
    return _global_options(func, graph_hidden=True)


def format_option(func: F) -> F:
    return click.option(
        "--format",
        "output_format",
        envvar="EDUSYNC_FORMAT",
        show_envvar=True,
        type=click.Choice([f.value for f in OutputFormat], case_sensitive=False),
        default=None,
        help="Output format (default: text).",
    )(func)


def quiet_option(func: F) -> F:
    return click.option(
        "-q",
        "--quiet",
        is_flag=True,
        default=False,
        help="Only changes, warnings and errors: no sign-in line, no up-to-date or unmanaged "
        "lists, no progress.",
    )(func)


def colour_wanted(ctx: click.Context | None = None) -> bool:
    """False when --no-color was given anywhere on the command line, or NO_COLOR is set."""
    if "NO_COLOR" in os.environ:
        return False
    ctx = ctx or click.get_current_context(silent=True)
    return not (ctx is not None and options_of(ctx).get("no_color"))


def parallelism_option(func: F) -> F:
    return click.option(
        "--parallelism",
        envvar="EDUSYNC_PARALLELISM",
        show_envvar=True,
        type=click.IntRange(min=1),
        default=None,
        help="Concurrent Graph calls (default 4).",
    )(func)


def update_method_option(func: F) -> F:
    return click.option(
        "--update-method",
        envvar="EDUSYNC_UPDATE_METHOD",
        show_envvar=True,
        type=click.Choice([m.value for m in UpdateMethod], case_sensitive=False),
        default=None,
        help="put: PUT …/{id} with the whole object (default); patch: changed properties only.",
    )(func)


def options_of(ctx: click.Context) -> dict[str, Any]:
    root = ctx.find_root()
    root.ensure_object(dict)
    return dict(root.obj)


def registry_of(ctx: click.Context) -> Registry:
    """The kinds this run knows: the product's, unless `run(args, registry=…)` gave others."""
    from reconciler.kinds.registry import Registry

    registry = options_of(ctx).get("registry")
    if isinstance(registry, Registry):
        return registry
    from reconciler.kinds import REGISTRY  # the kind models load only when a command needs them

    return REGISTRY


def log_level(ctx: click.Context) -> str:
    opts = options_of(ctx)
    if opts.get("debug"):
        return "debug"
    if opts.get("verbose"):
        return "info"
    level = os.environ.get("EDUSYNC_LOG_LEVEL", "").strip().lower() or "warning"
    if level not in LOG_LEVELS:
        raise click.BadParameter(
            f"{level!r} is not one of {', '.join(LOG_LEVELS)}", param_hint="EDUSYNC_LOG_LEVEL"
        )
    return level


def start_logging(ctx: click.Context) -> None:
    configure_logging(log_level(ctx))


_OS_HINTS = {
    errno.ENOENT: "check the path: it, or a directory in it, does not exist",
    errno.EACCES: "check the permissions of the file and its directory",
    errno.EPERM: "check the permissions of the file and its directory",
    errno.EISDIR: "it is a directory: give a file",
    errno.ENOTDIR: "a part of the path is a file, not a directory",
    errno.ENOSPC: "the disk is full",
    errno.EROFS: "the file system is read-only: choose another place",
    errno.EADDRINUSE: "that port is taken: choose another one (or 0 for any free port)",
}


def describe_os_error(exc: OSError, doing: str = "") -> str:
    """An operating-system error as one line that says what to do: a file the admin named
    cannot be read or written, which is theirs to fix and not a bug to report."""
    what = f"{doing}: " if doing else ""
    where = f"{exc.filename}: " if exc.filename else ""
    reason = exc.strerror or str(exc)
    hint = _OS_HINTS.get(exc.errno or 0)
    return f"{what}{where}{reason}" + (f" ({hint})" if hint else "")
