"""Every check `doctor` makes, in the order a run meets them: settings, credential, token and
its permissions, the network, each kind's API, the desired state. A check never raises: what
goes wrong becomes a ✗ line with its fix, and what it makes impossible to check is skipped."""

from __future__ import annotations

from pathlib import Path

from reconciler.auth.sources import tenant_of
from reconciler.desired import Severity, load_desired
from reconciler.desired.secrets import variable_names
from reconciler.doctor.identity import credential_check, obtain_token, permission_checks
from reconciler.doctor.model import Check, DoctorReport, Outcome
from reconciler.doctor.network import probe
from reconciler.doctor.reach import api_checks, network_check
from reconciler.doctor.runs import runs_checks
from reconciler.doctor.state import DoctorInput, Run
from reconciler.errors import ReconcileError
from reconciler.settings import FileSettings, resolve_settings, setting_sources

__all__ = ["DoctorInput", "run_doctor"]


# -- settings ----------------------------------------------------------------------------------
def _settings(run: Run) -> None:
    inp = run.inp
    file = run.state.settings if run.state else FileSettings()
    try:
        settings = resolve_settings(
            env=inp.env,
            file=file,
            cloud_flag=inp.cloud_flag,
            graph_url_flag=inp.graph_url_flag,
            credential_flag=inp.credential_flag,
        )
    except ReconcileError as exc:
        run.add(Check("settings", "settings", Outcome.FAIL, str(exc), fix="correct that setting"))
        return
    run.settings = settings
    sources = setting_sources(
        env=inp.env,
        file=file,
        cloud_flag=inp.cloud_flag,
        graph_url_flag=inp.graph_url_flag,
        credential_flag=inp.credential_flag,
    )
    tenant = tenant_of(inp.env, settings.tenant)
    details = (
        f"cloud: {settings.cloud.name} ({sources['cloud']})",
        f"tenant: {tenant} ({sources['tenant']})"
        if tenant
        else "tenant: not set (a delegated sign-in then uses `organizations`)",
        f"update method: {settings.update_method.value} ({sources['update_method']})",
        f"parallelism: {settings.parallelism} ({sources['parallelism']})",
        f"credential: {settings.credential} ({sources['credential']})",
    )
    summary = f"graph URL {settings.graph_url} ({sources['graph_url']})"
    if not settings.cloud.sds_profiles_documented:
        run.add(
            Check(
                "settings",
                "settings",
                Outcome.WARN,
                summary,
                (
                    *details,
                    "the SDS profile API is documented for the global cloud only, "
                    f"not {settings.cloud.name}",
                ),
            )
        )
        return
    run.add(Check("settings", "settings", Outcome.OK, summary, details))


# -- desired state -----------------------------------------------------------------------------
def _load(run: Run) -> Check:
    path = run.inp.path
    title = f"desired state ({path})"
    if not Path(path).exists():
        return Check(
            "desired",
            title,
            Outcome.FAIL,
            f"{path} does not exist",
            fix="pass the directory holding your YAML (default ./desired-state), or create it "
            "from the tenant with `edusync-reconcile export`",
        )
    try:
        state = load_desired(path, registry=run.inp.kinds)
    except ReconcileError as exc:
        return Check("desired", title, Outcome.FAIL, str(exc))
    run.state = state
    errors = [p for p in state.problems if p.severity is Severity.ERROR]
    warnings = [p for p in state.problems if p.severity is Severity.WARNING]
    per_kind: dict[str, int] = {}
    for obj in state.objects:
        per_kind[obj.kind.name] = per_kind.get(obj.kind.name, 0) + 1
    counts = ", ".join(f"{n} {k} object(s)" for k, n in per_kind.items()) or "no objects"
    summary = f"{counts} in {state.files} file(s)"
    shown = tuple(str(p) for p in (*errors, *warnings)[:8])
    if errors:
        return Check(
            "desired",
            title,
            Outcome.FAIL,
            f"{summary}: {len(errors)} error(s), {len(warnings)} warning(s)",
            shown,
            fix=f"`edusync-reconcile validate {path}` lists every problem with its line",
        )
    if warnings:
        return Check(
            "desired", title, Outcome.WARN, f"{summary}: {len(warnings)} warning(s)", shown
        )
    return Check("desired", title, Outcome.OK, f"{summary}, no problems")


def _variables(run: Run) -> None:
    if run.state is None:
        return
    missing: dict[str, list[str]] = {}
    for obj in run.state.objects:
        unset = {name for name in variable_names(obj) if name not in run.inp.env}
        for line, column, names in obj.variable_places(unset):
            for name in names:
                missing.setdefault(name, []).append(f"{obj.file}:{line}:{column}")
    if not missing:
        return
    details = tuple(f"{name} ({', '.join(where)})" for name, where in sorted(missing.items()))
    run.add(
        Check(
            "variables",
            "variables",
            Outcome.FAIL if run.inp.for_apply else Outcome.WARN,
            f"apply will need {len(missing)} environment variable(s) that are not set "
            "(plan and validate do not)",
            details,
            fix="set them for the apply job (CI secrets)",
        )
    )


def run_doctor(inp: DoctorInput) -> DoctorReport:
    run = Run(inp)
    desired = _load(run)
    _settings(run)
    if run.settings is None:
        for id_, title in (
            ("credential", "credential"),
            ("token", "token"),
            ("network", "network"),
        ):
            run.skip(id_, title, "settings are wrong (see above)")
    else:
        if credential_check(run):
            obtain_token(run)
            if run.provider is not None:
                permission_checks(run)
        else:
            run.skip("token", "token", "no credential source")
        network = probe(run.settings.graph_url, inp.env)
        position = len(run.checks)
        latency = api_checks(run, network)
        run.checks.insert(position, network_check(network, latency))
        runs_checks(run, network)
    run.add(desired)
    _variables(run)
    return DoctorReport(tuple(run.checks))
