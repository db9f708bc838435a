"""Where the roster data comes from: one source system, connector and inbound flow per SIS.

Classic profiles that read the same SIS (same provider and URL; every CSV profile, since new
SDS takes one merged upload) share one source system, one connector and one inbound flow; each
profile keeps its own provisioning flow set (see `flows.py`), filtered to its schools.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from reconciler.convert import shapes
from reconciler.convert.classic import ClassicProfile, Path, Provider, canonical_url, host_of
from reconciler.convert.report import Recorder, Status
from reconciler.convert.years import AcademicYear, parse_day, parse_school_year, year_of

#: Graph's limit for every displayName the converter writes (reference §1).
MAX_NAME = 100
_SUFFIX_ROOM = len(" connector") + len(" 2026-2027")

#: PowerSchool's OneRoster endpoints relative to the server (PowerSchool's OneRoster plugin);
#: a proposal the report asks the admin to confirm.
POWERSCHOOL_ONEROSTER_PATH = "/ims/oneroster/v1p1"
POWERSCHOOL_TOKEN_PATH = "/oauth/access_token"  # noqa: S105 (a URL path, not a secret)
#: OneRoster version classic SDS spoke (its API "OneRoster v1.1"); `v1p2` in a URL says 1.2.
DEFAULT_API_VERSION = "1.1"


@dataclass
class SourceGroup:
    provider: Provider
    url: str
    profiles: list[ClassicProfile]
    name: str = ""
    year: AcademicYear = field(default_factory=lambda: AcademicYear(0))
    #: End of the inbound flow's window; None until chosen.
    expiration: date | None = None
    expiration_from_profile: bool = False
    documents: list[shapes.Document] = field(default_factory=list)

    @property
    def first(self) -> ClassicProfile:
        return self.profiles[0]

    @property
    def connector_name(self) -> str:
        return f"{self.name} connector"

    @property
    def flow_name(self) -> str:
        return f"{self.name} {self.year.label}"

    @property
    def api(self) -> bool:
        return self.provider is not Provider.CSV


def group_sources(profiles: list[ClassicProfile]) -> list[SourceGroup]:
    groups: dict[tuple[Provider, str], SourceGroup] = {}
    for profile in profiles:
        provider = profile.provider
        url = "" if provider is Provider.CSV else canonical_url(profile.url)
        group = groups.setdefault((provider, url), SourceGroup(provider, url, []))
        group.profiles.append(profile)
    _name(list(groups.values()))
    return list(groups.values())


def _name(groups: list[SourceGroup]) -> None:
    """Names made from what identifies the SIS, made unique by a number in input order."""
    seen: dict[str, int] = {}
    for group in groups:
        base = _base_name(group)[: MAX_NAME - _SUFFIX_ROOM].rstrip()
        count = seen.get(base.lower(), 0) + 1
        seen[base.lower()] = count
        group.name = base if count == 1 else f"{base} {count}"


def _base_name(group: SourceGroup) -> str:
    if group.provider is Provider.CSV:
        return "CSV upload"
    host = host_of(group.url)
    if group.provider is Provider.POWERSCHOOL:
        return f"PowerSchool ({host})"
    return f"{_vendor(group) or 'OneRoster'} ({host})"


def _vendor(group: SourceGroup) -> str | None:
    if group.provider is Provider.POWERSCHOOL:
        return "PowerSchool"
    for profile in group.profiles:
        name = profile.provider_body.get("providerName")
        if name:
            return str(name)
    return None


# --- academic year and the inbound flow's window -------------------------------------------


def choose_year(group: SourceGroup, today: date, rec: Recorder) -> None:
    """The academic year of the group's inbound flow: the current one, or the next one when a
    profile's expirationDate falls in it (prepared before the summer); never a past year. The
    earliest such year wins, so a sync running today keeps running."""
    current = year_of(today)
    candidates: list[AcademicYear] = []
    live: list[tuple[date, ClassicProfile]] = []
    for profile in group.profiles:
        day = parse_day(profile.body.get("expirationDate"))
        if day is None or day < today:
            candidates.append(current)
            continue
        live.append((day, profile))
        ends_in = year_of(day)
        candidates.append(ends_in if ends_in.ending == current.ending + 1 else current)
    group.year = min(candidates)
    in_window = [(d, p) for d, p in live if d >= group.year.start]
    if in_window:
        group.expiration = min(max(d for d, _ in in_window), group.year.end)
        group.expiration_from_profile = True
    else:
        group.expiration = group.year.end
    for profile in group.profiles:
        _note_expiration(group, profile, today, rec)
        _note_school_year(group, profile, rec)


def _flow(group: SourceGroup, member: str = "") -> str:
    return shapes.where(shapes.KIND_INBOUND_FLOW, group.flow_name, member)


def _note_expiration(
    group: SourceGroup, profile: ClassicProfile, today: date, rec: Recorder
) -> None:
    path: Path = ("expirationDate",)
    text = profile.body.get("expirationDate")
    day = parse_day(text)
    if text is None:
        return
    if day is None:
        rec.note(
            Status.DECIDE,
            profile,
            path,
            f"expirationDate {text!r} is not a date (YYYY-MM-DD): not carried; the inbound "
            f"flow ends with the academic year, {group.year.end}",
            _flow(group, "expirationDateTime"),
        )
        return
    if day < today:
        rec.note(
            Status.DECIDE,
            profile,
            path,
            f"expirationDate {day} has passed: this classic profile had stopped syncing. Its "
            f"settings were converted for the current academic year {group.year.label}; delete "
            "its flow-set file if the sync should stay stopped",
            _flow(group, "expirationDateTime"),
        )
        return
    expiration = group.expiration or group.year.end
    if day == expiration:
        message = (
            f"{day} → expirationDateTime {shapes.instant_text(day)} (00:00 UTC that day) and "
            f"the academic year {group.year.label}, code {group.year.code} (SDS names a year by "
            "its ending calendar year)"
        )
        rec.note(Status.MAPPED, profile, path, message, _flow(group, "expirationDateTime"))
    elif day > group.year.end:
        rec.note(
            Status.GUESSED,
            profile,
            path,
            f"{day} lies beyond the academic year {group.year.label}, and an inbound flow ends "
            f"with its year: expirationDateTime set to the year's last day, {group.year.end}. "
            "Next year is a new year and a new inbound flow (README: academic-year rollover)",
            _flow(group, "expirationDateTime"),
        )
    else:
        rec.note(
            Status.GUESSED,
            profile,
            path,
            f"{day}: the profiles sharing this source have one inbound flow, which ends on the "
            f"latest of their dates, {expiration}",
            _flow(group, "expirationDateTime"),
        )


def _note_school_year(group: SourceGroup, profile: ClassicProfile, rec: Recorder) -> None:
    text = profile.provider_body.get("schoolYear")
    if text is None:
        return
    path: Path = ("dataProvider", "schoolYear")
    said = parse_school_year(text)
    target = shapes.where(shapes.KIND_YEAR, group.year.code)
    if said == group.year:
        rec.note(Status.MAPPED, profile, path, f"{text} → academic year {group.year.label}", target)
        return
    rec.note(
        Status.DECIDE,
        profile,
        path,
        f"schoolYear {text} told classic SDS which PowerSchool year to read; new SDS reads the "
        f"year its inbound flow names, {group.year.label} (code {group.year.code}, from "
        "expirationDate and today's date). Check your SIS serves that year's data, or change the "
        "year",
        target,
    )


# --- documents ---------------------------------------------------------------------------


def source_documents(
    group: SourceGroup, rules: list[shapes.MatchingRule], rec: Recorder
) -> list[shapes.Document]:
    """The group's source system, connector and inbound flow."""
    system = shapes.source_system(group.name, _vendor(group), rules)
    connector = _connector(group, rec)
    flow = shapes.inbound_flow(
        group.flow_name,
        api=group.api,
        connector_key=group.connector_name,
        year_code=group.year.code,
        effective=group.year.start,
        expiration=group.expiration,
    )
    _note_names(group, rec)
    _note_window(group, rec)
    return [system, connector, flow]


