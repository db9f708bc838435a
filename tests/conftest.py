"""Shared test helpers: writing desired-state trees and running the real CLI in-process."""

from __future__ import annotations

import logging
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from reconciler.cli import run


@pytest.fixture(autouse=True)
def _fresh_reconciler_logger() -> Iterator[None]:
    """Each CLI run configures the `reconciler` logger (its own handler, no propagation): put it
    back after every test, so a test that reads logs (caplog) does not depend on test order."""
    yield
    logger = logging.getLogger("reconciler")
    logger.handlers.clear()
    logger.setLevel(logging.NOTSET)
    logger.propagate = True


SAMPLE_DIR = Path(__file__).resolve().parent.parent / "desired-state"


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    def invoke(*args: str) -> CliResult:
        capsys.readouterr()
        code = run(list(args))
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return invoke


@pytest.fixture
def write_tree(tmp_path: Path) -> Callable[[dict[str, str | bytes]], Path]:
    """Write {relative path: YAML text or bytes} under a fresh desired-state directory."""

    def write(files: dict[str, str | bytes]) -> Path:
        root = tmp_path / "desired"
        root.mkdir(exist_ok=True)
        for name, content in files.items():
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
        return root

    return write
