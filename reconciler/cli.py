"""The command line: parse, build collaborators, call a command, map errors to exit codes.

Exit codes (product contract): 0 success/no changes, 1 any error, 2 only for
`plan --detailed-exitcode` with pending changes, 64 when the parser rejects the call.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click
from click.core import ParameterSource

from reconciler import __version__
from reconciler.errors import ReconcileError
from reconciler.logsetup import configure_logging, redact
from reconciler.settings import LOG_LEVELS, OutputFormat, UpdateMethod

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_CHANGES = 2
EXIT_USAGE = 64

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger("reconciler")


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


def _global_options(func: F, *, graph_hidden: bool) -> F:
    options = [
        click.option(
            "--graph-url",
            envvar="EDUSYNC_GRAPH_URL",
            metavar="URL",
            help="Graph root including version (default per --cloud: https://graph.microsoft.com/beta).",
            callback=_remember("graph_url"),
            expose_value=False,
            hidden=graph_hidden,
        ),
        click.option(
            "--cloud",
            envvar="EDUSYNC_CLOUD",
            type=click.Choice(["global", "usgov", "usgovdod", "china"], case_sensitive=False),
            help="National cloud: sets the Graph host and login authority (default: global).",
            callback=_remember("cloud"),
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
    ]
    for option in reversed(options):
        func = option(func)
    return func


def global_options(func: F) -> F:
    """--graph-url, --cloud, -v, --debug: for commands that talk to Graph or sign in."""
    return _global_options(func, graph_hidden=False)


def offline_options(func: F) -> F:
    """The same options for commands that never contact Graph: --graph-url and --cloud are
    still accepted (they may come first on any command line) but not offered in --help."""
    return _global_options(func, graph_hidden=True)


def format_option(func: F) -> F:
    return click.option(
        "--format",
        "output_format",
        envvar="EDUSYNC_FORMAT",
        type=click.Choice([f.value for f in OutputFormat], case_sensitive=False),
        default=None,
        help="Output format (default: text).",
    )(func)


def parallelism_option(func: F) -> F:
    return click.option(
        "--parallelism",
        envvar="EDUSYNC_PARALLELISM",
        type=click.IntRange(min=1),
        default=None,
        help="Concurrent Graph calls (default 4).",
    )(func)


def update_method_option(func: F) -> F:
    return click.option(
        "--update-method",
        envvar="EDUSYNC_UPDATE_METHOD",
        type=click.Choice([m.value for m in UpdateMethod], case_sensitive=False),
        default=None,
        help="put: PUT …/{id} with the whole object (default); patch: changed properties only.",
    )(func)


def options_of(ctx: click.Context) -> dict[str, Any]:
    root = ctx.find_root()
    root.ensure_object(dict)
    return dict(root.obj)


def _validate_log_level(ctx: click.Context) -> str:
    import os

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


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="edusync-reconcile")
@global_options
def cli() -> None:
    """GitOps for Microsoft School Data Sync synchronization profiles.

    Desired profiles live as YAML in git (default ./desired-state). `plan` shows what would
    change in the tenant, `apply` makes it so.

    \b
    Quick start (no tenant needed):
      edusync-reconcile demo
    Against a tenant:
      edusync-reconcile login
      edusync-reconcile validate desired-state
      edusync-reconcile plan desired-state --out plan.json
      edusync-reconcile apply --plan plan.json
    """
    _validate_environment()


_ENV_CHOICES = {
    "EDUSYNC_FORMAT": tuple(f.value for f in OutputFormat),
    "EDUSYNC_CLOUD": ("global", "usgov", "usgovdod", "china"),
    "EDUSYNC_UPDATE_METHOD": tuple(m.value for m in UpdateMethod),
}


def _validate_environment() -> None:
    """A bad EDUSYNC_* value is a usage error (exit 64) for every command, used or not."""
    import os

    for name, choices in _ENV_CHOICES.items():
        value = os.environ.get(name, "").strip()
        if value and value.lower() not in choices:
            raise click.BadParameter(
                f"{value!r} is not one of {', '.join(choices)}", param_hint=name
            )
    level = os.environ.get("EDUSYNC_LOG_LEVEL", "").strip()
    if level and level.lower() not in LOG_LEVELS:
        raise click.BadParameter(
            f"{level!r} is not one of {', '.join(LOG_LEVELS)}", param_hint="EDUSYNC_LOG_LEVEL"
        )
    parallelism = os.environ.get("EDUSYNC_PARALLELISM", "").strip()
    if parallelism and (not parallelism.isdigit() or int(parallelism) < 1):
        raise click.BadParameter(
            f"{parallelism!r} is not a whole number of at least 1", param_hint="EDUSYNC_PARALLELISM"
        )


def start_logging(ctx: click.Context) -> None:
    configure_logging(_validate_log_level(ctx))


def register_commands() -> None:
    from reconciler.commands import all_commands

    for command in all_commands():
        cli.add_command(command)


def run(args: list[str] | None = None) -> int:
    """Run the CLI and return its exit code (never raises SystemExit)."""
    register_commands()
    try:
        result = cli.main(args=args, prog_name="edusync-reconcile", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as exc:
        # No subcommand is a usage error (64); the help says what to type.
        click.echo(exc.ctx.get_help() if exc.ctx else str(exc), err=True)
        return EXIT_USAGE
    except click.UsageError as exc:
        exc.show()
        return EXIT_USAGE
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return EXIT_ERROR
    except click.ClickException as exc:
        exc.show()
        return EXIT_ERROR
    except ReconcileError as exc:
        if log.isEnabledFor(logging.DEBUG):
            log.exception("failed")
        click.echo(f"error: {exc}", err=True)
        return EXIT_ERROR
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        return EXIT_ERROR
    except Exception as exc:  # a bug: say so plainly, full detail only with --debug
        if log.isEnabledFor(logging.DEBUG):
            log.exception("internal error")
        click.echo(
            f"internal error: {type(exc).__name__}: {redact(str(exc))}. Run again with --debug "
            "for the traceback and please report it.",
            err=True,
        )
        return EXIT_ERROR
    return int(result) if isinstance(result, int) else EXIT_OK


def main() -> None:
    sys.exit(run())
