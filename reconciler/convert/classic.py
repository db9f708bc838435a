"""Classic synchronization profiles as the converter reads them (bodies already checked by the
loader: Graph JSON with `${NAME}` references left as written)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

Path = tuple[str | int, ...]


class Provider(StrEnum):
    CSV = "csv"
    POWERSCHOOL = "powerSchool"
    ONEROSTER = "oneRoster"


class Identity(StrEnum):
    CREATION = "creation"
    MATCHING = "matching"


# Type names any namespace may prefix (`#Microsoft.Education.DataSync.…`), legacy short names
# included: the same spellings `validate` accepts.
_PROVIDERS = {
    "educationcsvdataprovider": Provider.CSV,
    "csvdataprovider": Provider.CSV,
    "educationpowerschooldataprovider": Provider.POWERSCHOOL,
    "powerschooldataprovider": Provider.POWERSCHOOL,
    "educationonerosterapidataprovider": Provider.ONEROSTER,
}
_IDENTITIES = {
    "educationidentitycreationconfiguration": Identity.CREATION,
    "identitycreationconfiguration": Identity.CREATION,
    "educationidentitymatchingconfiguration": Identity.MATCHING,
    "identitymatchingconfiguration": Identity.MATCHING,
}
_OAUTH2 = "educationsynchronizationoauth2clientcredentialsconnectionsettings"


def type_leaf(spelling: Any) -> str:
    """`#Microsoft.Education.DataSync.educationCsvDataProvider` → `educationcsvdataprovider`."""
    return str(spelling or "").strip().lstrip("#").rsplit(".", 1)[-1].lower()


@dataclass(frozen=True)
class ClassicProfile:
    file: str
    line: int
    column: int
    body: Mapping[str, Any]
    protect: bool = False
    #: None: the run state was not managed.
    paused: bool | None = None
    ignore_changes: tuple[str, ...] = ()
    #: Where each value is written in the file (1-based line, column), when known.
    positions: Mapping[Path, tuple[int, int]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return str(self.body.get("displayName", ""))

    def where(self, path: Path) -> tuple[int, int]:
        """The value at `path`, or its nearest written ancestor, else the document itself."""
        while path and path not in self.positions:
            path = path[:-1]
        return self.positions.get(path, (self.line, self.column))

    @property
    def provider_body(self) -> Mapping[str, Any]:
        value = self.body.get("dataProvider")
        return value if isinstance(value, Mapping) else {}

    @property
    def provider(self) -> Provider:
        found = _PROVIDERS.get(type_leaf(self.provider_body.get("@odata.type")))
        # The loader refuses any other spelling; CSV is the provider with nothing to connect.
        return found or Provider.CSV

    @property
    def identity_body(self) -> Mapping[str, Any]:
        value = self.body.get("identitySynchronizationConfiguration")
        return value if isinstance(value, Mapping) else {}

    @property
    def identity(self) -> Identity:
        found = _IDENTITIES.get(type_leaf(self.identity_body.get("@odata.type")))
        return found or Identity.MATCHING

    @property
    def connection(self) -> Mapping[str, Any]:
        value = self.provider_body.get("connectionSettings")
        return value if isinstance(value, Mapping) else {}

    @property
    def oauth2(self) -> bool:
        return type_leaf(self.connection.get("@odata.type")) == _OAUTH2

    @property
    def url(self) -> str:
        return str(self.provider_body.get("connectionUrl") or "")

    def list_at(self, *path: str) -> list[Any]:
        value: Any = self.body
        for part in path:
            value = value.get(part) if isinstance(value, Mapping) else None
        return list(value) if isinstance(value, list) else []


def canonical_url(url: str) -> str:
    """Scheme and host lower-cased, trailing slashes dropped: two spellings of one SIS match."""
    parts = urlsplit(url.strip())
    if not parts.scheme or not parts.netloc:
        return url.strip().rstrip("/")
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path.rstrip('/')}"


def host_of(url: str) -> str:
    return urlsplit(url.strip()).hostname or url.strip()
