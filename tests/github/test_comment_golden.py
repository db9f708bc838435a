"""The pull-request comment as reviewers see it, made end to end from the built-in emulator (a
tenant that drifted, an unmanaged legacy profile, a profile whose sync is in error) with the
date pinned. The README's example is this file. Regenerate on purpose with UPDATE_GOLDEN=1 and
review the diff."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

from reconciler.commands.common import compute_plan
from reconciler.desired import load_desired
from reconciler.emulator import Emulator
from reconciler.github.health import read_sync_health
from reconciler.github.phrases import describe_plan
from reconciler.github.record import parse_record, record_of, render_record
from reconciler.github.report import Where, plan_comment
from reconciler.github.school_checks import plan_warnings
from reconciler.graph import GraphClient
from reconciler.identity import Identity, Permission, StaticTokenProvider
from reconciler.kinds import REGISTRY
from reconciler.render.plan_json import plan_document
from reconciler.settings import FileSettings, resolve_settings
from tests.github.conftest import TREE

GOLDEN = Path(__file__).resolve().parent / "golden" / "pr-comment.md"
TODAY = dt.date(2026, 6, 15)
GRAPH = "https://graph.microsoft.com/beta"
IDS = {
    "Contoso PowerSchool 2025-26": "0b8f8d3c-5a0e-4c43-9a5e-2f1d6c7b8a90",
    "Fabrikam OneRoster": "6d2e4f1a-8b3c-4d5e-9f60-718293a4b5c6",
    "Test Profile": "9c1b2a3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d",
}
LEGACY = "3a4b5c6d-7e8f-4a1b-9c2d-3e4f5a6b7c8d"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new))


def _comment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    tree = tmp_path / "desired-state"
    shutil.copytree(TREE, tree)
    monkeypatch.chdir(tmp_path)
    with Emulator(token="t0ken", page_size=2, provisioning_delay=0) as emulator:
        # The tenant as git had it before this pull request.
        for obj in load_desired("desired-state").objects:
            body = {**obj.body, "id": IDS[obj.name]}
            status = "error" if obj.name == "Fabrikam OneRoster" else "success"
            emulator.tenant.seed_profile(body, status=status)
        emulator.tenant.add_error(IDS["Fabrikam OneRoster"])
        emulator.tenant.add_error(IDS["Fabrikam OneRoster"])
        legacy = {
            **load_desired("desired-state/test-profile.yaml").objects[0].body,
            "id": LEGACY,
            "displayName": "Legacy CSV 2023-24",
        }
        emulator.tenant.seed_profile(legacy)
        # The pull request: a licence for teachers, a new school, a school year that is off,
        # an expiry date soon, one student property swapped, and --prune.
        ps = tree / "powerschool.yaml"
        _edit(
            ps,
            "skuIds: [94763226-9b3c-4e75-a931-5c89701abe66]",
            "skuIds: [94763226-9b3c-4e75-a931-5c89701abe66, 78e66a63-337a-4a9a-8959-41c6654dfb56]",
        )
        _edit(ps, 'schoolsIds: ["101", "102", "205"]', 'schoolsIds: ["101", "102", "205", "301"]')
        _edit(ps, "expirationDate: 2026-07-31", "expirationDate: 2026-07-10")
        _edit(ps, 'schoolYear: "2026"', 'schoolYear: "2024"')
        _edit(tree / "test-profile.yaml", "- Middle Name", "- Grade")
        state = load_desired("desired-state")
        settings = resolve_settings(
            env={"EDUSYNC_GRAPH_URL": emulator.base_url}, file=FileSettings()
        )
        identity = Identity(Permission.UNKNOWN, "test")
        client = GraphClient(emulator.base_url, StaticTokenProvider("t0ken", identity))
        try:
            plan = compute_plan(
                client,
                state,
                settings,
                prune=True,
                targets=(),
                identity=identity,
                registry=REGISTRY,
            )
            health = read_sync_health(client, plan)
        finally:
            client.close()
    document = plan_document(plan) | {"graph_url": GRAPH}
    return plan_comment(
        plan,
        Where(
            "desired-state",
            "3f9c2ab17e44d0c5",
            "https://github.com/district/sds-config/actions/runs/4242",
        ),
        sentences=describe_plan(plan),
        warnings=plan_warnings(plan, TODAY, health),
        record_line=render_record(record_of(document), 16_000),
    )


def test_pull_request_comment_golden(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    body = _comment(tmp_path, monkeypatch)
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(body)
    assert body == GOLDEN.read_text()
    record = parse_record(body)
    assert record is not None and [c["name"] for c in record["changes"]] == [
        "Contoso PowerSchool 2025-26",
        "Legacy CSV 2023-24",
        "Test Profile",
    ]


def test_readme_and_docs_show_the_generated_comment() -> None:
    golden = GOLDEN.read_text()
    top = [
        line
        for line in golden.split("#### Details")[0].strip().split("\n")
        if not line.startswith("<!--")
    ]
    quoted = "\n".join(f"> {line}" if line else ">" for line in top)
    root = GOLDEN.parents[3]
    assert quoted in (root / "README.md").read_text()
    assert golden in (root / "docs" / "github-actions.md").read_text()
