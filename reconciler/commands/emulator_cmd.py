"""`emulator`: serve the built-in Graph emulator on 127.0.0.1 until SIGINT/SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from types import FrameType

import click

from reconciler.collector import collect_as_usual
from reconciler.commands.base import EXIT_OK, offline_options, start_logging
from reconciler.emulator import Emulator

_FAULT_STATUSES = ("429", "503")
#: What to tell a user who started the emulator without --token: any bearer is accepted.
ANY_TOKEN = "emulator"  # noqa: S105 (a placeholder: the emulator takes any bearer)


def _parse_faults(
    _ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]
) -> dict[str, float]:
    """`--fault 429=0.05 --fault 503=0.01` -> {"429": 0.05, "503": 0.01} (the last one wins)."""
    faults: dict[str, float] = {}
    for value in values:
        status, sep, probability = value.partition("=")
        try:
            chance = float(probability)
        except ValueError:
            chance = -1.0
        if not sep or status.strip() not in _FAULT_STATUSES or not 0.0 <= chance <= 1.0:
            raise click.BadParameter(
                f"{value!r}: expected 429=P or 503=P with P a probability from 0 to 1",
                param_hint="--fault",
            )
        faults[status.strip()] = chance
    return faults


def _load_demo_tenant(server: Emulator) -> str:
    """The tenant `demo` starts from (one profile as git has it, one drifted, one unmanaged)."""
    if server.tenant.snapshot():
        return "--demo not applied: the --state file already holds profiles"
    text = resources.files("reconciler.data.demo").joinpath("tenant.json").read_text("utf-8")
    profiles = json.loads(text)["profiles"]
    for profile in profiles:
        server.tenant.seed_profile(profile)
    names = ", ".join(repr(p["displayName"]) for p in profiles)
    return (
        f"Loaded the demo tenant: {names}. Its desired state is desired-state/ in the source "
        "tree (or run `edusync-reconcile demo --keep` for a copy)."
    )


def _how_to_connect(base_url: str, token: str | None) -> str:
    """The variables to set in another terminal, in that terminal's own syntax."""
    bearer = token or ANY_TOKEN
    if os.name == "nt":
        setting = f'  $env:EDUSYNC_GRAPH_URL = "{base_url}"; $env:EDUSYNC_ACCESS_TOKEN = "{bearer}"'
    else:
        setting = f"  export EDUSYNC_GRAPH_URL={base_url} EDUSYNC_ACCESS_TOKEN={bearer}"
    any_token = "" if token else " (any non-empty token is accepted)"
    return (
        f"To use it, in another terminal{any_token}:\n{setting}\n"
        "  edusync-reconcile plan desired-state"
    )


@contextmanager
def _stop_signals() -> Iterator[threading.Event]:
    """An event set by SIGINT or SIGTERM. Installed before the URL is printed, so a parent
    that stops the emulator as soon as it read the banner is obeyed; the previous handlers
    are restored afterwards."""
    stop = threading.Event()

    def handler(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


@click.command(short_help="Serve the built-in Graph emulator on 127.0.0.1 until stopped.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=0, show_default=True, help="0 = any free port."
)
@click.option(
    "--state",
    "state_file",
    metavar="FILE",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help='JSON tenant: {"profiles": [...], "industryData": {...}}, or a list of profiles. '
    "Loaded at start, saved after each write and at exit.",
)
@click.option(
    "--token", metavar="TEXT", default=None, help="Required bearer token (default: any non-empty)."
)
@click.option(
    "--page-size", type=click.IntRange(min=1), default=20, show_default=True, help="List page size."
)
@click.option(
    "--latency-ms",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Delay added to every request.",
)
@click.option(
    "--fault",
    "faults",
    metavar="STATUS=P",
    multiple=True,
    callback=_parse_faults,
    help="Answer a share P (0..1) of requests with 429 or 503, e.g. 429=0.05. Repeatable.",
)
@click.option(
    "--retry-after",
    metavar="S",
    type=click.FloatRange(min=0),
    default=None,
    help="Retry-After seconds on injected 429/503, fractions allowed (default 0.05).",
)
@click.option(
    "--demo",
    is_flag=True,
    default=False,
    help="Start with the demo tenant (the one `edusync-reconcile demo` uses).",
)
@click.option(
    "--drop-after-commit",
    metavar="N",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Carry out the next N writes, then close the connection without a response.",
)
@click.option(
    "--retired",
    is_flag=True,
    default=False,
    help="Answer the profile API as live Graph does since its retirement (400 BadRequest).",
)
@offline_options
@click.pass_context
def emulator(
    ctx: click.Context,
    port: int,
    state_file: Path | None,
    token: str | None,
    page_size: int,
    latency_ms: int,
    faults: dict[str, float],
    retry_after: float | None,
    demo: bool,
    drop_after_commit: int,
    retired: bool,
) -> int:
    """Serve the SDS APIs of Microsoft Graph (the Industry Data API of new SDS and the classic
    synchronization profiles) on 127.0.0.1 from an in-memory tenant, until interrupted (Ctrl-C
    or SIGTERM).

    The first line of output is the base URL to pass as --graph-url (or EDUSYNC_GRAPH_URL);
    stderr then says which variables to set in another terminal. Server defaults,
    @odata.type spellings, paging, errors and asynchronous provisioning follow Graph's
    documentation; faults can be switched on to test retries.

    \b
    Examples:
      edusync-reconcile emulator --demo --port 8765
      edusync-reconcile emulator --port 8765 --state tenant.json
      edusync-reconcile emulator --token secret --fault 429=0.1 --retry-after 0.5
      edusync-reconcile emulator --retired          # the classic API as live Graph answers now
      EDUSYNC_ACCESS_TOKEN=secret edusync-reconcile plan \\
          --graph-url http://127.0.0.1:8765/beta
    """
    collect_as_usual()  # a server runs for hours: its cyclic garbage goes as soon as usual
    start_logging(ctx)
    server = Emulator(
        token=token,
        page_size=page_size,
        latency_ms=latency_ms,
        state_file=state_file,
        port=port,
        retired=retired,
    )
    server.faults.p429 = faults.get("429", 0.0)
    server.faults.p503 = faults.get("503", 0.0)
    if retry_after is not None:
        server.faults.retry_after = retry_after
    server.faults.drop_after_commit = drop_after_commit
    with _stop_signals() as stop:
        base_url = server.start()
        try:
            loaded = _load_demo_tenant(server) if demo else None
            click.echo(base_url)
            sys.stdout.flush()  # the first line must reach a reading parent at once
            click.echo(f"Serving the Graph emulator at {base_url}; stop with Ctrl-C.", err=True)
            if loaded:
                click.echo(loaded, err=True)
            click.echo(_how_to_connect(base_url, token), err=True)
            while not stop.wait(0.5):
                pass
        finally:
            server.stop()
    click.echo("Emulator stopped.", err=True)
    return EXIT_OK