def _connector(group: SourceGroup, rec: Recorder) -> shapes.Document:
    if group.provider is Provider.CSV:
        return _csv_connector(group, rec)
    if group.provider is Provider.POWERSCHOOL:
        return _powerschool_connector(group, rec)
    return _oneroster_connector(group, rec)


def _connector_at(group: SourceGroup, member: str = "") -> str:
    return shapes.where(shapes.KIND_DATA_CONNECTOR, group.connector_name, member)


def _csv_connector(group: SourceGroup, rec: Recorder) -> shapes.Document:
    for profile in group.profiles:
        rec.note(
            Status.MAPPED,
            profile,
            ("dataProvider", "@odata.type"),
            "CSV → an Azure Data Lake connector (CSV upload) and an inbound file flow",
            _connector_at(group),
        )
    first = group.first
    rec.anchor(
        Status.GUESSED,
        first,
        ("dataProvider",),
        f"fileFormat {shapes.FILE_FORMAT_SDS_V1}: classic CSV profiles read SDS v1 files "
        f"(School.csv, Section.csv, Student.csv, …); change it to {shapes.FILE_FORMAT_SDS_V2_1} "
        "if you export the SDS v2.1 format (orgs.csv, users.csv, …). It cannot change after the "
        "first apply",
        _connector_at(group, "fileFormat"),
    )
    rec.anchor(
        Status.DECIDE,
        first,
        ("dataProvider",),
        "uploads: classic gave each CSV profile an upload URL; new SDS takes the files through "
        "the connector's upload session (getUploadSession, upload, validate). Point your upload "
        "script or Power Automate flow at it; every upload must hold the full data set"
        + (
            f" of all {len(group.profiles)} profiles' schools, merged into one set of files"
            if len(group.profiles) > 1
            else ""
        ),
        _connector_at(group),
    )
    return shapes.csv_connector(group.connector_name, group.name, shapes.FILE_FORMAT_SDS_V1)


