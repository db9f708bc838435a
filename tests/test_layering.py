"""Which module may import which: the engine is pure and takes its kinds as a parameter; the
CLI loads commands, never the other way round."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "reconciler"


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def _modules(folder: str) -> list[Path]:
    return sorted((PACKAGE / folder).glob("*.py"))


def test_the_engine_never_reads_files_the_network_or_the_global_registry() -> None:
    forbidden = {
        "reconciler.kinds",  # the product's registry: the engine is handed one
        "reconciler.desired",
        "reconciler.desired.loader",
        "reconciler.graph",
        "reconciler.tenant",
        "requests",
    }
    offenders = {
        path.name: sorted(_imports(path) & forbidden)
        for path in _modules("engine")
        if _imports(path) & forbidden
    }
    assert offenders == {}


def test_commands_never_import_the_cli() -> None:
    offenders = [p.name for p in _modules("commands") if "reconciler.cli" in _imports(p)]
    assert offenders == []
