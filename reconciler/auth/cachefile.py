"""Where the delegated token cache lives and how it is read and written (0600, atomically).

The cache holds a refresh token: anyone who can read it can act as the signed-in admin until
it expires, hence owner-only permissions and a write that never leaves a half-written file.
"""

from __future__ import annotations

import logging
import os
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path

from reconciler.errors import AuthError

log = logging.getLogger("reconciler.auth")

CACHE_VAR = "EDUSYNC_TOKEN_CACHE"
APP_DIR = "edusync-reconcile"
CACHE_NAME = "token-cache.json"
RELOGIN_HINT = "run `edusync-reconcile login` again, or supply the cache from a secret"


def default_cache_path(env: Mapping[str, str]) -> Path:
    """The per-user config dir: %APPDATA% on Windows, else $XDG_CONFIG_HOME or ~/.config."""
    if os.name == "nt" and env.get("APPDATA"):
        return Path(env["APPDATA"]) / APP_DIR / CACHE_NAME
    if env.get("XDG_CONFIG_HOME"):
        return Path(env["XDG_CONFIG_HOME"]) / APP_DIR / CACHE_NAME
    home = Path(env["HOME"]) if env.get("HOME") else Path.home()
    return home / ".config" / APP_DIR / CACHE_NAME


def cache_path(env: Mapping[str, str]) -> Path:
    """`EDUSYNC_TOKEN_CACHE` when set, else the default location."""
    explicit = env.get(CACHE_VAR, "").strip()
    return Path(explicit).expanduser() if explicit else default_cache_path(env)


def read_cache(path: Path) -> str:
    """The cache file's text; AuthError when it is missing, unreadable or empty."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AuthError(f"no token cache at {path}: {RELOGIN_HINT}") from None
    except IsADirectoryError:
        raise AuthError(_a_directory(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise AuthError(f"cannot read the token cache {path}: {exc}") from None
    if not text.strip():
        raise AuthError(f"the token cache {path} is empty: {RELOGIN_HINT}")
    _warn_if_shared(path)
    return text


def _warn_if_shared(path: Path) -> None:
    # Like ssh with private keys: a cache others can read is a leaked sign-in. Warn, because
    # CI runners often write secrets with the default umask and the run should still work.
    if os.name == "nt":
        return
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        log.warning(
            "token cache %s is readable by others (mode %o); restrict it: chmod 600 %s",
            path,
            mode,
            path,
        )


def write_private(path: Path, text: str) -> None:
    """Replace `path` atomically with an owner-only (0600) file holding `text`."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # mkstemp creates the file 0600 before anything is written, and in the same directory so
    # that the final rename is atomic: readers see the old cache or the new one, never half.
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        temp.replace(path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _a_directory(path: Path) -> str:
    return (
        f"the token cache {path} is a directory, not a file: {CACHE_VAR} names the cache "
        f"file itself, e.g. {CACHE_VAR}={path / CACHE_NAME}"
    )


def remove_cache(path: Path) -> bool:
    """Delete the cache; False when there was none (so logout can be repeated)."""
    if path.is_dir():
        raise AuthError(_a_directory(path))
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True
