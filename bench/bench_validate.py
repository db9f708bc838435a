"""`validate` of 1,000 profile files as a whole process (never contacts Graph)."""

from __future__ import annotations

from bench.harness import Figure, Report, Settings, Target, clean_env, median_of, run_cli, workdir
from bench.workload import write_desired_tree

FILES = 1000
TARGET = Target(0.5)


def run(settings: Settings, report: Report, *, python_startup: float) -> None:
    with workdir() as root:
        tree = write_desired_tree(root, FILES)
        env = clean_env()
        result, seconds = median_of(
            settings.runs,
            lambda: run_cli(settings, ["validate", str(tree)], env=env, cwd=root).check(),
            key=lambda r: r.seconds,
        )
        if f"OK: {FILES} profile(s) in {FILES} file(s) are valid" not in result.stdout:
            raise RuntimeError(f"validate did not accept the files:\n{result.stdout[-500:]}")
        report.add(
            Figure(
                f"validate: {FILES:,} files",
                seconds,
                target=TARGET,
                floor=python_startup,
                floor_label="python -c pass",
                note=f"{seconds / FILES * 1000:.2f} ms/file; "
                f"CLI used {result.cpu_seconds:.2f} s CPU",
            )
        )
