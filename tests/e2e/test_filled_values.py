"""A value written with `${NAME}` is checked again once `apply` fills it in: a variable holding
something its property cannot take (a host with a space, a GUID that is not one) is refused at
the value's FILE:LINE:COL before anything is written, and the value is never shown."""

from __future__ import annotations

import pytest

from tests.e2e.test_plan_apply import profiles

WHERE = "desired-state/powerschool.yaml:8:18"  # the connectionUrl value in the sample
NAME = "'Contoso PowerSchool 2025-26'"


def _host_from_variable(sample) -> None:
    file = sample / "powerschool.yaml"
    text = file.read_text()
    assert "  connectionUrl: https://contoso.powerschool.com\n" in text
    file.write_text(text.replace("https://contoso.powerschool.com", "https://${PS_HOST}"))


@pytest.mark.parametrize(
    "host", ["bad host SECRETHOST", "SECRETHOST/x y", "user:SECRETHOST@h.edu", "SECRETHOST\u00a0x"]
)
def test_apply_refuses_a_filled_in_address_that_is_not_one(
    cli, graph_env, sample, monkeypatch, host
) -> None:
    _host_from_variable(sample)
    monkeypatch.setenv("PS_HOST", host)
    assert cli("validate").code == 0  # as written, the value cannot be judged
    plan = cli("plan")
    assert plan.code == 0 and "SECRETHOST" not in plan.out + plan.err
    graph_env.requests_log.clear()
    result = cli("apply", "--auto-approve")
    assert result.code == 1
    assert (
        f"{WHERE}: {NAME}: dataProvider.connectionUrl made from ${{PS_HOST}} must be an "
        "https:// address with a valid host name and no spaces" in result.err
    )
    assert "nothing was written" in result.err
    assert "SECRETHOST" not in result.out + result.err
    assert graph_env.requests_log.count_writes() == 0
    assert profiles(graph_env) == []


def test_a_right_filled_in_value_is_written_and_then_up_to_date(
    cli, graph_env, sample, monkeypatch
) -> None:
    _host_from_variable(sample)
    monkeypatch.setenv("PS_HOST", "ps.contoso.edu")
    assert cli("apply", "--auto-approve").code == 0
    (written,) = [
        p for p in profiles(graph_env) if p["displayName"] == "Contoso PowerSchool 2025-26"
    ]
    assert written["dataProvider"]["connectionUrl"] == "https://ps.contoso.edu"
    assert cli("plan", "--detailed-exitcode").code == 0
