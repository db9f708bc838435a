"""The login authority per cloud, the options every msal app gets, msal failures as AuthError."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import requests

from reconciler import __version__
from reconciler.clouds import Cloud
from reconciler.errors import AuthError, ConfigError
from reconciler.logsetup import redact, register_secret

log = logging.getLogger("reconciler.auth")

AUTHORITY_HOST_VAR = "AZURE_AUTHORITY_HOST"
#: Seconds before msal gives up on the authority (msal's own default is to wait forever).
HTTP_TIMEOUT = 30
_SECRET_KEYS = ("access_token", "refresh_token", "id_token")


@dataclass(frozen=True)
class Authority:
    host: str  # e.g. https://login.microsoftonline.com
    tenant: str
    #: Set from AZURE_AUTHORITY_HOST: msal must not ask login.microsoftonline.com about it.
    custom: bool = False

    @property
    def url(self) -> str:
        return f"{self.host}/{self.tenant}"


def authority_for(env: Mapping[str, str], cloud: Cloud, tenant: str) -> Authority:
    """AZURE_AUTHORITY_HOST (azure-identity's convention) overrides the host `--cloud` picks."""
    raw = env.get(AUTHORITY_HOST_VAR, "").strip().rstrip("/")
    if not raw:
        return Authority(cloud.authority_host, tenant)
    host = raw if "://" in raw else f"https://{raw}"
    if not host.startswith("https://"):
        raise ConfigError(f"{AUTHORITY_HOST_VAR} must be an https:// URL, not {raw!r}")
    return Authority(host, tenant, custom=True)


def msal_app_options(authority: Authority, http_client: object | None) -> dict[str, Any]:
    """Keyword arguments shared by every msal application object we build."""
    options: dict[str, Any] = {
        "authority": authority.url,
        "app_name": "edusync-reconcile",
        "app_version": __version__,
    }
    if authority.custom:
        # Instance discovery would ask the public cloud whether this host is an authority;
        # a private or test authority is not known there (and tests have no internet).
        options["instance_discovery"] = False
    if http_client is not None:
        options["http_client"] = http_client
    else:
        options["timeout"] = HTTP_TIMEOUT
    return options


def warn_if_sds_undocumented(cloud: Cloud) -> None:
    if not cloud.sds_profiles_documented:
        log.warning(
            "cloud %r: Microsoft documents the SDS synchronization profile API for the global "
            "cloud only; requests to %s may fail",
            cloud.name,
            cloud.graph_host,
        )


@contextmanager
def talking_to(authority: Authority, credential: str) -> Iterator[None]:
    """Turn transport and configuration failures inside msal into one readable AuthError."""
    try:
        yield
    except AuthError:
        raise
    except requests.RequestException as exc:
        raise AuthError(
            redact(f"{credential}: request to the login authority {authority.url} failed: {exc}")
        ) from exc
    except ValueError as exc:  # msal's way of saying the authority or credential is unusable
        raise AuthError(redact(f"{credential}: {exc}")) from exc


def remember_secrets(result: Mapping[str, Any]) -> None:
    """Every token msal hands back is registered so that no log line can show it."""
    for key in _SECRET_KEYS:
        value = result.get(key)
        if isinstance(value, str):
            register_secret(value)


def access_token_of(result: object, credential: str, hint: str = "") -> str:
    """The access token in an msal result, or an AuthError built from Entra's answer."""
    if isinstance(result, dict) and isinstance(result.get("access_token"), str):
        remember_secrets(result)
        if result.get("token_source") != "cache":
            log.info("%s: new token, valid %s s", credential, result.get("expires_in", "?"))
        return str(result["access_token"])
    raise refused(result if isinstance(result, dict) else {}, credential, hint)


def refused(result: Mapping[str, Any], credential: str, hint: str = "") -> AuthError:
    """An AuthError quoting Entra's error, description and correlation id (never a secret)."""
    error = result.get("error") or "no token"
    description = " ".join(str(result.get("error_description") or "").split())
    message = f"{credential}: the login authority refused: {error}"
    if description:
        message += f": {description}"
    correlation = result.get("correlation_id")
    if correlation and str(correlation) not in description:
        message += f" (correlation id {correlation})"
    if hint:
        message += f". Hint: {hint}"
    return AuthError(redact(message))
