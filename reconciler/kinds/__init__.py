"""Resource kinds the reconciler manages, by their `kind:` name."""

from __future__ import annotations

from collections.abc import Mapping

from reconciler.kinds.industry_data import WITH_INDUSTRY_DATA
from reconciler.kinds.model import Kind

#: The kinds the product ships: classic profiles and the Industry Data kinds. Code that plans
#: or loads takes a Registry as a parameter; commands hand in this one (tests may hand in
#: their own).
REGISTRY = WITH_INDUSTRY_DATA

KINDS: Mapping[str, Kind] = {kind.name: kind for kind in REGISTRY}
DEFAULT_KIND = REGISTRY.default_name
