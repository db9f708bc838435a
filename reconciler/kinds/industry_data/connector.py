"""`dataConnector`: how SDS reaches the SIS data (industryDataConnector, reference §1.5): an
Azure Data Lake container for SDS CSV files, or a OneRoster API with OAuth 1 or 2 client
credentials. `clientSecret` is write-only: never read back, never compared, written `${NAME}`."""

from __future__ import annotations

from reconciler.kinds.industry_data.common import (
    BOOLEAN,
    FILE_FORMAT_VALUE,
    HTTPS_URL,
    INDUSTRY_DATA,
    INSTANT,
    ROOT,
    STRING,
    object_id,
    permissions,
)
from reconciler.kinds.industry_data.runs import RUNS
from reconciler.kinds.model import (
    Endpoint,
    Kind,
    NaturalKey,
    ObjectType,
    Polymorphic,
    Prop,
    ReadVia,
    Reference,
    Relation,
    Scalar,
    ScalarKind,
    UpdateVerb,
    Writes,
)

_CREDENTIAL_BASE = (
    Prop("displayName", STRING, "Name of the credential."),
    # credential.isValid is already true in the create response: never read as "validated"
    # (correction 9).
    Prop("isValid", BOOLEAN, read_only=True),
    Prop("lastValidDateTime", INSTANT, read_only=True),
    Prop("clientId", STRING, "OAuth client id.", required=True, nullable=False),
    Prop(
        "clientSecret",
        STRING,
        "OAuth client secret (write-only: write it as ${NAME}).",
        required=True,
        secret=True,
    ),
)

OAUTH1_CREDENTIAL = ObjectType(
    "oAuth1ClientCredential", _CREDENTIAL_BASE, "OneRoster OAuth 1.0a client credentials."
)
OAUTH2_CREDENTIAL = ObjectType(
    "oAuth2ClientCredential",
    (
        *_CREDENTIAL_BASE,
        Prop("tokenUrl", HTTPS_URL, "OAuth 2 token endpoint (https://).", required=True),
        Prop("scope", STRING, "OAuth 2 scope; Graph echoes null when unset."),
    ),
    "OneRoster OAuth 2 client-credentials grant.",
)

_CONNECTOR_BASE = (
    object_id("connector"),
    Prop("displayName", STRING, "Name of the connector (the natural key).", required=True),
    Prop(
        "sourceSystem",
        Reference("sourceSystem"),
        "The SIS this connector reads: {ref: NAME of a sourceSystem}; cannot change.",
        required=True,
        nullable=False,
    ),
)

AZURE_DATA_LAKE_CONNECTOR = ObjectType(
    "azureDataLakeConnector",
    (
        *_CONNECTOR_BASE,
        # Optional: Microsoft's ADF template creates the connector without it (correction 7).
        Prop("fileFormat", FILE_FORMAT_VALUE, "CSV format: {code: schoolDataSyncV2Rev1}."),
    ),
    "SDS CSV files uploaded to an Azure Data Lake container.",
)

ONE_ROSTER_CONNECTOR = ObjectType(
    "oneRosterApiDataConnector",
    (
        *_CONNECTOR_BASE,
        Prop(
            "apiFormat",
            Scalar(ScalarKind.STRING, enum=("oneRoster",), enum_case_insensitive=True),
            "oneRoster.",
            required=True,
        ),
        Prop("baseUrl", HTTPS_URL, "OneRoster base URL (https://).", required=True),
        Prop(
            "credential",
            Polymorphic("credential", (OAUTH1_CREDENTIAL, OAUTH2_CREDENTIAL), INDUSTRY_DATA),
            "How SDS signs in to the OneRoster API.",
            required=True,
        ),
        Prop("apiVersion", STRING, "OneRoster version: 1.1 or 1.2.", required=True),
        Prop("isDemographicsEnabled", BOOLEAN, "Read demographics.", required=True),
        Prop("isFlagsEnabled", BOOLEAN, "Read person flags.", required=True),
        Prop("isContactsEnabled", BOOLEAN, "Read contacts (guardians).", required=True),
    ),
    "A OneRoster 1.1/1.2 REST API.",
)

CONNECTORS = Polymorphic(
    "industryDataConnector", (AZURE_DATA_LAKE_CONNECTOR, ONE_ROSTER_CONNECTOR), INDUSTRY_DATA
)

DATA_CONNECTOR = Kind(
    name="dataConnector",
    endpoint=Endpoint(f"{ROOT}/dataConnectors"),
    root=CONNECTORS,
    key=NaturalKey(("displayName",)),
    noun="connector",
    writes=Writes(
        UpdateVerb.PATCH,
        # onerosterapidataconnector-update.md marks every member Required, the credential
        # (with its secret) included (correction 5): any update needs the secret.
        patch_always=(
            "displayName",
            "apiFormat",
            "baseUrl",
            "credential",
            "apiVersion",
            "isDemographicsEnabled",
            "isFlagsEnabled",
            "isContactsEnabled",
        ),
        reread=True,
        create_only=("@odata.type", "sourceSystem", "fileFormat"),
        replace_loses="its upload container and validation state; inbound flows bound to it "
        "must be replaced too",
    ),
    permissions=permissions("DataConnector"),
    run_log=RUNS,
    relations=(Relation("sourceSystem", ReadVia.EXPAND),),
    secret_prefixes=(
        ("oAuth1ClientCredential", "ONEROSTER"),
        ("oAuth2ClientCredential", "ONEROSTER"),
    ),
    source_identity=("@odata.type", "baseUrl", "credential.clientId"),
    key_settings=("@odata.type", "sourceSystem", "baseUrl", "fileFormat", "apiVersion"),
)
