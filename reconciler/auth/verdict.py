"""What a token may do, judged from its claims against what each kind needs: one judgement for
`doctor` (its plan/apply lines) and for the identity line plan and apply print, so that the two
never disagree. Reads claims only (never verifies them: Graph does).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence

from reconciler.auth.claims import Claims, expiry_of, roles_of, scopes_of
from reconciler.identity import Permission
from reconciler.kinds.model import Kind


def granted(claims: Claims | None, permission: Permission) -> set[str]:
    """The permission names the token carries (scopes if delegated, roles if app-only),
    lower case."""
    names = scopes_of(claims) if permission is Permission.DELEGATED else roles_of(claims)
    return {n.lower() for n in names}


def needed(kind: Kind, permission: Permission, *, write: bool) -> tuple[str, ...]:
    """Any one of these lets this identity read (or write) `kind`."""
    p = kind.permissions
    if permission is Permission.DELEGATED:
        return p.write_delegated if write else p.read_delegated
    return p.write_application if write else p.read_application


def lacking(
    kinds: Iterable[Kind], claims: Claims | None, permission: Permission, *, write: bool
) -> tuple[list[Kind], list[str]]:
    """The kinds this token cannot read (or write), and the permissions any one of which would
    let it, sorted."""
    have = granted(claims, permission)
    missing = [
        k for k in kinds if not have & {n.lower() for n in needed(k, permission, write=write)}
    ]
    wanted = sorted({n for k in missing for n in needed(k, permission, write=write)})
    return missing, wanted


def seconds_left(claims: Claims | None, now: float | None = None) -> float | None:
    """Until the token expires (negative: expired), or None when it does not say."""
    expires = expiry_of(claims)
    return None if expires is None else expires - (time.time() if now is None else now)


def caveats(claims: Claims | None, permission: Permission, kinds: Sequence[Kind]) -> list[str]:
    """What makes the identity line's plain words ("may change profiles") untrue, each with its
    fix; empty when nothing does, or when the token cannot be read (not a JWT)."""
    if claims is None or permission is Permission.UNKNOWN:
        return []
    found = []
    left = seconds_left(claims)
    if left is not None and left < 0:
        found.append(
            f"the token EXPIRED {_ago(-left)}: Graph will answer 401 (Unauthorized); get a fresh "
            "token (or sign in again with `edusync-reconcile login`)"
        )
    kinds = [k for k in kinds if k.permissions.read_delegated or k.permissions.read_application]
    word = "scope" if permission is Permission.DELEGATED else "application role"
    cannot_read, wanted_read = lacking(kinds, claims, permission, write=False)
    if cannot_read:
        found.append(
            f"the token has no {word} {' or '.join(wanted_read)}: Graph will refuse to read "
            f"{', '.join(k.name for k in cannot_read)} (`edusync-reconcile doctor` says more)"
        )
    elif permission is Permission.DELEGATED:
        cannot_write, wanted_write = lacking(kinds, claims, permission, write=True)
        if cannot_write:
            found.append(
                f"the token has no scope {' or '.join(wanted_write)}: it may read, not change "
                f"{', '.join(k.name for k in cannot_write)}; consent to it and sign in again"
            )
    return found


def _ago(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes < 120:
        return f"{minutes} min ago"
    return f"{minutes // 60} h ago" if minutes < 48 * 60 else f"{minutes // 1440} d ago"
