"""A malformed Graph URL is a usage error (64) where it is given on the command line or in
EDUSYNC_GRAPH_URL, and a FILE:LINE:COL problem where it is written in edusync.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.settings import graph_url_problem

SAMPLE = str(Path(__file__).resolve().parents[2] / "desired-state")

MALFORMED = [
    ("graph.microsoft.com/beta", "has no scheme; write https://graph.microsoft.com/beta"),
    ("ftp://graph.microsoft.com/beta", "must start with https:// (or http:// for a local"),
    ("https:///beta", "has no host name"),
    ("http://127.0.0.1:99999/beta", "is not a valid URL"),
    ("https://graph.microsoft.com/beta?$top=5", "must not carry ?query"),
    ("https://graph microsoft.com/beta", "contains spaces"),
    ("htp:/x", "has a misspelt scheme; write https://x"),
    ("127.0.0.1:8765/beta", "write http://127.0.0.1:8765/beta (a local emulator speaks http)"),
]


@pytest.mark.parametrize(("url", "message"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_graph_url_problem(url: str, message: str) -> None:
    problem = graph_url_problem(url)
    assert problem is not None and message in problem


@pytest.mark.parametrize(
    "url", ["https://graph.microsoft.com/beta", "http://127.0.0.1:8765/beta", "https://x/"]
)
def test_well_formed_graph_urls_pass(url: str) -> None:
    assert graph_url_problem(url) is None


@pytest.mark.parametrize(("url", "message"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_bad_graph_url_flag_exits_64(cli, monkeypatch, url: str, message: str) -> None:
    monkeypatch.setenv("EDUSYNC_ACCESS_TOKEN", "t")
    monkeypatch.delenv("EDUSYNC_GRAPH_URL", raising=False)
    result = cli("plan", SAMPLE, "--graph-url", url)
    assert result.code == 64, result.err
    assert "--graph-url" in result.err and message in result.err


@pytest.mark.parametrize("command", ["plan", "validate"])
def test_bad_graph_url_environment_exits_64(cli, monkeypatch, command: str) -> None:
    monkeypatch.setenv("EDUSYNC_ACCESS_TOKEN", "t")
    monkeypatch.setenv("EDUSYNC_GRAPH_URL", "graph.microsoft.com/beta")
    result = cli(command, SAMPLE)
    assert result.code == 64, result.err
    assert "EDUSYNC_GRAPH_URL" in result.err and "has no scheme" in result.err


def test_bad_settings_in_edusync_yaml_are_file_line_problems(cli, write_tree) -> None:
    sample = (Path(SAMPLE) / "test-profile.yaml").read_text()
    root = write_tree(
        {
            "edusync.yaml": "tenant: contoso.edu\ngraphUrl: graph.microsoft.com/beta\n"
            "cloud: gobal\nupdateMethod: post\n",
            "p.yaml": sample,
        }
    )
    result = cli("validate", str(root))
    assert result.code == 1
    assert "edusync.yaml:2:11: error: graphUrl: 'graph.microsoft.com/beta' has no scheme" in (
        result.out
    )
    assert "edusync.yaml:3:8: error: unknown cloud 'gobal' (did you mean 'global'?)" in result.out
    assert "edusync.yaml:4:15: error: updateMethod 'post' is not one of: put, patch" in result.out
