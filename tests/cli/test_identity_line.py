"""The identity line of plan and apply never claims more than the token's claims allow: the same
judgement as doctor's (`reconciler.auth.verdict`)."""

from __future__ import annotations

import time

import pytest

from reconciler.emulator import Emulator
from tests.auth.conftest import make_jwt


@pytest.fixture
def tenant(monkeypatch, sample_tree) -> Emulator:
    with Emulator() as emu:
        monkeypatch.setenv("EDUSYNC_GRAPH_URL", emu.base_url)
        for name in ("AZURE_CLIENT_ID", "AZURE_TENANT_ID", "EDUSYNC_CREDENTIAL"):
            monkeypatch.delenv(name, raising=False)
        yield emu


@pytest.fixture
def sample_tree(write_tree):
    from tests.cli.test_missing_variables import PROFILE

    return write_tree({"ps.yaml": PROFILE})


def _plan(cli, monkeypatch, sample_tree, claims, *extra):
    monkeypatch.setenv("EDUSYNC_ACCESS_TOKEN", make_jwt(claims))
    monkeypatch.setenv("PS_SECRET", "x")
    return cli("plan", str(sample_tree), *extra)


def test_a_delegated_token_without_the_scope_says_so(cli, monkeypatch, tenant, sample_tree):
    result = _plan(cli, monkeypatch, sample_tree, {"scp": "User.Read", "upn": "admin@contoso.edu"})
    assert "as admin@contoso.edu (an admin's own sign-in, but the token has no scope " in result.err
    assert "EduAdministration.Read or EduAdministration.ReadWrite" in result.err
    assert "may change profiles" not in result.err


def test_a_read_only_scope_may_read_not_change(cli, monkeypatch, tenant, sample_tree):
    result = _plan(cli, monkeypatch, sample_tree, {"scp": "EduAdministration.Read", "upn": "a@b"})
    assert "no scope EduAdministration.ReadWrite: it may read, not change" in result.err


def test_an_expired_token_says_it_has_expired(cli, monkeypatch, tenant, sample_tree):
    claims = {"scp": "EduAdministration.ReadWrite", "upn": "a@b", "exp": int(time.time()) - 600}
    result = _plan(cli, monkeypatch, sample_tree, claims)
    assert result.code == 0  # plan still runs: Graph decides (this emulator takes any token)
    assert "the token EXPIRED 10 min ago: Graph will answer 401 (Unauthorized)" in result.err
    assert result.err.count("EXPIRED") == 1
    quiet = _plan(cli, monkeypatch, sample_tree, claims, "--quiet")
    assert quiet.err.startswith("warning: the token EXPIRED")


def test_a_good_token_keeps_the_plain_words(cli, monkeypatch, tenant, sample_tree):
    claims = {"scp": "EduAdministration.ReadWrite", "upn": "a@b", "exp": int(time.time()) + 3600}
    result = _plan(cli, monkeypatch, sample_tree, claims)
    assert "(an admin's own sign-in: may change profiles)" in result.err
