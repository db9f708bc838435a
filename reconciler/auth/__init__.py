"""Authentication: the only package importing msal (contract §3).

`token_provider_from_env` picks the first credential source the environment sets and returns
a TokenProvider (see `reconciler.identity`); `device_code_login` and `logout` back the
`login`/`logout` commands.
"""

from __future__ import annotations

from reconciler.auth.cachefile import cache_path, default_cache_path, remove_cache
from reconciler.auth.delegated import device_code_login
from reconciler.auth.providers import token_provider_from_env
from reconciler.auth.sources import DEFAULT_DELEGATED_TENANT

__all__ = [
    "DEFAULT_DELEGATED_TENANT",
    "cache_path",
    "default_cache_path",
    "device_code_login",
    "remove_cache",
    "token_provider_from_env",
]
