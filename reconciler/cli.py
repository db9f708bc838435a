"""The command line: parse, load the one subcommand asked for, call it, map errors to exit codes.

Exit codes (product contract): 0 success/no changes, 1 any error, 2 only for
`plan --detailed-exitcode` with pending changes, 64 when the parser rejects the call.
Subcommands are imported only when they run (`--help` lists them from a table), so start-up
pays for click and nothing else.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

import click

from reconciler import __version__
from reconciler.collector import collect_less_often
from reconciler.commands.base import (
    CLOUD_CHOICES,
    EXIT_ERROR,
    EXIT_OK,
    EXIT_USAGE,
    describe_os_error,
    global_options,
)
from reconciler.errors import ReconcileError
from reconciler.settings import CREDENTIAL_CHOICES, LOG_LEVELS, OutputFormat, UpdateMethod

if TYPE_CHECKING:  # the kind models load only when a command needs them (--help does not)
    from reconciler.kinds.registry import Registry

log = logging.getLogger("reconciler")


@dataclass(frozen=True)
class CommandSpec:
    module: str
    attr: str
    short_help: str


#: Every subcommand, in --help order. `short_help` is repeated here so that --help needs no
#: import; a test checks it against each command's own.
COMMANDS: dict[str, CommandSpec] = {
    "validate": CommandSpec(
        "validate_cmd", "validate", "Check the desired-state files; never contacts Graph."
    ),
    "plan": CommandSpec("plan_cmd", "plan", "Show what would change in the tenant (reads only)."),
    "apply": CommandSpec(
        "apply_cmd",
        "apply",
        "Carry out a plan (create, update, replace, delete, pause/resume).",
    ),
    "export": CommandSpec(
        "export_cmd", "export", "Write the tenant's objects as desired-state YAML (reads only)."
    ),
    "status": CommandSpec(
        "status_cmd",
        "status",
        "State, sync status, last sync and errors per object (reads only).",
    ),
    "doctor": CommandSpec(
        "doctor_cmd",
        "doctor",
        "Check everything a run needs: settings, identity, network, each kind's API.",
    ),
    "login": CommandSpec(
        "auth_cmd", "login", "Sign in as an admin with a device code (delegated token cache)."
    ),
    "logout": CommandSpec(
        "auth_cmd", "logout", "Forget the delegated sign-in (delete the token cache)."
    ),
    "demo": CommandSpec(
        "demo_cmd", "demo", "Run validate → plan → apply → plan against the built-in emulator."
    ),
    "emulator": CommandSpec(
        "emulator_cmd", "emulator", "Serve the built-in Graph emulator on 127.0.0.1 until stopped."
    ),
    "schema": CommandSpec("schema_cmd", "schema", "Print the JSON Schema for desired-state files."),
    "convert-classic": CommandSpec(
        "convert_cmd",
        "convert_classic",
        "Translate classic profile YAML to Industry Data YAML (never contacts Graph).",
    ),
}


def load_command(name: str) -> click.Command:
    spec = COMMANDS[name]
    module = importlib.import_module(f"reconciler.commands.{spec.module}")
    command: click.Command = getattr(module, spec.attr)
    return command


class LazyGroup(click.Group):
    """Imports a subcommand's module only when that subcommand is used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return load_command(cmd_name) if cmd_name in COMMANDS else None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, spec.short_help) for name, spec in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="edusync-reconcile")
@global_options
def cli() -> None:
    """GitOps for Microsoft School Data Sync: new SDS's Industry Data objects and the classic
    synchronization profiles.

    The desired configuration lives as YAML in git (default ./desired-state). `plan` shows what
    would change in the tenant, `apply` makes it so.

    \b
    Quick start (no tenant needed):
      edusync-reconcile demo
    Against a tenant:
      edusync-reconcile login
      edusync-reconcile validate desired-state
      edusync-reconcile plan desired-state --out plan.json
      edusync-reconcile apply --plan plan.json
    Shell completion (bash; also zsh_source, fish_source):
      eval "$(_EDUSYNC_RECONCILE_COMPLETE=bash_source edusync-reconcile)"
    """
    _validate_environment()


_ENV_CHOICES = {
    "EDUSYNC_FORMAT": tuple(f.value for f in OutputFormat),
    "EDUSYNC_CLOUD": CLOUD_CHOICES,
    "EDUSYNC_UPDATE_METHOD": tuple(m.value for m in UpdateMethod),
    "EDUSYNC_CREDENTIAL": CREDENTIAL_CHOICES,
    "EDUSYNC_LOG_LEVEL": LOG_LEVELS,
}


def _validate_environment() -> None:
    """A bad EDUSYNC_* value is a usage error (exit 64) for every command, used or not."""
    for name, choices in _ENV_CHOICES.items():
        value = os.environ.get(name, "").strip()
        if value and value.lower() not in choices:
            raise click.BadParameter(
                f"{value!r} is not one of {', '.join(choices)}", param_hint=name
            )
    parallelism = os.environ.get("EDUSYNC_PARALLELISM", "").strip()
    if parallelism and (not parallelism.isdigit() or int(parallelism) < 1):
        raise click.BadParameter(
            f"{parallelism!r} is not a whole number of at least 1", param_hint="EDUSYNC_PARALLELISM"
        )


def run(args: list[str] | None = None, *, registry: Registry | None = None) -> int:
    """Run the CLI and return its exit code (never raises SystemExit). `registry`: the kinds
    to know instead of the product's (tests hand in their own)."""
    try:
        result = cli.main(
            args=args,
            prog_name="edusync-reconcile",
            standalone_mode=False,
            obj={"registry": registry} if registry is not None else None,
        )
    except click.exceptions.NoArgsIsHelpError as exc:
        # No subcommand is a usage error (64); the help says what to type.
        click.echo(exc.ctx.get_help() if exc.ctx else str(exc), err=True)
        return EXIT_USAGE
    except click.UsageError as exc:
        exc.show()
        from reconciler.commands.json_failure import usage_error_document

        given = sys.argv[1:] if args is None else args
        usage_error_document(given, os.environ.get("EDUSYNC_FORMAT", ""), exc)
        return EXIT_USAGE
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except SystemExit as exc:  # shell completion (_EDUSYNC_RECONCILE_COMPLETE) exits by itself
        return exc.code if isinstance(exc.code, int) else EXIT_OK
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
    except OSError as exc:  # a file or port the user named: theirs to fix, not a bug
        if log.isEnabledFor(logging.DEBUG):
            log.exception("failed")
        click.echo(f"error: {describe_os_error(exc)}", err=True)
        return EXIT_ERROR
    except Exception as exc:  # a bug: say so plainly, full detail only with --debug
        from reconciler.logsetup import redact

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
    collect_less_often()  # a batch run: see reconciler/collector.py (`emulator` sets it back)
    sys.exit(run())
