"""One active inbound flow per academic year (`Kind.one_active_per`): a second one that is
surely active is an error at it, naming the first; one that has ended, one for another year or
one whose end comes from a variable is not. Read from real files by the real loader."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from reconciler.desired import load_desired
from reconciler.desired.one_active import one_active_problems

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "industry-data"
FLOW = (EXAMPLES / "inbound-flow-2027.yaml").read_text(encoding="utf-8")
NOW = dt.datetime(2026, 11, 29, 12, tzinfo=dt.UTC)


def _tree(tmp_path: Path, flows: dict[str, dict[str, str | None]]) -> Path:
    """The examples, plus one more flow file per entry: {file name: {member: value or None
    (left out)}} over the example flow."""
    root = tmp_path / "ds"
    shutil.copytree(EXAMPLES, root)
    for name, changes in flows.items():
        lines = []
        for written in FLOW.splitlines():
            member = written.split(":", 1)[0]
            value = changes.get(member, "")
            if member not in changes:
                lines.append(written)
            elif value is not None:
                lines.append(f"{member}: {value}")
        (root / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def _problems(root: Path) -> list[str]:
    state = load_desired(str(root), cwd=root.parent)
    return [
        f"{p.file}:{p.line}:{p.column}: {p.message}"
        for p in one_active_problems(state.objects, NOW)
    ]


def test_a_second_active_flow_for_the_year_is_named_at_it(tmp_path: Path) -> None:
    root = _tree(
        tmp_path, {"second.yaml": {"displayName": "Second 2027", "expirationDateTime": None}}
    )
    (problem,) = _problems(root)
    assert problem.startswith("ds/second.yaml:3:1: 'Second 2027' is a second active inbound flow")
    assert (
        "for year '2027' (the first is 'Contoso rostering 2026-2027', at ds/inbound-flow-2027.yaml:3:1)"
        in problem
    )
    assert "SDS allows one active inbound flow per academic year" in problem
    # …and validate refuses the tree, before anything is sent.
    state = load_desired(str(root), cwd=tmp_path)
    assert [p.message for p in state.problems if p.severity.value == "error"] == [
        problem.split(": ", 1)[1]
    ]


@pytest.mark.parametrize(
    "changes",
    [
        {"displayName": "Ended", "expirationDateTime": "2026-07-31T00:00:00Z"},  # over
        {"displayName": "Next year", "year": '{ref: "2028"}'},  # another year
        {"displayName": "From a variable", "expirationDateTime": "${FLOW_END}"},  # cannot judge
    ],
    ids=["ended", "another-year", "end-from-a-variable"],
)
def test_flows_that_cannot_clash_are_left_alone(tmp_path: Path, changes: dict[str, str]) -> None:
    assert _problems(_tree(tmp_path, {"other.yaml": changes})) == []


def test_the_year_is_compared_as_its_key_is_written_in_any_case(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "a.yaml": {"displayName": "A", "year": '{ref: "2030"}'},
            "b.yaml": {"displayName": "B", "year": "{ref: 2030}"},  # a YAML number, taken as text
        },
    )
    problems = _problems(root)
    assert len(problems) == 1 and problems[0].startswith("ds/b.yaml:3:1: 'B' is a second")
