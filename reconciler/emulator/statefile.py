"""The emulator's optional state file: a JSON list of stored profiles, secrets included.

When the tenant also holds Industry Data objects, the file is an object instead:
`{"profiles": [...], "industryData": {...}}`; a tenant with profiles only keeps the list form,
so files written by earlier versions load unchanged and stay readable by them.

Written atomically (temporary file + rename) with mode 0600, because it holds the secrets the
API never returns.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from reconciler.errors import ConfigError
from reconciler.jsontypes import JSONObject


@dataclass(frozen=True)
class StateDocument:
    profiles: list[JSONObject]
    #: The Industry Data snapshot; None when the file holds none.
    industry_data: JSONObject | None = None


def _document(data: object) -> StateDocument | None:
    if isinstance(data, list):
        profiles, industry_data = data, None
    elif isinstance(data, dict) and set(data) <= {"profiles", "industryData"} and data:
        profiles, industry_data = data.get("profiles", []), data.get("industryData")
    else:
        return None
    if not isinstance(profiles, list) or not all(isinstance(item, dict) for item in profiles):
        return None
    if industry_data is not None and not isinstance(industry_data, dict):
        return None
    return StateDocument(profiles, industry_data)


def load_state_document(path: Path) -> StateDocument:
    """Everything saved in `path`; an empty document when the file does not exist."""
    if not path.exists():
        return StateDocument([])
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the emulator state file: {exc}") from exc
    document = _document(data)
    if document is None:
        raise ConfigError(
            f"{path}: the emulator state file must hold a JSON list of profiles, or an object "
            'with "profiles" (that list) and "industryData"'
        )
    return document


def load_state(path: Path) -> list[JSONObject]:
    """The profiles saved in `path`; an empty list when the file does not exist."""
    return load_state_document(path).profiles


def save_state(
    path: Path, profiles: list[JSONObject], industry_data: JSONObject | None = None
) -> None:
    document: object = (
        profiles if industry_data is None else {"profiles": profiles, "industryData": industry_data}
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(document, stream, indent=2)
            stream.write("\n")
        Path(temporary).chmod(0o600)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
