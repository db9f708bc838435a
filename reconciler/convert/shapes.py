"""The Industry Data documents `convert-classic` writes — the contract, in one module.

Every kind name, Graph property name, `@odata.type` spelling and YAML convention the converter
emits is here and nowhere else, so aligning the output with the Industry Data kinds
(`reconciler/kinds`) is one edit. The contract:

- graph-industrydata-api.md §1 (property tables): `sourceSystemDefinition`,
  `yearTimePeriodDefinition`, `azureDataLakeConnector`, `oneRosterApiDataConnector` +
  `oAuth1ClientCredential`/`oAuth2ClientCredential`, `inboundFileFlow`/`inboundApiFlow`,
  `outboundProvisioningFlowSet` + `basicFilter`, `userProvisioningFlow`,
  `classGroupProvisioningFlow`; reference values as `{code: …}` (§1.10).
- product spec §10 (YAML conventions): one document per object with `kind:` (`sourceSystem`,
  `year`, `dataConnector`, `inboundFlow`, `provisioningFlowSet`); a reference stands where
  Graph's navigation property is and is written `{ref: NATURAL_KEY}` (role groups `{ref: staff}`
  / `{ref: students}`, years by their code as a string: `{ref: "2027"}`); a set's flows are a
  nested `provisioningFlows:` list; `@odata.type` (spelled `#microsoft.graph.industryData.X`)
  on connectors, inbound flows, flows, credentials and filters.
- `userMatchingSettings[].domainName` is undocumented (reference corrections, item 4):
  Microsoft's own Postman collection and ADF template send it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from reconciler.kinds import model
from reconciler.kinds.industry_data import (
    DATA_CONNECTOR,
    INBOUND_FLOW,
    PROVISIONING_FLOW_SET,
    SOURCE_SYSTEM,
    YEAR,
)
from reconciler.kinds.industry_data.common import (
    FILE_FORMATS,
    IDENTIFIER_TYPES,
    INDUSTRY_DATA,
)
from reconciler.kinds.industry_data.common import MATCH_TARGETS as KIND_MATCH_TARGETS
from reconciler.kinds.industry_data.flow_set import CLASS_ATTRIBUTES as KIND_CLASS_ATTRIBUTES
from reconciler.kinds.industry_data.flow_set import USER_ATTRIBUTES as KIND_USER_ATTRIBUTES
from reconciler.kinds.industry_data.role_group import SYSTEM_ROLE_GROUPS

# Every name below comes from the kinds (reconciler/kinds/industry_data/): what convert writes
# is what validate, plan and apply read.
ODATA_TYPE = model.ODATA_TYPE
NAMESPACE = INDUSTRY_DATA.wire("")

KIND_SOURCE_SYSTEM = SOURCE_SYSTEM.name
KIND_YEAR = YEAR.name
KIND_DATA_CONNECTOR = DATA_CONNECTOR.name
KIND_INBOUND_FLOW = INBOUND_FLOW.name
KIND_FLOW_SET = PROVISIONING_FLOW_SET.name

#: The two system role groups (reference §1.2); known offline, referenced by id.
STAFF, STUDENTS = SYSTEM_ROLE_GROUPS

#: `fileFormat` codes (reference §1.3); classic CSV profiles read SDS v1 files.
FILE_FORMAT_SDS_V1, FILE_FORMAT_SDS_V2_1 = FILE_FORMATS[:2]

#: `RefIdentifierType` / `RefUserMatchTarget` codes Microsoft documents for identity rules.
SOURCE_IDENTIFIERS = IDENTIFIER_TYPES
MATCH_TARGETS = KIND_MATCH_TARGETS

#: `userProvisioningFlow.managementOptions.additionalAttributes` members.
USER_ATTRIBUTES = KIND_USER_ATTRIBUTES
#: `classGroupProvisioningFlow.configuration.additionalAttributes` members.
CLASS_ATTRIBUTES = KIND_CLASS_ATTRIBUTES

Body = dict[str, Any]


@dataclass(frozen=True)
class Document:
    """One desired-state document: its kind, natural key (as `{ref: …}` names it) and body
    (`kind:` first, then Graph's properties)."""

    kind: str
    key: str
    body: Body


def odata(type_name: str) -> str:
    return NAMESPACE + type_name


def ref(key: str) -> Body:
    return {"ref": key}


def code(value: str) -> Body:
    return {"code": value}


def date_text(day: date) -> str:
    """Edm.Date: `YYYY-MM-DD`."""
    return day.isoformat()


def instant_text(day: date) -> str:
    """Edm.DateTimeOffset at the start of `day`, UTC."""
    return f"{day.isoformat()}T00:00:00Z"


@dataclass(frozen=True)
class MatchingRule:
    """One `userMatchingSetting`: how SDS finds (or names) the Entra account of a role group."""

    role_group: str
    source_identifier: str
    match_target: str
    priority_order: int
    domain_name: str | None = None


def source_system(display_name: str, vendor: str | None, rules: Sequence[MatchingRule]) -> Document:
    body: Body = {"kind": KIND_SOURCE_SYSTEM, "displayName": display_name}
    if vendor:
        body["vendor"] = vendor
    settings = []
    for rule in sorted(rules, key=lambda r: r.priority_order):
        setting: Body = {
            "roleGroup": ref(rule.role_group),
            "priorityOrder": rule.priority_order,
            "sourceIdentifier": code(rule.source_identifier),
            "matchTarget": code(rule.match_target),
        }
        if rule.domain_name:
            setting["domainName"] = rule.domain_name
        settings.append(setting)
    if settings:
        body["userMatchingSettings"] = settings
    return Document(KIND_SOURCE_SYSTEM, display_name, body)


def year(year_code: str, display_name: str, start: date, end: date) -> Document:
    body: Body = {
        "kind": KIND_YEAR,
        "displayName": display_name,
        "startDate": date_text(start),
        "endDate": date_text(end),
        "year": code(year_code),
    }
    return Document(KIND_YEAR, year_code, body)


def csv_connector(display_name: str, source_system_key: str, file_format: str) -> Document:
    body: Body = {
        "kind": KIND_DATA_CONNECTOR,
        ODATA_TYPE: odata("azureDataLakeConnector"),
        "displayName": display_name,
        "sourceSystem": ref(source_system_key),
        "fileFormat": code(file_format),
    }
    return Document(KIND_DATA_CONNECTOR, display_name, body)


@dataclass(frozen=True)
class OneRosterOptions:
    """The booleans the OneRoster connector's create (and PATCH) table marks required."""

    contacts: bool = False
    demographics: bool = False
    flags: bool = False


def one_roster_connector(
    display_name: str,
    source_system_key: str,
    *,
    base_url: str,
    api_version: str,
    credential: Body,
    options: OneRosterOptions,
) -> Document:
    body: Body = {
        "kind": KIND_DATA_CONNECTOR,
        ODATA_TYPE: odata("oneRosterApiDataConnector"),
        "displayName": display_name,
        "sourceSystem": ref(source_system_key),
        "apiFormat": "oneRoster",
        "baseUrl": base_url,
        "apiVersion": api_version,
        "credential": credential,
        "isContactsEnabled": options.contacts,
        "isDemographicsEnabled": options.demographics,
        "isFlagsEnabled": options.flags,
    }
    return Document(KIND_DATA_CONNECTOR, display_name, body)


CREDENTIAL_NAME = "OneRoster API credentials"


def oauth1_credential(client_id: str, client_secret: str | None) -> Body:
    body: Body = {
        ODATA_TYPE: odata("oAuth1ClientCredential"),
        "displayName": CREDENTIAL_NAME,
        "clientId": client_id,
    }
    if client_secret is not None:
        body["clientSecret"] = client_secret
    return body


def oauth2_credential(
    client_id: str, client_secret: str | None, token_url: str, scope: str | None
) -> Body:
    body: Body = {
        ODATA_TYPE: odata("oAuth2ClientCredential"),
        "displayName": CREDENTIAL_NAME,
        "clientId": client_id,
    }
    if client_secret is not None:
        body["clientSecret"] = client_secret
    body["tokenUrl"] = token_url
    if scope:
        body["scope"] = scope
    return body


def inbound_flow(
    display_name: str,
    *,
    api: bool,
    connector_key: str,
    year_code: str,
    effective: date,
    expiration: date | None,
) -> Document:
    body: Body = {
        "kind": KIND_INBOUND_FLOW,
        ODATA_TYPE: odata("inboundApiFlow" if api else "inboundFileFlow"),
        "displayName": display_name,
        "dataDomain": "educationRostering",
        "effectiveDateTime": instant_text(effective),
    }
    if expiration is not None:
        body["expirationDateTime"] = instant_text(expiration)
    body["dataConnector"] = ref(connector_key)
    body["year"] = ref(year_code)
    return Document(KIND_INBOUND_FLOW, display_name, body)


@dataclass(frozen=True)
class UserCreation:
    """One `creationOptions.configurations[]` entry."""

    role_group: str
    license_skus: tuple[str, ...] = ()


def user_flow(
    *,
    create_unmatched: bool,
    creations: Sequence[UserCreation],
    additional_attributes: Sequence[str],
) -> Body:
    body: Body = {
        ODATA_TYPE: odata("userProvisioningFlow"),
        "createUnmatchedUsers": create_unmatched,
        # managementOptions is required on every PATCH (reference corrections, item 5):
        # written whole so the first update sends it.
        "managementOptions": {
            "additionalAttributes": list(additional_attributes),
            "additionalOptions": {"allowStudentContactAssociation": False},
        },
    }
    if creations:
        configurations = []
        for creation in creations:
            entry: Body = {"roleGroup": ref(creation.role_group)}
            if creation.license_skus:
                entry["licenseSkus"] = list(creation.license_skus)
            configurations.append(entry)
        body["creationOptions"] = {"configurations": configurations}
    return body


#: Section roles that own and join a class group (classic: teacher roster, student enrolment).
OWNER_SECTION_ROLES = ("teacher",)
MEMBER_SECTION_ROLES = ("student",)


def class_group_flow(
    *,
    additional_attributes: Sequence[str],
    create_team: bool,
    write_display_name_on_create_only: bool,
) -> Body:
    configuration: Body = {}
    if additional_attributes:
        configuration["additionalAttributes"] = list(additional_attributes)
    configuration["additionalOptions"] = {
        "createTeam": create_team,
        "writeDisplayNameOnCreateOnly": write_display_name_on_create_only,
    }
    configuration["enrollmentMappings"] = {
        "ownerEnrollmentMappings": [code(r) for r in OWNER_SECTION_ROLES],
        "memberEnrollmentMappings": [code(r) for r in MEMBER_SECTION_ROLES],
    }
    return {ODATA_TYPE: odata("classGroupProvisioningFlow"), "configuration": configuration}


def flow_set(
    display_name: str, org_external_ids: Sequence[str], flows: Sequence[Mapping[str, Any]]
) -> Document:
    body: Body = {"kind": KIND_FLOW_SET, "displayName": display_name}
    if org_external_ids:
        body["filter"] = {
            ODATA_TYPE: odata("basicFilter"),
            "attribute": "orgExternalId",
            "in": list(org_external_ids),
        }
    body["provisioningFlows"] = [dict(f) for f in flows]
    return Document(KIND_FLOW_SET, display_name, body)


def protected(document: Document) -> Document:
    """The document with `lifecycle: {protect: true}` (never deleted or replaced)."""
    return Document(document.kind, document.key, {**document.body, "lifecycle": {"protect": True}})


def where(kind: str, key: str, member: str = "") -> str:
    """How the report names a place in the output: `dataConnector "X" baseUrl`."""
    return f'{kind} "{key}"' + (f" {member}" if member else "")
