"""Run the benchmarks by hand and print figures, floors, ratios and PASS/MISS per target.

    python bench/run.py                     # everything, median of 3 runs (about 3 minutes)
    python bench/run.py --quick             # one run of each
    python bench/run.py --only plan-1k --only startup --runs 5

Every CLI figure times a whole `edusync-reconcile` process against the built-in emulator served
from this process on 127.0.0.1. A MISS is reported, never raised: timing is not a test. The exit
status is 1 only when a benchmark could not run or the CLI answered something unexpected.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):  # `python bench/run.py`: make `bench` and `reconciler` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import (
    bench_apply,
    bench_diff,
    bench_emulator,
    bench_plan,
    bench_startup,
    bench_validate,
)
from bench.harness import (
    Report,
    Settings,
    byte_compile_package,
    default_launcher,
    interpreter_startup,
)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _machine() -> str:
    return (
        f"{os.cpu_count()} CPU(s), {_cpu_model()}; Python {platform.python_version()} "
        f"({platform.python_implementation()}), {platform.system()} {platform.release()}"
    )


def _benchmarks(startup: float) -> dict[str, Callable[[Settings, Report], None]]:
    return {
        "emulator": bench_emulator.run,
        "startup": lambda s, r: bench_startup.run(s, r, python_startup=startup),
        "validate": lambda s, r: bench_validate.run(s, r, python_startup=startup),
        "plan-1k": lambda s, r: bench_plan.run(s, r, sizes=(1000,)),
        "plan-10k": lambda s, r: bench_plan.run(s, r, sizes=(10_000,)),
        "apply": bench_apply.run,
        "diff": bench_diff.run,
    }


NAMES = ("emulator", "startup", "validate", "plan-1k", "plan-10k", "apply", "diff")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one run of each (default: 3)")
    parser.add_argument("--runs", type=int, default=None, help="runs per figure (median)")
    parser.add_argument(
        "--only", action="append", choices=NAMES, default=None, help="run only this (repeatable)"
    )
    parser.add_argument(
        "--module",
        action="store_true",
        help="start the CLI as `python -m reconciler` instead of the console script",
    )
    args = parser.parse_args(argv)
    runs = args.runs or (1 if args.quick else 3)
    launcher = (sys.executable, "-m", "reconciler") if args.module else default_launcher()
    settings = Settings(runs=runs, quick=args.quick, launcher=launcher)
    print(f"machine: {_machine()}")
    print(f"CLI: {' '.join(launcher)}; median of {runs} run(s)")
    byte_compile_package()
    startup = interpreter_startup(runs)
    print(f"interpreter start-up (python -c pass): {startup:.3f} s")
    report = Report()
    failed: list[str] = []
    benchmarks = _benchmarks(startup)
    for name in args.only or NAMES:
        print(f"{name}:", flush=True)
        started = time.perf_counter()
        try:
            benchmarks[name](settings, report)
        except Exception as exc:
            failed.append(name)
            print(f"  FAILED: {type(exc).__name__}: {exc}", flush=True)
        print(f"  ({time.perf_counter() - started:.0f} s)", flush=True)
    targets = [f for f in report.figures if f.target is not None]
    misses = report.misses()
    print(f"\n{len(targets) - len(misses)}/{len(targets)} targets met.")
    for figure in misses:
        print(f"  MISS: {figure.name}")
    for name in failed:
        print(f"  FAILED TO RUN: {name}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
