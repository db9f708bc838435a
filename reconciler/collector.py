"""How often Python's cycle collector runs, for the kind of run this is.

A batch run (`validate`, `plan`, `apply`) builds large trees that live until it ends (YAML read
into objects, pages of JSON, normalised trees): with CPython's default threshold the collector
walks them again and again while they are made. Measured on a plan of 10,000 profiles: 1.1 s
of collections became 0.2 s, peak memory unchanged. A server (`emulator`) runs for hours and
keeps little: there, cyclic garbage (an exception's frames holding a request body) should go
as soon as usual.
"""

from __future__ import annotations

import gc

#: Allocations between two collections of the youngest generation in a batch run.
YOUNG_COLLECTION_EVERY = 50_000
#: CPython's own thresholds, as this process started with them.
_USUAL = gc.get_threshold()


def collect_less_often() -> None:
    """The youngest generation every `YOUNG_COLLECTION_EVERY` allocations; cyclic garbage is
    still collected, only less often."""
    _young, *older = _USUAL
    gc.set_threshold(YOUNG_COLLECTION_EVERY, *older)


def collect_as_usual() -> None:
    gc.set_threshold(*_USUAL)
