"""Edits to the sample desired state that do not depend on the sample's exact values."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path


def move_expiration(path: Path, to: str | None = None) -> None:
    """Give the profile in `path` another expirationDate: a one-field update. By default a
    year from today: within the 18 months Graph allows, so no warning comes with it."""
    to = to or (dt.date.today() + dt.timedelta(days=365)).isoformat()
    text = path.read_text()
    moved = re.sub(r"(?m)^expirationDate: .*$", f"expirationDate: {to}", text)
    assert moved != text, f"{path} has no expirationDate line"
    path.write_text(moved)
