"""Edits to the sample desired state that do not depend on the sample's exact values."""

from __future__ import annotations

import re
from pathlib import Path


def move_expiration(path: Path, to: str = "2031-08-31") -> None:
    """Give the profile in `path` another expirationDate: a one-field update."""
    text = path.read_text()
    moved = re.sub(r"(?m)^expirationDate: .*$", f"expirationDate: {to}", text)
    assert moved != text, f"{path} has no expirationDate line"
    path.write_text(moved)
