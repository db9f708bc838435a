"""Commands of the contract that are not built yet: present in --help, never a fake success."""

from __future__ import annotations

import click

from reconciler.commands.base import offline_options
from reconciler.errors import ReconcileError


def _not_implemented(name: str) -> ReconcileError:
    # Not "see CHANGELOG.md": that file is not installed with the package.
    return ReconcileError(
        f"`{name}` is not implemented yet in this version; `edusync-reconcile --help` lists "
        "what this version can do"
    )


@click.command(
    "convert-classic",
    short_help="Translate classic profile YAML to Industry Data YAML (not implemented yet).",
)
@click.argument("path")
@click.option("--out", "out_dir", metavar="DIR", required=True)
@offline_options
def convert_classic(path: str, out_dir: str) -> int:
    """Translate classic profile YAML into Industry Data YAML (not implemented yet).

    \b
    Example:
      edusync-reconcile convert-classic desired-state --out industry-data
    """
    raise _not_implemented("convert-classic")
