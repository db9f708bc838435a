"""`emulator` says which variables to set (stdout line 1 stays the bare URL), and `--demo`
starts from the demo tenant."""

from __future__ import annotations

import signal
from pathlib import Path

from tests.emulator.test_emulator_cli import URL, serving, stop

REPO = Path(__file__).resolve().parents[2]


def _banner(process) -> list[str]:  # type: ignore[no-untyped-def]
    lines = []
    while not lines or "edusync-reconcile plan" not in lines[-1]:
        line = process.stderr.readline()
        assert line, lines  # the process ended before the banner was complete
        lines.append(line.rstrip("\n"))
    return lines


def test_banner_names_the_variables_with_the_token(tmp_path: Path) -> None:
    with serving("--token", "cli-token") as (process, url):
        assert URL.match(url), url  # line 1 of stdout: the bare base URL
        banner = _banner(process)
        assert f"  export EDUSYNC_GRAPH_URL={url} EDUSYNC_ACCESS_TOKEN=cli-token" in banner
        assert stop(process, signal.SIGTERM) == 0


def test_banner_without_token_says_any_token_works() -> None:
    with serving() as (process, url):
        banner = "\n".join(_banner(process))
        assert f"EDUSYNC_GRAPH_URL={url} EDUSYNC_ACCESS_TOKEN=emulator" in banner
        assert "any non-empty token is accepted" in banner
        assert stop(process, signal.SIGTERM) == 0


def test_demo_flag_loads_the_demo_tenant(cli, monkeypatch) -> None:
    with serving("--demo", "--token", "t") as (process, url):
        banner = "\n".join(_banner(process))
        assert "Loaded the demo tenant: 'Test Profile'" in banner
        monkeypatch.setenv("EDUSYNC_ACCESS_TOKEN", "t")
        result = cli("plan", str(REPO / "desired-state"), "--graph-url", url)
        assert stop(process, signal.SIGTERM) == 0
    assert result.code == 0, result.err
    # the demo tenant: one profile matches, one drifted, one unmanaged, one to create
    assert "Plan: 1 to create, 1 to update" in result.out, result.out
    assert "Legacy 2023 CSV import" in result.out


def test_demo_is_not_applied_over_a_state_file(tmp_path: Path) -> None:
    state = tmp_path / "tenant.json"
    state.write_text(
        '[{"displayName": "Mine", "dataProvider": {"@odata.type": '
        '"#microsoft.graph.educationCsvDataProvider"}, '
        '"identitySynchronizationConfiguration": {"@odata.type": '
        '"#microsoft.graph.educationIdentityCreationConfiguration", '
        '"userDomains": [{"appliesTo": "student", "name": "x.edu"}]}}]'
    )
    with serving("--demo", "--state", str(state)) as (process, _url):
        banner = "\n".join(_banner(process))
        assert "--demo not applied: the --state file already holds profiles" in banner
        assert stop(process, signal.SIGTERM) == 0
