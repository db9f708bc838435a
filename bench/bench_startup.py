"""Start-up: `edusync-reconcile --help` and `validate --help` as whole processes."""

from __future__ import annotations

from bench.harness import Figure, Report, Settings, Target, clean_env, median_of, run_cli

TARGET = Target(0.15)


def run(settings: Settings, report: Report, *, python_startup: float) -> None:
    env = clean_env()
    for args in (["--help"], ["validate", "--help"]):
        _, seconds = median_of(
            settings.runs * 2,  # cheap: more runs for a steadier median
            lambda args=args: run_cli(settings, args, env=env).check(),
            key=lambda r: r.seconds,
        )
        report.add(
            Figure(
                f"startup: {' '.join(args)}",
                seconds,
                target=TARGET,
                floor=python_startup,
                floor_label="python -c pass",
            )
        )
