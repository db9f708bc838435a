"""Where the token cache lives and how it is written: owner-only, atomically."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from reconciler.auth import cache_path, default_cache_path, remove_cache
from reconciler.auth.cachefile import read_cache, write_private
from reconciler.errors import AuthError


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"XDG_CONFIG_HOME": "/xdg", "HOME": "/home/a"}, "/xdg/edusync-reconcile/token-cache.json"),
        ({"HOME": "/home/a"}, "/home/a/.config/edusync-reconcile/token-cache.json"),
        (
            {"XDG_CONFIG_HOME": "", "HOME": "/home/a"},
            "/home/a/.config/edusync-reconcile/token-cache.json",
        ),
    ],
)
def test_default_location_follows_xdg(env: dict[str, str], expected: str) -> None:
    assert default_cache_path(env) == Path(expected)
    assert cache_path(env) == Path(expected)


def test_edusync_token_cache_wins_and_expands_home() -> None:
    env = {"EDUSYNC_TOKEN_CACHE": "~/ci/cache.json", "XDG_CONFIG_HOME": "/xdg"}
    assert cache_path(env) == Path("~/ci/cache.json").expanduser()


def test_write_private_replaces_a_loose_file_with_a_0600_one(tmp_path: Path) -> None:
    path = tmp_path / "new" / "dir" / "cache.json"
    path.parent.mkdir(parents=True)
    path.write_text("old")
    path.chmod(0o644)

    write_private(path, '{"new": true}')

    assert path.read_text() == '{"new": true}'
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["cache.json"]


def test_write_private_creates_an_owner_only_directory(tmp_path: Path) -> None:
    path = tmp_path / "config" / "edusync-reconcile" / "cache.json"
    write_private(path, "{}")
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_read_cache_problems_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(AuthError, match=f"no token cache at {tmp_path / 'absent'}"):
        read_cache(tmp_path / "absent")
    with pytest.raises(AuthError, match="is a directory, not a file: EDUSYNC_TOKEN_CACHE names"):
        read_cache(tmp_path)  # a directory: the fix, not the errno


def test_remove_cache_reports_whether_there_was_one(tmp_path: Path) -> None:
    path = tmp_path / "cache.json"
    path.write_text("{}")
    assert remove_cache(path) is True
    assert remove_cache(path) is False