def _api_version(url: str) -> str:
    match = re.search(r"/v(\d+)p(\d+)(/|$)", url.lower())
    return f"{match.group(1)}.{match.group(2)}" if match else DEFAULT_API_VERSION


def _oneroster_connector(group: SourceGroup, rec: Recorder) -> shapes.Document:
    first = group.first
    for profile in group.profiles:
        rec.note(
            Status.MAPPED,
            profile,
            ("dataProvider", "@odata.type"),
            "OneRoster API → a OneRoster API connector and an inbound API flow",
            _connector_at(group),
        )
        rec.note(
            Status.MAPPED,
            profile,
            ("dataProvider", "connectionUrl"),
            f"{profile.url} → baseUrl",
            _connector_at(group, "baseUrl"),
        )
        if profile.provider_body.get("providerName"):
            rec.note(
                Status.MAPPED,
                profile,
                ("dataProvider", "providerName"),
                f"{profile.provider_body['providerName']} → vendor of the source system "
                "(and part of its name)",
                shapes.where(shapes.KIND_SOURCE_SYSTEM, group.name, "vendor"),
            )
        _note_credential(group, profile, rec)
    version = _api_version(first.url)
    rec.note(
        Status.MAPPED,
        first,
        ("dataProvider", "connectionUrl"),
        f"apiVersion {version}: "
        + (
            "the version the URL names"
            if version != DEFAULT_API_VERSION or "v1p1" in first.url.lower()
            else "classic SDS spoke OneRoster 1.1"
        ),
        _connector_at(group, "apiVersion"),
    )
    _note_options(group, rec)
    return shapes.one_roster_connector(
        group.connector_name,
        group.name,
        base_url=first.url,
        api_version=version,
        credential=_oneroster_credential(first),
        options=shapes.OneRosterOptions(),
    )


