"""Resource kinds the reconciler manages, by their `kind:` name."""

from __future__ import annotations

from reconciler.kinds.model import Kind
from reconciler.kinds.sync_profile import SYNCHRONIZATION_PROFILE

KINDS: dict[str, Kind] = {SYNCHRONIZATION_PROFILE.name: SYNCHRONIZATION_PROFILE}
DEFAULT_KIND = SYNCHRONIZATION_PROFILE.name


def kind_named(name: str) -> Kind | None:
    return KINDS.get(name)
