"""`demo`: the whole loop against the built-in emulator, no tenant needed.

validate → plan → apply → plan, on a sample tenant holding one profile that matches git, one
that drifted and one that git does not manage.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from importlib import resources
from pathlib import Path

import click

from reconciler.apply import ApplyOptions
from reconciler.commands.apply_cmd import execute_plan
from reconciler.commands.base import EXIT_ERROR, EXIT_OK, offline_options, start_logging
from reconciler.commands.common import compute_plan
from reconciler.commands.interrupts import nothing_written_on_interrupt
from reconciler.commands.loading import style, use_colour
from reconciler.commands.plan_cmd import render
from reconciler.desired import load_desired
from reconciler.graph import GraphClient
from reconciler.identity import Identity, Permission, StaticTokenProvider
from reconciler.kinds import REGISTRY
from reconciler.render.problems import problems_text
from reconciler.settings import FileSettings, resolve_settings

DEMO_TOKEN = "demo-token"  # noqa: S105 (the emulator's own throwaway bearer)
#: Stand-ins for the CI secrets the sample profiles reference; masked like any secret.
DEMO_ENV = {
    "POWERSCHOOL_CLIENT_SECRET": "demo-powerschool-secret",
    "ONEROSTER_CLIENT_SECRET": "demo-oneroster-secret",
}


def _heading(text: str) -> None:
    click.echo(style(f"\n=== {text}", "cyan") if use_colour() else f"\n=== {text}")


def _seed(client: GraphClient) -> None:
    """Create the sample tenant through the API, and let it finish provisioning."""
    data = resources.files("reconciler.data.demo").joinpath("tenant.json").read_text("utf-8")
    for profile in json.loads(data)["profiles"]:
        client.write("POST", "education/synchronizationProfiles", profile)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        states = {p.get("state") for p in client.list("education/synchronizationProfiles")}
        if states <= {"provisioned"}:
            return
        time.sleep(0.1)


def _copy_sample(target: Path) -> Path:
    folder = resources.files("reconciler.data.demo")
    out = target / "desired-state"
    out.mkdir()
    for name in ("test-profile.yaml", "powerschool.yaml", "oneroster.yaml"):
        (out / name).write_text(folder.joinpath(name).read_text("utf-8"), encoding="utf-8")
    return out


@click.command(short_help="Run validate → plan → apply → plan against the built-in emulator.")
@click.option(
    "--keep",
    is_flag=True,
    default=False,
    help="Keep the sample desired-state directory and print where it is.",
)
@offline_options
@click.pass_context
@nothing_written_on_interrupt(
    "demo interrupted before its apply; nothing was written (the demo uses only its own "
    "emulator, now stopped)"
)
def demo(ctx: click.Context, keep: bool) -> int:
    """Show the whole GitOps loop with no tenant: start the built-in Graph emulator on
    127.0.0.1 with a sample tenant, then validate the sample desired state, plan, apply, and
    plan again ("No changes").

    \b
    Example:
      edusync-reconcile demo
    """
    from reconciler.emulator import Emulator

    start_logging(ctx)
    workdir = Path(tempfile.mkdtemp(prefix="edusync-demo-"))
    try:
        with Emulator(token=DEMO_TOKEN, provisioning_delay=0.3) as emulator:
            return _run(emulator.base_url, workdir)
    finally:
        if keep:
            click.echo(f"\nSample desired state kept in {workdir / 'desired-state'}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def _run(base_url: str, workdir: Path) -> int:
    tokens = StaticTokenProvider(DEMO_TOKEN, Identity(Permission.DELEGATED, "emulator demo token"))
    settings = resolve_settings(env={}, file=FileSettings(), graph_url_flag=base_url)
    click.echo(f"Built-in Graph emulator at {base_url} (sample tenant: 3 profiles)")
    client = GraphClient(base_url, tokens, pool_size=settings.parallelism)
    try:
        _seed(client)
        root = _copy_sample(workdir)

        _heading("1. validate: check the YAML in git (never contacts Graph)")
        state = load_desired(str(root))
        click.echo(problems_text(state.problems, state.files, len(state.objects)), nl=False)
        if not state.ok:
            return EXIT_ERROR

        _heading("2. plan: what would change in the tenant")
        first = compute_plan(
            client,
            state,
            settings,
            prune=False,
            targets=(),
            identity=tokens.identity,
            registry=REGISTRY,
        )
        click.echo(render(first, "text"), nl=False)

        _heading("3. apply --auto-approve: carry the plan out")
        options = ApplyOptions(parallelism=settings.parallelism, wait=True, wait_timeout=60)
        code = execute_plan(
            first,
            client,
            settings,
            tokens.identity,
            options=options,
            auto_approve=True,
            env=DEMO_ENV,
        )
        if code != EXIT_OK:
            return code

        _heading("4. plan again: the tenant now matches git")
        second = compute_plan(
            client,
            state,
            settings,
            prune=False,
            targets=(),
            identity=tokens.identity,
            registry=REGISTRY,
        )
        click.echo(render(second, "text"), nl=False)
        return EXIT_ERROR if second.has_changes else EXIT_OK
    finally:
        client.close()
