"""`convert-classic`: translate classic profile YAML into Industry Data YAML (never touches Graph).

The I/O around the pure converter (`reconciler.convert`): read PATH with the loader `validate`
uses, refuse bad input before writing anything, write one file per object, print the report.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import date
from pathlib import Path

import click

from reconciler.commands.base import (
    EXIT_OK,
    format_option,
    offline_options,
    start_logging,
)
from reconciler.commands.loading import echo_err
from reconciler.convert import ClassicProfile, convert
from reconciler.convert.files import SCHEMA_FILE, PlannedFile, plan_files
from reconciler.convert.render import report_json, report_text, summary
from reconciler.desired import DesiredObject, load_desired
from reconciler.desired.problems import Severity
from reconciler.desired.yamlsource import Path as YamlPath
from reconciler.desired.yamlsource import YamlSourceError, read_documents
from reconciler.errors import ConfigError
from reconciler.kinds import DEFAULT_KIND
from reconciler.kinds.industry_data import WITH_INDUSTRY_DATA
from reconciler.kinds.registry import Registry

Positions = dict[YamlPath, tuple[int, int]]


def load_classic(path: str) -> list[ClassicProfile]:
    """PATH's classic profiles, or ConfigError after printing every problem (nothing written)."""
    state = load_desired(path)
    for problem in state.problems:
        echo_err(str(problem))
    if not state.ok:
        errors = sum(1 for p in state.problems if p.severity is Severity.ERROR)
        raise ConfigError(
            f"{errors} problem(s) in {path}; nothing was written. Fix them "
            f"(`edusync-reconcile validate {path}` lists them all) and run again"
        )
    classic = [o for o in state.objects if o.kind.name == DEFAULT_KIND]
    others = len(state.objects) - len(classic)
    if others:
        echo_err(f"note: {others} object(s) in {path} are not classic profiles; left out")
    if not classic:
        raise ConfigError(
            f"no classic synchronization profiles in {path}; nothing was written. Give the "
            "directory (or file) holding your classic profile YAML"
        )
    positions = _positions({o.file for o in classic})
    return [_profile(o, positions.get((o.file, o.line, o.column), {})) for o in classic]


def _positions(files: set[str]) -> dict[tuple[str, int, int], Positions]:
    """Where every value of every document is written, so the report can point at each
    classic field; keyed by (file, line, column) of the document as the loader saw it."""
    found: dict[tuple[str, int, int], Positions] = {}
    for file in sorted(files):
        try:
            docs = read_documents(file, Path(file).read_bytes(), is_json=file.endswith(".json"))
        except (OSError, YamlSourceError):
            continue  # the loader read it a moment ago; the report falls back to the document
        for doc in docs:
            line, column = doc.where(())
            found[(file, line, column)] = dict(doc.positions)
    return found


def _profile(obj: DesiredObject, positions: Positions) -> ClassicProfile:
    return ClassicProfile(
        file=obj.file,
        line=obj.line,
        column=obj.column,
        body=obj.body,
        protect=obj.lifecycle.protect,
        paused=obj.lifecycle.paused,
        ignore_changes=obj.lifecycle.ignore_changes,
        positions=positions,
    )


def _check_out_dir(out_dir: Path, force: bool) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise ConfigError(f"{out_dir} is a file; --out names the directory to write into")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not force:
        raise ConfigError(
            f"{out_dir} is not empty; nothing was written. Choose a new directory, or pass "
            "--force to write into it (files of the same name are overwritten; nothing is "
            "deleted)"
        )


def _write(target: Path, text: str) -> None:
    """Whole or not at all: a temporary file beside the target, then renamed over it."""
    handle, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        Path(temp).replace(target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _write_all(out_dir: Path, files: list[PlannedFile], registry: Registry) -> None:
    from reconciler.schema import desired_state_schema

    out_dir.mkdir(parents=True, exist_ok=True)
    for file in files:
        _write(out_dir / file.name, file.text)
    _write(out_dir / SCHEMA_FILE, json.dumps(desired_state_schema(registry), indent=2) + "\n")


@click.command(
    "convert-classic",
    short_help="Translate classic profile YAML to Industry Data YAML (never contacts Graph).",
)
@click.argument("path")
@click.option(
    "--out",
    "out_dir",
    metavar="DIR",
    required=True,
    help="Directory to write the Industry Data YAML into (new or empty).",
)
@click.option(
    "--force",
    is_flag=True,
    default=False,
    help="Write into a non-empty DIR: same-named files are overwritten, nothing is deleted.",
)
@format_option
@offline_options
@click.pass_context
def convert_classic(
    ctx: click.Context, path: str, out_dir: str, force: bool, output_format: str | None
) -> int:
    """Translate classic SDS synchronization-profile YAML (PATH: a directory or one file) into
    desired state for the Industry Data kinds of new SDS, one file per object in DIR, and print
    a report: every classic field and where it went, every field with no counterpart and what
    you must decide, every value the converter guessed. Microsoft retired the classic API on
    2024-12-31 and offers no migration: this is the one-shot path.

    \b
    What becomes what:
      dataProvider          → a sourceSystem, a dataConnector and an inboundFlow per SIS
                              (profiles reading the same SIS share them; PowerSchool becomes
                              a proposed OneRoster API connector)
      identity rules        → the source system's userMatchingSettings (staff, students)
      expirationDate        → an academic year and the inbound flow's window
      identity, licences,   → a provisioningFlowSet per profile: a user flow, a class-group
      schools, classes        flow and a filter on the profile's schools

    PATH is read and checked as `validate` checks it: a problem stops the command (exit 1)
    before anything is written. ${NAME} secrets stay placeholders; their values are never
    read. DIR must be new or empty unless --force. Exits 0 when the files are written, even
    with decisions left to make. Never contacts Graph.

    \b
    Examples:
      edusync-reconcile convert-classic desired-state --out industry-data
      edusync-reconcile convert-classic desired-state/powerschool.yaml --out industry-data
      edusync-reconcile convert-classic desired-state --out industry-data --format json
    """
    start_logging(ctx)
    profiles = load_classic(path)
    target = Path(out_dir)
    _check_out_dir(target, force)
    conversion = convert(profiles, tree=path, today=date.today())
    files = plan_files(conversion.outputs)
    # The schema describes what convert writes: the Industry Data kinds (with the classic one).
    _write_all(target, files, WITH_INDUSTRY_DATA)
    fmt = (output_format or os.environ.get("EDUSYNC_FORMAT") or "text").lower()
    if fmt == "json":
        click.echo(report_json(conversion, files, out_dir, path), nl=False)
    elif fmt == "markdown":
        text = report_text(conversion, files, out_dir, path)
        click.echo(f"**{summary(conversion, len(files), out_dir)}**\n\n```text\n{text}```\n")
    else:
        click.echo(report_text(conversion, files, out_dir, path), nl=False)
    return EXIT_OK
