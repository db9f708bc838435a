"""Deterministic benchmark data: realistic profiles of every provider type, as desired-state YAML
files and as the tenant bodies the emulator is seeded with.

Profile `i` is a CSV, PowerSchool or OneRoster profile (i mod 3) with an identity creation or
matching configuration, licenses on most of them, customizations on some, and a `${NAME}` secret
where the provider has one — what a district's repository looks like, written in block YAML as
an admin would write it (not JSON, which would take a different path through the YAML parser).
"""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path
from typing import Any

# A year ahead: a date in the past, or more than 18 months ahead, makes validate and plan warn
# on every third profile, and those warnings are not what the benchmarks measure.
_FUTURE_EXPIRY = (datetime.date.today() + datetime.timedelta(days=365)).isoformat()

#: Environment variables the generated files reference (`${NAME}`), with the values the tenant
#: holds. The client never compares secrets; it needs them set to build bodies for apply.
SECRETS = {"BENCH_PS_SECRET": "ps-secret-value", "BENCH_OR_SECRET": "or-secret-value"}
SKUS = (
    "6fd2c87f-b296-42f0-b197-1e91e994b900",
    "314c4481-f395-4525-be8b-2ec4bb1e9d91",
    "94763226-9b3c-4e75-a931-5c89701abe66",
)
_PLAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._/:-]*$")
_NUMBER_LIKE = re.compile(r"^[0-9.eE+-]+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_YAML_WORDS = {"true", "false", "null", "yes", "no", "on", "off", "y", "n"}
_HEADER = "# yaml-language-server: $schema=../schema/edusync-profile.schema.json\n"


def _identity(i: int) -> dict[str, Any]:
    district = f"d{i:05d}.example.edu"
    if i % 2 == 0:
        return {
            "@odata.type": "#microsoft.graph.educationIdentityCreationConfiguration",
            "userDomains": [
                {"appliesTo": "student", "name": f"students.{district}"},
                {"appliesTo": "teacher", "name": district},
            ],
        }
    return {
        "@odata.type": "#microsoft.graph.educationIdentityMatchingConfiguration",
        "matchingOptions": [
            {
                "appliesTo": role,
                "sourcePropertyName": "Username",
                "targetPropertyName": "userPrincipalName",
                "targetDomain": district,
            }
            for role in ("student", "teacher")
        ],
    }


def _provider(i: int, secret: str) -> dict[str, Any]:
    kind = i % 3
    schools = [str(100 + (i + n) % 50) for n in range(1 + i % 4)]
    if kind == 0:
        return {
            "@odata.type": "#microsoft.graph.educationCsvDataProvider",
            "customizations": {
                "student": {"optionalPropertiesToSync": ["State ID", "Middle Name"]},
                "teacher": {"optionalPropertiesToSync": ["Teacher Number"]},
            },
        }
    if kind == 1:
        return {
            "@odata.type": "#microsoft.graph.educationPowerSchoolDataProvider",
            "connectionUrl": f"https://ps{i:05d}.example.edu",
            "clientId": f"ps-client-{i:05d}",
            "clientSecret": secret.format("BENCH_PS_SECRET"),
            "schoolYear": str(2025 + i % 2),
            "schoolsIds": schools,
            "allowTeachersInMultipleSchools": i % 2 == 0,
            "customizations": {
                "student": {"optionalPropertiesToSync": ["State ID", "Student Number", "Grade"]}
            },
        }
    return {
        "@odata.type": "#microsoft.graph.educationOneRosterApiDataProvider",
        "connectionUrl": f"https://or{i:05d}.example.edu/ims/oneroster/v1p1",
        "providerName": "Example SIS",
        "schoolsIds": [f"org-{s}" for s in schools],
        "termIds": ["term-2025-fall", "term-2026-spring"],
        "connectionSettings": {
            "@odata.type": (
                "#microsoft.graph.educationSynchronizationOAuth2ClientCredentialsConnectionSettings"
            ),
            "clientId": f"or-client-{i:05d}",
            "clientSecret": secret.format("BENCH_OR_SECRET"),
            "tokenUrl": f"https://or{i:05d}.example.edu/oauth/token",
            "scope": "roster-core.readonly",
        },
    }


def _profile(i: int, secret: str) -> dict[str, Any]:
    profile: dict[str, Any] = {"displayName": f"Bench District {i:05d}"}
    if i % 3 == 1:
        profile["expirationDate"] = _FUTURE_EXPIRY
        profile["handleSpecialCharacterConstraint"] = True
    profile["dataProvider"] = _provider(i, secret)
    profile["identitySynchronizationConfiguration"] = _identity(i)
    if i % 4 != 3:
        profile["licensesToAssign"] = [
            {"appliesTo": "teacher", "skuIds": [SKUS[i % 3]]},
            {"appliesTo": "student", "skuIds": [SKUS[(i + 1) % 3]]},
        ]
    return profile


def desired_profile(i: int) -> dict[str, Any]:
    """Profile `i` as written in git: secrets as `${NAME}` references."""
    return _profile(i, "${{{}}}")


def tenant_profile(i: int, *, drifted: bool = False) -> dict[str, Any]:
    """Profile `i` as stored in the tenant (secrets resolved); `drifted` changes one declared
    field, as an admin's edit in the portal would."""
    body = _profile(i, "{}")
    provider = body["dataProvider"]
    if provider.get("clientSecret"):
        provider["clientSecret"] = SECRETS[provider["clientSecret"]]
    settings = provider.get("connectionSettings")
    if settings:
        settings["clientSecret"] = SECRETS[settings["clientSecret"]]
    if drifted:
        # The same identity type with other domains: an update (a new type would be a replace).
        body["identitySynchronizationConfiguration"] = _identity(i + 2)
    return body


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if _DATE.match(text):
        return text  # written unquoted, as admins do; the loader keeps dates as text
    plain = _PLAIN.match(text) and ": " not in text and not _NUMBER_LIKE.match(text)
    if plain and text.lower() not in _YAML_WORDS:
        return text
    return json.dumps(text)


def _key(name: str) -> str:
    return name if name[0].isalpha() and _PLAIN.match(name) else json.dumps(name)


def to_yaml(value: dict[str, Any], indent: str = "") -> str:
    """Block-style YAML for a profile (mappings, lists of scalars or mappings, scalars)."""
    lines: list[str] = []
    for key, item in value.items():
        if isinstance(item, dict):
            lines.append(f"{indent}{_key(key)}:\n{to_yaml(item, indent + '  ')}")
        elif isinstance(item, list) and item and isinstance(item[0], dict):
            lines.append(f"{indent}{_key(key)}:")
            for entry in item:
                block = to_yaml(entry, indent + "    ")
                lines.append(f"{indent}  - {block[len(indent) + 4 :]}")
        elif isinstance(item, list):
            lines.append(f"{indent}{_key(key)}: [{', '.join(_scalar(v) for v in item)}]")
        else:
            lines.append(f"{indent}{_key(key)}: {_scalar(item)}")
    return "\n".join(lines)


def write_desired_tree(root: Path, count: int) -> Path:
    """`root/desired-state` with one file per profile; returns that directory."""
    tree = root / "desired-state"
    tree.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        text = f"{_HEADER}{to_yaml(desired_profile(i))}\n"
        (tree / f"district-{i:05d}.yaml").write_text(text, encoding="utf-8")
    return tree


def tenant_bodies(count: int, *, drift_every: int = 0) -> list[dict[str, Any]]:
    """The tenant's copies of profiles 0..count-1; every `drift_every`-th one drifted."""
    return [
        tenant_profile(i, drifted=bool(drift_every) and i % drift_every == 0) for i in range(count)
    ]
