"""Resource kinds the reconciler manages, by their `kind:` name."""

from __future__ import annotations

from collections.abc import Mapping

from reconciler.kinds.model import Kind
from reconciler.kinds.registry import Registry
from reconciler.kinds.sync_profile import SYNCHRONIZATION_PROFILE

#: The kinds the product ships. Code that plans or loads takes a Registry as a parameter;
#: commands hand in this one (tests may hand in their own).
REGISTRY = Registry((SYNCHRONIZATION_PROFILE,), default_name=SYNCHRONIZATION_PROFILE.name)

KINDS: Mapping[str, Kind] = {kind.name: kind for kind in REGISTRY}
DEFAULT_KIND = REGISTRY.default_name
