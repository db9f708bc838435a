"""`plan`/`apply --format json` write one JSON document to stdout whatever happens: a script
that parses stdout never gets 0 bytes, and a dry run never reads as "done"."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from tests.e2e.edits import move_expiration
from tests.e2e.test_plan_apply import converge


def _document(out: str) -> dict:
    document = json.loads(out)  # the whole of stdout: exactly one document
    assert document["format_version"] == 1
    return document


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("command", ["plan", "apply"])
def test_invalid_yaml_gives_an_error_document_with_the_problems(
    cli, graph_env, sample, command
) -> None:
    (sample / "broken.yaml").write_text("displayName: [\n")
    result = cli(command, "--format", "json", *(["--auto-approve"] if command == "apply" else []))
    assert result.code == 1
    document = _document(result.out)
    assert "nothing was sent to Graph" in document["error"] and document["exit_code"] == 1
    assert any(p["file"].endswith("broken.yaml") for p in document["problems"])
    if command == "apply":  # the report's keys, nothing done
        assert document["plan"] is None and document["outcomes"] == []
        assert document["summary"]["done"] == 0 and document["dry_run"] is False
    else:  # never a plan that reads as "no changes"
        assert "changes" not in document and "summary" not in document


@pytest.mark.parametrize("command", ["plan", "apply"])
def test_a_missing_path_gives_an_error_document(cli, graph_env, sample, command) -> None:
    result = cli(command, "nowhere", "--format", "json")
    assert result.code == 1
    assert "does not exist" in _document(result.out)["error"]


@pytest.mark.parametrize("command", ["plan", "apply"])
def test_an_unreachable_graph_gives_an_error_document(cli, graph_env, sample, command) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/beta"
    result = cli(command, "--format", "json", "--graph-url", url)
    assert result.code == 1
    document = _document(result.out)
    assert document["error"] and document["exit_code"] == 1


def test_a_read_failing_after_retries_gives_an_error_document(cli, graph_env, sample) -> None:
    graph_env.faults.fail_next(429, 50, methods=["GET"], retry_after=0.01)
    result = cli("apply", "--format", "json", "--auto-approve")
    assert result.code == 1
    assert "429" in _document(result.out)["error"]
    assert graph_env.requests_log.count_writes() == 0


def test_a_file_that_is_not_a_plan_gives_an_error_document(cli, graph_env, sample) -> None:
    Path("thing.json").write_text("[1, 2]")
    result = cli("apply", "--plan", "thing.json", "--format", "json", "--auto-approve")
    assert result.code == 1
    assert "is not a plan" in _document(result.out)["error"]


@pytest.mark.parametrize("command", ["plan", "apply"])
def test_a_target_that_matches_nothing_is_still_64_with_the_document(
    cli, graph_env, sample, command
) -> None:
    result = cli(command, "--format", "json", "--target", "Nope")
    assert result.code == 64
    document = _document(result.out)
    assert document["exit_code"] == 64 and "Nope" in document["error"]


def test_edusync_format_json_also_gets_the_error_document(
    cli, graph_env, sample, monkeypatch
) -> None:
    monkeypatch.setenv("EDUSYNC_FORMAT", "json")
    result = cli("apply", "nowhere")
    assert result.code == 1 and _document(result.out)["error"]


def test_a_successful_run_prints_only_its_own_document(cli, graph_env, sample) -> None:
    result = cli("plan", "--format", "json")
    assert result.code == 0 and "error" not in _document(result.out)


def test_dry_run_outcomes_say_what_would_be_done(cli, graph_env, sample) -> None:
    result = cli("apply", "--dry-run", "--format", "json")
    assert result.code == 0, result.err
    document = _document(result.out)
    assert {o["status"] for o in document["outcomes"]} == {"would_be_done"}
    assert document["summary"]["done"] == 0 and document["summary"]["would_be_done"] == 3


def test_a_real_apply_counts_done_not_would_be_done(cli, graph_env, sample) -> None:
    document = _document(cli("apply", "--auto-approve", "--format", "json").out)
    assert document["summary"]["done"] == 3 and document["summary"]["would_be_done"] == 0


def test_dry_run_with_nothing_to_do_says_dry_run(cli, graph_env, sample) -> None:
    converge(cli)
    document = _document(cli("apply", "--dry-run", "--format", "json").out)
    assert document["dry_run"] is True and document["outcomes"] == []


def test_a_refused_dry_run_says_dry_run(cli, graph_env, sample) -> None:
    converge(cli)
    move_expiration(sample / "powerschool.yaml")
    result = cli("apply", "--dry-run", "--format", "json", "--target", "Nope")
    assert result.code == 64 and _document(result.out)["dry_run"] is True
    refused = cli("apply", "--dry-run", "--format", "json", "--plan", "missing.json")
    assert refused.code == 1 and _document(refused.out)["dry_run"] is True


@pytest.mark.parametrize(
    "args",
    [
        ["apply", "--format", "json", "--no-such-option"],
        ["--graph-url", "http://127.0.0.1:1/beta", "plan", "--format=json", "--parallelism", "0"],
        ["plan", "--format", "json", "--graph-url", "htp:/x"],
    ],
)
def test_a_command_line_the_parser_rejects_still_gets_the_document(cli, args) -> None:
    result = cli(*args)
    assert result.code == 64
    document = _document(result.out)
    assert document["exit_code"] == 64 and document["error"]


def test_a_rejected_text_command_line_prints_no_document(cli) -> None:
    result = cli("plan", "--no-such-option")
    assert result.code == 64 and result.out == ""
