"""The emulator's optional state file: a JSON list of stored profiles, secrets included.

Written atomically (temporary file + rename) with mode 0600, because it holds the secrets the
API never returns.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from reconciler.errors import ConfigError
from reconciler.jsontypes import JSONObject


def load_state(path: Path) -> list[JSONObject]:
    """The profiles saved in `path`; an empty list when the file does not exist."""
    if not path.exists():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the emulator state file: {exc}") from exc
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise ConfigError(f"{path}: the emulator state file must hold a JSON list of profiles")
    return data


def save_state(path: Path, profiles: list[JSONObject]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(profiles, stream, indent=2)
            stream.write("\n")
        Path(temporary).chmod(0o600)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
