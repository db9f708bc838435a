"""Run settings: flag > environment > edusync.yaml > default, resolved once per run."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import urlsplit

from reconciler.clouds import CLOUDS, Cloud
from reconciler.errors import ConfigError


class OutputFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"


class UpdateMethod(StrEnum):
    PUT = "put"
    PATCH = "patch"


LOG_LEVELS = ("warning", "info", "debug")
#: `--credential` / EDUSYNC_CREDENTIAL: one named credential source, or `auto` (first match).
CREDENTIAL_CHOICES = ("auto", "token", "oidc", "federated-file", "secret", "certificate", "cache")


@dataclass(frozen=True)
class FileSettings:
    """What `edusync.yaml` may set (all optional)."""

    tenant: str | None = None
    cloud: str | None = None
    graph_url: str | None = None
    update_method: str | None = None
    parallelism: int | None = None
    ignore_changes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Settings:
    cloud: Cloud
    graph_url: str
    graph_url_overridden: bool
    update_method: UpdateMethod
    parallelism: int
    tenant: str | None = None
    ignore_changes: tuple[str, ...] = field(default_factory=tuple)
    #: The credential source to use (`auto`: the first that matches, contract §3).
    credential: str = "auto"


def graph_url_problem(url: str) -> str | None:
    """Why `url` cannot be a Graph root (None when it can): checked where it is given — the
    flag and EDUSYNC_GRAPH_URL at parse time (exit 64), edusync.yaml with its FILE:LINE."""
    text = url.strip()
    example = "https://graph.microsoft.com/beta"
    if not text:
        return f"the Graph URL is empty; write the Graph root, e.g. {example}"
    if any(ch.isspace() for ch in text):
        return f"{url!r} contains spaces; write the Graph root, e.g. {example}"
    if "://" not in text:
        return _no_scheme(url, text)
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 (raises ValueError for a port out of range)
    except ValueError as exc:
        return f"{url!r} is not a valid URL ({exc}); write the Graph root, e.g. {example}"
    if parts.scheme.lower() not in {"https", "http"}:
        return (
            f"{url!r} must start with https:// (or http:// for a local emulator), "
            f"not {parts.scheme}://"
        )
    if not parts.hostname:
        return f"{url!r} has no host name; write the Graph root, e.g. {example}"
    if parts.query or parts.fragment:
        return f"{url!r} must not carry ?query or #fragment; write the Graph root, e.g. {example}"
    return None


#: A scheme written wrong: `htp:/x`, `https:/x`, `https//x` (not `host:port/…`).
_SCHEME_TYPO = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)(:/*|//)(?!\d)(?P<rest>.*)$")
_LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")


def _no_scheme(url: str, text: str) -> str:
    """The fix for a Graph URL without a proper `https://` (`http://` for a local emulator)."""
    typo = _SCHEME_TYPO.match(text)
    rest = typo.group("rest").lstrip("/") if typo else text.lstrip("/")
    local = rest.lower().startswith(_LOOPBACK_HOSTS)
    scheme = "http" if local else "https"
    what = "a misspelt scheme" if typo else "no scheme"
    why = " (a local emulator speaks http)" if local else ""
    return f"{url!r} has {what}; write {scheme}://{rest}{why}"


def _pick(flag: object | None, env: str | None, file: object | None, default: object) -> object:
    for value in (flag, env, file):
        if value is not None and value != "":
            return value
    return default


def resolve_settings(
    *,
    env: Mapping[str, str],
    file: FileSettings,
    cloud_flag: str | None = None,
    graph_url_flag: str | None = None,
    update_method_flag: str | None = None,
    parallelism_flag: int | None = None,
    credential_flag: str | None = None,
) -> Settings:
    """Combine the sources; raises ConfigError naming the offending source."""
    cloud_name = str(_pick(cloud_flag, env.get("EDUSYNC_CLOUD"), file.cloud, "global")).lower()
    if cloud_name not in CLOUDS:
        raise ConfigError(
            f"unknown cloud {cloud_name!r}: use one of {', '.join(CLOUDS)} "
            "(--cloud, EDUSYNC_CLOUD or edusync.yaml `cloud`)"
        )
    cloud = CLOUDS[cloud_name]
    explicit_url = _pick(graph_url_flag, env.get("EDUSYNC_GRAPH_URL"), file.graph_url, None)
    graph_url = str(explicit_url or cloud.graph_url).strip().rstrip("/")
    problem = graph_url_problem(graph_url)
    if problem:
        raise ConfigError(f"graph URL: {problem} (--graph-url, EDUSYNC_GRAPH_URL or edusync.yaml)")

    method = str(
        _pick(update_method_flag, env.get("EDUSYNC_UPDATE_METHOD"), file.update_method, "put")
    ).lower()
    if method not in {m.value for m in UpdateMethod}:
        raise ConfigError(f"update method {method!r} is not one of: put, patch")

    raw_parallelism = _pick(parallelism_flag, env.get("EDUSYNC_PARALLELISM"), file.parallelism, 4)
    try:
        parallelism = int(str(raw_parallelism))
    except ValueError:
        raise ConfigError(f"parallelism {raw_parallelism!r} is not a whole number") from None
    if parallelism < 1:
        raise ConfigError(f"parallelism must be at least 1, not {parallelism}")

    credential = str(_pick(credential_flag, env.get("EDUSYNC_CREDENTIAL"), None, "auto")).lower()
    if credential not in CREDENTIAL_CHOICES:
        raise ConfigError(
            f"credential source {credential!r} is not one of: {', '.join(CREDENTIAL_CHOICES)}"
        )

    return Settings(
        cloud=cloud,
        graph_url=graph_url,
        graph_url_overridden=explicit_url is not None,
        update_method=UpdateMethod(method),
        parallelism=parallelism,
        tenant=file.tenant,
        ignore_changes=file.ignore_changes,
        credential=credential,
    )


def setting_sources(
    *,
    env: Mapping[str, str],
    file: FileSettings,
    cloud_flag: str | None = None,
    graph_url_flag: str | None = None,
    update_method_flag: str | None = None,
    parallelism_flag: int | None = None,
    credential_flag: str | None = None,
) -> dict[str, str]:
    """Where each value `resolve_settings` picks comes from (`doctor` shows it): `flag`,
    `env NAME`, `edusync.yaml` or `default` — the same precedence, flag > env > file > default.
    Pass as flags only values given on the command line."""

    def source(flag: object | None, env_name: str | None, from_file: object | None) -> str:
        if flag is not None and flag != "":
            return "flag"
        if env_name and env.get(env_name, "") != "":
            return f"env {env_name}"
        if from_file is not None and from_file != "":
            return "edusync.yaml"
        return "default"

    graph_url = source(graph_url_flag, "EDUSYNC_GRAPH_URL", file.graph_url)
    tenant = (
        "env AZURE_TENANT_ID"
        if env.get("AZURE_TENANT_ID", "").strip()
        else ("edusync.yaml" if file.tenant else "not set")
    )
    return {
        "graph_url": "default for the cloud" if graph_url == "default" else graph_url,
        "cloud": source(cloud_flag, "EDUSYNC_CLOUD", file.cloud),
        "tenant": tenant,
        "update_method": source(update_method_flag, "EDUSYNC_UPDATE_METHOD", file.update_method),
        "parallelism": source(parallelism_flag, "EDUSYNC_PARALLELISM", file.parallelism),
        "credential": source(credential_flag, "EDUSYNC_CREDENTIAL", None),
    }
