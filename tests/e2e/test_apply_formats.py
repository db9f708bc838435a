"""apply --format json/markdown, --quiet, and the approval prompt a person sees."""

from __future__ import annotations

import json

from tests.e2e.edits import move_expiration
from tests.e2e.test_plan_apply import converge, switch_test_profile_to_matching


def test_apply_json_is_one_versioned_document(cli, graph_env, sample) -> None:
    result = cli("apply", "--auto-approve", "--format", "json")
    assert result.code == 0, result.err
    document = json.loads(result.out)  # the whole of stdout: one document
    assert document["format_version"] == 1 and document["dry_run"] is False
    assert document["plan"]["summary"]["create"] == 3
    assert {o["status"] for o in document["outcomes"]} == {"done"}
    assert all(o["id"] and o["requests"][0]["method"] == "POST" for o in document["outcomes"])
    assert document["summary"]["done"] == 3 and document["next"] == []
    assert "done: create" in result.err  # progress stays on stderr


def test_apply_honours_edusync_format(cli, graph_env, sample, monkeypatch) -> None:
    converge(cli)
    monkeypatch.setenv("EDUSYNC_FORMAT", "json")
    result = cli("apply", "--auto-approve")
    document = json.loads(result.out)
    assert document["outcomes"] == [] and document["plan"]["summary"]["noop"] == 3


def test_a_refused_apply_still_writes_one_json_document(cli, graph_env, sample) -> None:
    converge(cli)
    switch_test_profile_to_matching(sample)
    result = cli("apply", "--auto-approve", "--format", "json")
    assert result.code == 1
    document = json.loads(result.out)
    assert "--allow-replace" in document["error"] and document["outcomes"] == []


def test_dry_run_json_lists_the_requests_with_secrets_masked(cli, graph_env, sample) -> None:
    result = cli("apply", "--dry-run", "--format", "json")
    assert result.code == 0, result.err
    document = json.loads(result.out)
    assert document["dry_run"] is True
    bodies = [r["body"] for o in document["outcomes"] for r in o["requests"]]
    assert len(bodies) == 3 and "(sensitive)" in json.dumps(bodies)
    assert graph_env.requests_log.count_writes() == 0


def test_apply_markdown_has_the_plan_and_the_report(cli, graph_env, sample) -> None:
    result = cli("apply", "--auto-approve", "--format", "markdown")
    assert result.code == 0
    assert "### edusync-reconcile plan" in result.out
    assert "### edusync-reconcile apply" in result.out and "- **done**: create" in result.out


def test_quiet_shows_only_changes(cli, graph_env, sample) -> None:
    converge(cli)
    (sample / "oneroster.yaml").unlink()  # now unmanaged
    ps = sample / "powerschool.yaml"
    move_expiration(ps)
    loud = cli("plan")
    assert "is up to date" in loud.out and "Unmanaged" in loud.out and "Graph " in loud.err
    quiet = cli("plan", "--quiet")
    assert "is up to date" not in quiet.out and "Unmanaged" not in quiet.out
    assert "expirationDate" in quiet.out and "Plan: 0 to create, 1 to update" in quiet.out
    assert quiet.err == ""
    applied = cli("apply", "-q", "--auto-approve")
    assert applied.code == 0 and applied.err == ""
    assert "is up to date" not in applied.out and "Apply report:" in applied.out