def _oneroster_credential(profile: ClassicProfile) -> shapes.Body:
    settings = profile.connection
    client_id = str(settings.get("clientId") or "")
    secret = settings.get("clientSecret")
    secret_text = str(secret) if secret is not None else None
    if profile.oauth2:
        return shapes.oauth2_credential(
            client_id,
            secret_text,
            str(settings.get("tokenUrl") or ""),
            str(settings["scope"]) if settings.get("scope") else None,
        )
    return shapes.oauth1_credential(client_id, secret_text)


def _credential_identity(profile: ClassicProfile) -> tuple[object, ...]:
    if profile.provider is Provider.POWERSCHOOL:
        body: Mapping[str, object] = profile.provider_body
        return (body.get("clientId"), body.get("clientSecret"))
    settings = profile.connection
    return (
        profile.oauth2,
        settings.get("clientId"),
        settings.get("clientSecret"),
        settings.get("tokenUrl"),
        settings.get("scope"),
    )


def _note_credential(group: SourceGroup, profile: ClassicProfile, rec: Recorder) -> None:
    base: Path = ("dataProvider", "connectionSettings")
    target = _connector_at(group, "credential")
    if profile is not group.first and _credential_identity(profile) != _credential_identity(
        group.first
    ):
        rec.note(
            Status.DECIDE,
            profile,
            base,
            f"these credentials differ from {group.first.name!r}'s, and the profiles share one "
            "connector: kept the first profile's. Use one client for the source",
            target,
        )
        return
    kind = "OAuth 2 client credentials" if profile.oauth2 else "OAuth 1.0a"
    flavour = "oAuth2ClientCredential" if profile.oauth2 else "oAuth1ClientCredential"
    rec.note(Status.MAPPED, profile, (*base, "@odata.type"), f"{kind} → {flavour}", target)
    settings = profile.connection
    for member in ("clientId", "tokenUrl", "scope"):
        if member in settings:
            rec.note(
                Status.MAPPED,
                profile,
                (*base, member),
                f"{settings[member]} → credential.{member}",
                _connector_at(group, f"credential.{member}"),
            )
    _note_secret(group, profile, (*base, "clientSecret"), settings.get("clientSecret"), rec)


def _note_secret(
    group: SourceGroup, profile: ClassicProfile, path: Path, secret: object, rec: Recorder
) -> None:
    target = _connector_at(group, "credential.clientSecret")
    if secret is None:
        rec.anchor(
            Status.DECIDE,
            profile,
            path[:-1],
            "no clientSecret: the OneRoster connector needs its whole credential on every "
            "create and update; add clientSecret: ${NAME} and set that variable for apply",
            target,
        )
        return
    # The loader refuses a literal secret; should one get here, it is still not shown.
    shown = secret if isinstance(secret, str) and "${" in secret else "(a literal value)"
    rec.note(
        Status.MAPPED,
        profile,
        path,
        f"{shown} stays the same placeholder (never resolved by this command); apply needs "
        "the variable",
        target,
    )


def _note_options(group: SourceGroup, rec: Recorder) -> None:
    rec.anchor(
        Status.GUESSED,
        group.first,
        ("dataProvider",),
        "isContactsEnabled, isDemographicsEnabled and isFlagsEnabled: false (classic read none "
        "of them; Microsoft's example values). Turn on what your provider supports (SDS's "
        "OneRoster provider list says which)",
        _connector_at(group),
    )


