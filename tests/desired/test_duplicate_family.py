"""Duplicates of new-SDS objects are named in the kind's own words: a flow set declared twice is
one error (its flows are not said again), and a flow type twice in one set is the service's
rule (no pinning advice), with the names as written."""

from __future__ import annotations

import shutil
from pathlib import Path

from reconciler.desired import load_desired

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "industry-data"


def _errors(root: Path) -> list[str]:
    state = load_desired(str(root), cwd=root.parent)
    return [
        f"{p.file}:{p.line}: {p.message}" for p in state.problems if p.severity.value == "error"
    ]


def test_a_flow_set_declared_twice_is_one_error(tmp_path: Path) -> None:
    root = tmp_path / "ds"
    shutil.copytree(EXAMPLES, root)
    shutil.copy(root / "provisioning.yaml", root / "zz-copy.yaml")
    (error,) = _errors(root)
    assert error.startswith(
        "ds/zz-copy.yaml:2: duplicate displayName 'Contoso provisioning': also declared at "
        "ds/provisioning.yaml:2:1; each flow set must be declared once (two tenant flow sets of "
        "one name: pin each with its own `id:`)"
    )


def test_a_flow_type_twice_in_one_set_names_the_rule_not_a_pin(tmp_path: Path) -> None:
    root = tmp_path / "ds"
    shutil.copytree(EXAMPLES, root)
    text = (root / "provisioning.yaml").read_text()
    user_flow = text[text.index("  # Users:") : text.index("  # Class groups:")]
    (root / "provisioning.yaml").write_text(text.replace(user_flow, user_flow * 2, 1))
    errors = [e for e in _errors(root) if "duplicate" in e]
    assert len(errors) == 1
    assert "each provisioning flow must be declared once" in errors[0]
    assert "pin" not in errors[0]
