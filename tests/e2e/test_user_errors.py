"""A user's mistake with a file is a one-line error that says what to do (exit 1), never an
"internal error … please report it"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.test_plan_apply import converge


def test_plan_out_into_a_missing_directory(cli, graph_env, sample) -> None:
    graph_env.requests_log.clear()
    result = cli("plan", "--out", "nodir/plan.json")
    assert result.code == 1
    assert "--out nodir/plan.json: the directory nodir does not exist" in result.err
    assert "internal error" not in result.err
    assert len(graph_env.requests_log) == 0  # refused before the tenant was read


def test_plan_out_onto_a_directory(cli, graph_env, sample) -> None:
    Path("adir").mkdir()
    result = cli("plan", "--out", "adir")
    assert result.code == 1 and "--out adir is a directory" in result.err


@pytest.mark.parametrize(
    ("content", "what"),
    [
        ("", "it is empty"),
        ('{"value": [{"displayName": "x"}]}', "it looks like a Graph response"),
        ('{"displayName": "x", "dataProvider": {}}', "it looks like a profile"),
        ("[1, 2]", "it is JSON, but not a plan"),
        ("not json at all", "it is not JSON"),
    ],
)
def test_apply_plan_on_a_file_that_is_not_a_plan(cli, graph_env, sample, content, what) -> None:
    Path("thing.json").write_text(content)
    result = cli("apply", "--plan", "thing.json", "--auto-approve")
    assert result.code == 1
    assert (
        f"error: thing.json is not a plan written by `edusync-reconcile plan --out` ({what})"
        in result.err
    )
    assert "format_version" not in result.err and "internal error" not in result.err


def test_apply_plan_on_a_profile_never_suggests_overwriting_it(cli, graph_env, sample) -> None:
    result = cli("apply", "--plan", "desired-state/test-profile.yaml", "--auto-approve")
    assert result.code == 1
    assert "(it looks like a desired-state YAML profile)" in result.err
    assert "--out desired-state" not in result.err and "--out plan.json" in result.err


def test_apply_plan_on_a_directory_or_a_missing_file(cli, graph_env, sample) -> None:
    Path("adir").mkdir()
    assert "adir is a directory, not a plan file" in cli("apply", "--plan", "adir").err
    assert "plan file nope.json does not exist" in cli("apply", "--plan", "nope.json").err


def test_a_plan_from_another_version(cli, graph_env, sample) -> None:
    converge(cli)
    assert cli("plan", "--out", "plan.json").code == 0
    document = json.loads(Path("plan.json").read_text())
    Path("plan.json").write_text(json.dumps(document | {"format_version": 2}))
    result = cli("apply", "--plan", "plan.json")
    assert "was written by another version of edusync-reconcile (plan format 2" in result.err


def test_any_file_error_is_one_plain_line(cli, tmp_path, monkeypatch) -> None:
    cache = tmp_path / "cache-dir"
    cache.mkdir()
    monkeypatch.setenv("EDUSYNC_TOKEN_CACHE", str(cache))
    result = cli("logout")
    assert result.code == 1
    assert result.err.startswith(f"error: the token cache {cache} is a directory, not a file")
    assert "internal error" not in result.err
    assert len(result.err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("document", "what"),
    [
        ({"format_version": 1, "problems": []}, "the output of `validate --format json`"),
        (
            {"format_version": 1, "objects": [], "summary": {}},
            "the output of `status --format json`",
        ),
        (
            {"format_version": 1, "plan": None, "outcomes": []},
            "an apply report (`apply --format json`)",
        ),
    ],
)
def test_apply_plan_on_another_json_document_names_it(
    cli, graph_env, sample, document, what
) -> None:
    Path("thing.json").write_text(json.dumps(document))
    result = cli("apply", "--plan", "thing.json", "--auto-approve")
    assert result.code == 1 and f"(it is {what})" in result.err
    assert "damaged" not in result.err


def test_plan_out_below_a_file(cli, graph_env, sample) -> None:
    result = cli("plan", "--out", "desired-state/powerschool.yaml/p.json")
    assert result.code == 1
    assert "desired-state/powerschool.yaml is a file, not a directory" in result.err
    assert "mkdir" not in result.err


def test_a_token_cache_that_is_a_directory(cli, graph_env, sample, monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("EDUSYNC_ACCESS_TOKEN")
    monkeypatch.setenv("EDUSYNC_CREDENTIAL", "cache")
    monkeypatch.setenv("EDUSYNC_TOKEN_CACHE", str(tmp_path))
    result = cli("plan")
    assert result.code == 1
    assert f"the token cache {tmp_path} is a directory, not a file" in result.err
    assert "Errno" not in result.err
    logout = cli("logout")
    assert logout.code == 1 and "is a directory, not a file" in logout.err