def _powerschool_connector(group: SourceGroup, rec: Recorder) -> shapes.Document:
    first = group.first
    server = first.url.rstrip("/")
    base_url = server + POWERSCHOOL_ONEROSTER_PATH
    token_url = server + POWERSCHOOL_TOKEN_PATH
    for profile in group.profiles:
        rec.note(
            Status.DECIDE,
            profile,
            ("dataProvider", "@odata.type"),
            "PROPOSAL: new SDS has no PowerSchool connector (the Industry Data API offers CSV "
            "upload and OneRoster API only). Written: a OneRoster API connector on PowerSchool's "
            "OneRoster endpoint, which keeps the sync automatic like classic. Install and enable "
            "PowerSchool's OneRoster plugin, check the connector's baseUrl and tokenUrl, and "
            "set the plugin's client id and secret. Without that plugin, use CSV instead: "
            "replace the connector with an azureDataLakeConnector and the inbound flow with an "
            "inboundFileFlow, and upload PowerSchool exports",
            _connector_at(group),
        )
        rec.note(
            Status.GUESSED,
            profile,
            ("dataProvider", "connectionUrl"),
            f"{profile.url} → baseUrl {base_url} and tokenUrl {token_url} (PowerSchool's "
            "OneRoster plugin paths): check them in the plugin's settings",
            _connector_at(group, "baseUrl"),
        )
        if profile is not first and _credential_identity(profile) != _credential_identity(first):
            rec.note(
                Status.DECIDE,
                profile,
                ("dataProvider", "clientId"),
                f"this client differs from {first.name!r}'s, and the profiles share one "
                "connector: kept the first profile's",
                _connector_at(group, "credential"),
            )
            rec.account(profile, ("dataProvider", "clientSecret"))
            continue
        rec.note(
            Status.GUESSED,
            profile,
            ("dataProvider", "clientId"),
            "→ credential.clientId of an OAuth 2 client credential; the OneRoster plugin has a "
            "client of its own: replace the id with it",
            _connector_at(group, "credential.clientId"),
        )
        _note_secret(
            group,
            profile,
            ("dataProvider", "clientSecret"),
            profile.provider_body.get("clientSecret"),
            rec,
        )
    rec.anchor(
        Status.GUESSED,
        first,
        ("dataProvider",),
        f"apiVersion {DEFAULT_API_VERSION}: the OneRoster version classic SDS spoke",
        _connector_at(group, "apiVersion"),
    )
    _note_options(group, rec)
    secret = first.provider_body.get("clientSecret")
    credential = shapes.oauth2_credential(
        str(first.provider_body.get("clientId") or ""),
        str(secret) if secret is not None else None,
        token_url,
        None,
    )
    return shapes.one_roster_connector(
        group.connector_name,
        group.name,
        base_url=base_url,
        api_version=DEFAULT_API_VERSION,
        credential=credential,
        options=shapes.OneRosterOptions(),
    )


def _note_names(group: SourceGroup, rec: Recorder) -> None:
    shared = (
        f" (shared by {len(group.profiles)} profiles: the same SIS)"
        if len(group.profiles) > 1
        else ""
    )
    rec.anchor(
        Status.GUESSED,
        group.first,
        ("dataProvider",),
        f"names made up by the converter: source system {group.name!r}{shared}, connector "
        f"{group.connector_name!r}, inbound flow {group.flow_name!r}. The source system's "
        "name cannot change after the first apply: rename it now if you like (and the "
        "{ref: …} that names it in the connector)",
        shapes.where(shapes.KIND_SOURCE_SYSTEM, group.name),
    )


def _note_window(group: SourceGroup, rec: Recorder) -> None:
    start = shapes.instant_text(group.year.start)
    rec.anchor(
        Status.GUESSED,
        group.first,
        ("dataProvider",),
        f"effectiveDateTime {start}: the start of academic year {group.year.label}; runs "
        "process the flow from then. Set the day the sync should begin",
        _flow(group, "effectiveDateTime"),
    )
    if not group.expiration_from_profile:
        rec.anchor(
            Status.GUESSED,
            group.first,
            ("dataProvider",),
            f"expirationDateTime {shapes.instant_text(group.year.end)}: no classic profile of "
            "this source had a future expirationDate; the flow ends with its academic year",
            _flow(group, "expirationDateTime"),
        )
