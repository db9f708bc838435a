"""Start-up: `edusync-reconcile --help` and `validate --help` as whole processes."""

from __future__ import annotations

from bench.harness import Figure, Report, Run, Settings, Target, clean_env, median_of, run_cli

TARGET = Target(0.15)


def run(settings: Settings, report: Report, *, python_startup: float) -> None:
    env = clean_env()
    for args in (["--help"], ["validate", "--help"]):

        def once(args: list[str] = args) -> Run:
            return run_cli(settings, args, env=env).check()

        # Cheap: more runs for a steadier median.
        _, seconds = median_of(settings.runs * 2, once, key=lambda r: r.seconds)
        report.add(
            Figure(
                f"startup: {' '.join(args)}",
                seconds,
                target=TARGET,
                floor=python_startup,
                floor_label="python -c pass",
            )
        )
