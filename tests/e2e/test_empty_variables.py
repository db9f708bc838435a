"""A `${NAME}` whose variable is set but empty (GitHub Actions passes a secret that does not
exist as an empty string) is named as empty, at the value's FILE:LINE:COL, and nothing is sent."""

from __future__ import annotations

import pytest

from tests.e2e.edits import move_expiration
from tests.e2e.test_plan_apply import converge

WHERE = "desired-state/powerschool.yaml:10:17"  # the clientSecret value in the sample


@pytest.mark.parametrize("existing", [False, True], ids=["create", "update"])
def test_apply_names_the_empty_variable_at_its_value(
    cli, graph_env, sample, monkeypatch, existing
) -> None:
    if existing:
        converge(cli)
        move_expiration(sample / "powerschool.yaml")
    monkeypatch.setenv("POWERSCHOOL_CLIENT_SECRET", "")
    plan = cli("plan")
    assert f"{WHERE}: warning: apply will need environment variable(s) " in plan.err
    assert "POWERSCHOOL_CLIENT_SECRET, which are set but empty, to have a value" in plan.err
    graph_env.requests_log.clear()
    result = cli("apply", "--auto-approve")
    assert result.code == 1
    assert f"{WHERE}: 'Contoso PowerSchool 2025-26' needs environment variable(s) " in result.err
    assert "POWERSCHOOL_CLIENT_SECRET, which is set but empty (give it a value" in result.err
    assert "Declare it as" not in result.err
    assert graph_env.requests_log.count_writes() == 0


def test_apply_points_an_unset_variable_at_its_value(cli, graph_env, sample, monkeypatch) -> None:
    monkeypatch.delenv("POWERSCHOOL_CLIENT_SECRET")
    result = cli("apply", "--auto-approve")
    assert result.code == 1
    assert f"{WHERE}: 'Contoso PowerSchool 2025-26' needs environment variable(s) " in result.err
    assert "POWERSCHOOL_CLIENT_SECRET, which is not set" in result.err
    assert "powerschool.yaml:3:1" not in result.err
