"""Type aliases for Graph payloads.

`Json` is JSON as the wire carries it, recursively: the engine's trees are typed with it, so
mypy makes every walker narrow a value before it looks inside. `JSON` stays `Any` at the I/O
boundaries that are not typed that tightly yet (the Graph client and the emulator).
"""

from __future__ import annotations

from typing import Any, TypeAlias

Json: TypeAlias = "bool | int | float | str | list[Json] | dict[str, Json] | None"
JsonObject: TypeAlias = "dict[str, Json]"

JSON: TypeAlias = Any
JSONObject: TypeAlias = dict[str, Any]
