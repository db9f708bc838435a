"""Names `export` derives from natural keys: file names and `${NAME}` placeholders.

Both must be deterministic and stable across runs: a name that two objects would share gets
each object's short id appended (never a counter, which would depend on what else exists).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from reconciler.kinds.model import ODATA_TYPE, Kind, NaturalKey

_NON_WORD = re.compile(r"[^A-Za-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
ID_CHARS = 8
#: Device names Windows will not open as files, whatever the case or extension (`con.yaml`):
#: an export checked out on a Windows machine must not break the clone.
WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"} | {f"{d}{n}" for d in ("com", "lpt") for n in range(1, 10)}
)


def ascii_words(text: str) -> list[str]:
    """`"Lycée Nord 2025/26"` -> `["Lycee", "Nord", "2025", "26"]`."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return [w for w in _NON_WORD.split(folded) if w]


def file_slug(text: str) -> str:
    return "-".join(w.lower() for w in ascii_words(text))


def env_slug(text: str) -> str:
    return "_".join(w.upper() for w in ascii_words(text))


def upper_snake(name: str) -> str:
    """`clientSecret` -> `CLIENT_SECRET`."""
    return env_slug(_CAMEL.sub("_", name))


def short_id(object_id: str) -> str:
    return re.sub(r"[^0-9a-z]", "", object_id.lower())[:ID_CHARS] or "noid"


def name_text(kind: Kind, body: Mapping[str, Any]) -> str:
    """The words an object's names are made of: its file-name keys, joined. A reference is
    its target's key (`{ref: Contoso provisioning}`), a type its words without the kind's
    own name (`userProvisioningFlow` of a provisioningFlow: `user`)."""
    parts = [_name_part(kind, key, body) for key in kind.name_keys]
    return " ".join(p for p in parts if p)


def _name_part(kind: Kind, path: str, body: Mapping[str, Any]) -> str:
    text = NaturalKey((path,)).text(body)
    if not path.endswith(ODATA_TYPE):
        return text
    if text.lower().endswith(kind.name.lower()) and len(text) > len(kind.name):
        text = text[: -len(kind.name)]
    return _CAMEL.sub(" ", text)


def unique_stems(
    items: Iterable[tuple[str, str]], *, for_env: bool, taken: Iterable[str] = ()
) -> dict[str, str]:
    """{object id: stem} for (object id, name text) pairs. A stem two objects would share (or
    one already taken, compared case-insensitively, or a name Windows reserves) gets the
    object's short id appended, for every object that wants it: adding an object never
    renames another one's stem."""
    slugger = env_slug if for_env else file_slug
    joiner = "_" if for_env else "-"
    wanted = {object_id: slugger(text) for object_id, text in items}
    counts: dict[str, int] = {}
    for stem in wanted.values():
        counts[stem.lower()] = counts.get(stem.lower(), 0) + 1
    used = {t.lower() for t in taken} | (set() if for_env else set(WINDOWS_RESERVED))
    out: dict[str, str] = {}
    for object_id, stem in wanted.items():
        if stem and counts[stem.lower()] == 1 and stem.lower() not in used:
            out[object_id] = stem
            continue
        suffix = short_id(object_id)
        out[object_id] = joiner.join(p for p in (stem, suffix.upper() if for_env else suffix) if p)
    return out
