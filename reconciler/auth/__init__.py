"""Authentication: the only package importing msal (contract §3).

`token_provider_from_env` picks the first credential source the environment sets and returns
a TokenProvider (see `reconciler.identity`); `device_code_login` and `logout` back the
`login`/`logout` commands.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reconciler.auth.cachefile import cache_path, default_cache_path, remove_cache
from reconciler.auth.providers import token_provider_from_env
from reconciler.auth.sources import DEFAULT_DELEGATED_TENANT

if TYPE_CHECKING:
    from reconciler.auth.delegated import device_code_login


def __getattr__(name: str) -> Any:
    # `login` alone needs the device-code flow; importing it (and msal) for every run that
    # reads a token would cost each of them about 0.1 s.
    if name == "device_code_login":
        from reconciler.auth.delegated import device_code_login

        return device_code_login
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DEFAULT_DELEGATED_TENANT",
    "cache_path",
    "default_cache_path",
    "device_code_login",
    "remove_cache",
    "token_provider_from_env",
]
