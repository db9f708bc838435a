"""The validate side of `engine.twins`: a warning at the later of two desired objects that read
one source, naming the other's FILE:LINE:COL. A warning, not an error: two profiles on one SIS
can be meant (`apply` asks for --allow-duplicate-source before it creates the second)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from reconciler.desired.problems import Problem, Severity, has_errors
from reconciler.names import quoted

if TYPE_CHECKING:
    from reconciler.engine.compare import DesiredSources
    from reconciler.objects import DesiredObject


def same_source_problems(
    objects: Sequence[DesiredObject],
    found: Sequence[Problem] = (),
    sources: DesiredSources | None = None,
) -> list[Problem]:
    """Nothing while `found` holds an error: only valid objects can be compared (the engine's
    normaliser expects checked values), and those errors come first."""
    if has_errors(list(found)):
        return []
    from reconciler.engine.twins import twins  # the engine imports the loader

    return [
        Problem(
            t.later.file,
            t.later.line,
            t.later.column,
            Severity.WARNING,
            f"{quoted(t.later.name)} reads the same source ({t.source}) as "
            f"{quoted(t.earlier.name)} in "
            f"{t.earlier.where}: applying both makes two profiles syncing one SIS. If one file "
            "is a copy, delete it; if both are meant, apply will need --allow-duplicate-source",
        )
        for t in twins(objects, sources)
    ]
