"""`doctor` end to end against the emulator: a healthy run, a wrong token, an unreachable
host, a retired API, app-only and delegated identities, settings and their sources."""

from __future__ import annotations

import base64
import http.server
import json
import shutil
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.emulator import Emulator
from tests.graph import test_failures as sockets

SAMPLE = Path(__file__).resolve().parents[2] / "desired-state"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
APP = "1b730954-1685-4b74-9bfd-dac224a7b894"
RETIRED = (
    "Microsoft retired /education/synchronizationProfiles on 2024-12-31; this tenant answers "
    "HTTP 400 (BadRequest); manage new SDS with the Industry Data kinds"
)
CLEARED = (
    "AZURE_CLIENT_ID",
    "AZURE_TENANT_ID",
    "AZURE_CLIENT_SECRET",
    "AZURE_CLIENT_CERTIFICATE_PATH",
    "AZURE_FEDERATED_TOKEN_FILE",
    "ACTIONS_ID_TOKEN_REQUEST_URL",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
    "EDUSYNC_CREDENTIAL",
    "EDUSYNC_FORMAT",
    "EDUSYNC_GRAPH_URL",
    "HTTPS_PROXY",
    "HTTP_PROXY",
    "https_proxy",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
)


def jwt(**claims: object) -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}.sig"


DELEGATED = jwt(
    scp="EduAdministration.ReadWrite",
    tid=TENANT,
    appid=APP,
    upn="admin@contoso.edu",
    aud="https://graph.microsoft.com",
    exp=int(time.time()) + 3600,
)
APP_ONLY = jwt(
    roles=["EduAdministration.Read.All"],
    tid=TENANT,
    appid=APP,
    aud="00000003-0000-0000-c000-000000000000",  # Graph by its app id
)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    for name in CLEARED:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("EDUSYNC_TOKEN_CACHE", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # no delegated cache here
    monkeypatch.setenv("POWERSCHOOL_CLIENT_SECRET", "ps")
    monkeypatch.setenv("ONEROSTER_CLIENT_SECRET", "or")
    monkeypatch.chdir(tmp_path)
    shutil.copytree(SAMPLE, tmp_path / "desired-state")
    return monkeypatch


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator(page_size=2) as emu:
        yield emu


def checks(out: str) -> dict[str, dict]:
    return {c["id"]: c for c in json.loads(out)["checks"]}


def test_a_healthy_setup_is_ready(cli, env, emulator: Emulator) -> None:
    env.setenv("EDUSYNC_ACCESS_TOKEN", DELEGATED)
    env.setenv("EDUSYNC_GRAPH_URL", emulator.base_url)
    result = cli("doctor")
    assert result.code == 0, result.out + result.err
    assert "✗" not in result.out and "Ready: a run can work from here." in result.out
    assert f"graph URL {emulator.base_url} (env EDUSYNC_GRAPH_URL)" in result.out
    assert "static token: the first source that matches" in result.out
    assert "delegated token: the token in EDUSYNC_ACCESS_TOKEN, user admin@contoso.edu" in (
        result.out
    )
    assert f"tenant: {TENANT}" in result.out and f"app: {APP}" in result.out
    assert "scopes (delegated): EduAdministration.ReadWrite" in result.out
    assert "GET /education/synchronizationProfiles answered 200" in result.out
    assert "latency: one Graph request answered in" in result.out
    assert "3 synchronizationProfile object(s) in 3 file(s), no problems" in result.out
    doc = json.loads(cli("doctor", "--format", "json").out)
    assert doc["format_version"] == 1 and doc["ready"] is True
    assert [c["id"] for c in doc["checks"]] == [
        "settings",
        "credential",
        "token",
        "plan",
        "apply",
        "network",
        "api.synchronizationProfile",
        # every top-level kind of the product's registry (a flow is reached through its set)
        "api.roleGroup",
        "api.referenceValue",
        "api.sourceSystem",
        "api.year",
        "api.dataConnector",
        "api.inboundFlow",
        "api.provisioningFlowSet",
        "desired",
    ]
    assert {c["outcome"] for c in doc["checks"]} == {"ok"}


def test_a_wrong_token_is_named_with_its_fix(cli, env) -> None:
    with Emulator(token="the-right-one") as emulator:
        env.setenv("EDUSYNC_ACCESS_TOKEN", "an-opaque-wrong-one")
        result = cli("doctor", "--graph-url", emulator.base_url, "--format", "json")
    assert result.code == 1
    found = checks(result.out)
    api = found["api.synchronizationProfile"]
    assert api["outcome"] == "fail"
    assert api["summary"].startswith(
        "Graph refused the token: HTTP 401 (InvalidAuthenticationToken)"
    )
    assert "request-id" in api["summary"] and "fresh" in api["fix"]
    # Opaque, to a Graph on this machine: that Graph alone decides (its 401 above says so).
    assert found["token"]["outcome"] == "ok"
    assert "a Graph on this machine" in found["token"]["summary"]
    assert found["settings"]["summary"].endswith("(flag)")


def test_an_unreachable_host_fails_fast_without_retries(cli, env) -> None:
    with socket.socket() as sock:  # a loopback port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env.setenv("EDUSYNC_ACCESS_TOKEN", DELEGATED)
    env.setenv("EDUSYNC_GRAPH_URL", f"http://127.0.0.1:{port}/beta")
    result = cli("doctor", "--format", "json")
    assert result.code == 1
    found = checks(result.out)
    assert found["network"]["outcome"] == "fail"
    assert found["network"]["summary"] == (
        f"cannot connect to 127.0.0.1 port {port}: connection refused"
    )
    assert "is the emulator running" in found["network"]["fix"]
    assert "Errno" not in result.out and "REQUESTS_CA_BUNDLE" not in result.out
    assert found["api.synchronizationProfile"]["outcome"] == "skip"


def network_of(result) -> tuple[str, str]:
    network = checks(result.out)["network"]
    assert network["outcome"] == "fail" and result.code == 1
    for raw in ("Errno", "_ssl.c", "SSL:"):
        assert raw not in result.out, result.out
    return network["summary"], network["fix"]


def test_https_to_the_plain_http_emulator_says_use_http(cli, env, emulator: Emulator) -> None:
    env.setenv("EDUSYNC_ACCESS_TOKEN", DELEGATED)
    https = emulator.base_url.replace("http://", "https://")
    result = cli("doctor", "--graph-url", https, "--format", "json")
    summary, fix = network_of(result)
    assert "does not speak HTTPS" in summary
    assert fix == f"use http:// for a local emulator (--graph-url {emulator.base_url})"
    assert "REQUESTS_CA_BUNDLE" not in result.out and "not used (http)" not in result.out


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[int]:
    """A TLS server whose self-signed certificate nothing trusts."""
    cert_file, key_file = sockets._self_signed(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    server = http.server.HTTPServer(("127.0.0.1", 0), sockets._Quiet)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()


def test_an_untrusted_certificate_names_requests_ca_bundle(cli, env, tls_server: int) -> None:
    env.setenv("EDUSYNC_ACCESS_TOKEN", DELEGATED)
    result = cli(
        "doctor", "--graph-url", f"https://127.0.0.1:{tls_server}/beta", "--format", "json"
    )
    summary, fix = network_of(result)
    assert summary.startswith(f"cannot verify the TLS certificate of 127.0.0.1 port {tls_server}")
    assert "REQUESTS_CA_BUNDLE" in fix


def test_an_opaque_token_for_a_graph_over_https_is_a_warning(cli, env, tls_server: int) -> None:
    """Only plain http on this machine is a local stand-in; over https (as Microsoft Graph is)
    a token whose permissions cannot be read stays a warning."""
    env.setenv("EDUSYNC_ACCESS_TOKEN", "an-opaque-token")
    result = cli(
        "doctor", "--graph-url", f"https://127.0.0.1:{tls_server}/beta", "--format", "json"
    )
    found = checks(result.out)
    assert found["token"]["outcome"] == "warn"
    assert found["plan"]["outcome"] == found["apply"]["outcome"] == "warn"


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("http://127.0.0.1:8080/beta", True),
        ("http://localhost/beta", True),
        ("http://[::1]:9/beta", True),
        ("https://127.0.0.1:8443/beta", False),
        ("https://graph.microsoft.com/beta", False),
        ("http://graph.example.edu/beta", False),
    ],
)
def test_a_local_graph_is_plain_http_on_this_machine(url: str, local: bool) -> None:
    from reconciler.doctor.identity import local_graph

    assert local_graph(url) is local


def test_an_unknown_host_is_a_dns_failure_in_plain_words(cli, env) -> None:
    def no_such_host(*args: object, **kwargs: object) -> None:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    env.setattr(socket, "getaddrinfo", no_such_host)  # the resolver, not our code
    env.setenv("EDUSYNC_ACCESS_TOKEN", DELEGATED)
    result = cli("doctor", "--graph-url", "https://graph.contoso.invalid/beta", "--format", "json")
    summary, fix = network_of(result)
    assert summary == "cannot find the host 'graph.contoso.invalid' (DNS lookup failed)"
    assert fix.startswith("check the host name in --graph-url")


def test_a_dead_proxy_is_named_with_the_proxy_fix(cli, env, emulator: Emulator) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    for name in ("NO_PROXY", "no_proxy"):
        env.delenv(name, raising=False)
    env.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
    env.setenv("EDUSYNC_ACCESS_TOKEN", DELEGATED)
    result = cli("doctor", "--graph-url", emulator.base_url, "--format", "json")
    summary, fix = network_of(result)
    assert summary == f"cannot connect through the proxy 127.0.0.1:{port} (connection refused)"
    assert fix.startswith("check HTTPS_PROXY and HTTP_PROXY")


def test_a_retired_api_is_named_exactly(cli, env) -> None:
    with Emulator(retired=True) as emulator:
        env.setenv("EDUSYNC_ACCESS_TOKEN", DELEGATED)
        env.setenv("EDUSYNC_GRAPH_URL", emulator.base_url)
        result = cli("doctor")
    assert result.code == 1
    assert f"✗ API synchronizationProfile: {RETIRED}\n" in result.out
    assert "Graph refused" not in result.out


@pytest.mark.parametrize(
    ("suffix", "fix"),
    [
        ("", "Graph URLs include the version: {root}/beta"),
        ("/v1.0", "School Data Sync profiles are in Graph beta only: use {root}/beta"),
        (
            "/beta/education/synchronizationProfiles",
            "the Graph URL ends at the version: use {root}/beta",
        ),
    ],
)
def test_a_wrong_graph_url_is_named_as_such_not_as_retired(
    cli, env, emulator: Emulator, suffix: str, fix: str
) -> None:
    root = emulator.base_url.removesuffix("/beta")
    env.setenv("EDUSYNC_ACCESS_TOKEN", DELEGATED)
    result = cli("doctor", "--graph-url", root + suffix, "--format", "json")
    assert result.code == 1
    api = checks(result.out)["api.synchronizationProfile"]
    assert api["outcome"] == "fail"
    assert "retired" not in api["summary"] + (api["fix"] or "")
    assert f"the Graph URL {root + suffix} is not the Graph beta root" in api["summary"]
    assert "HTTP 404 (ResourceNotFound)" in api["summary"]
    assert fix.format(root=root) in api["fix"]


def test_retirement_is_said_only_for_a_right_beta_root(cli, env) -> None:
    with Emulator(retired=True) as emulator:
        env.setenv("EDUSYNC_ACCESS_TOKEN", DELEGATED)
        wrong = cli("doctor", "--graph-url", emulator.base_url.removesuffix("/beta"))
    assert wrong.code == 1
    assert "retired" not in wrong.out and "Graph URLs include the version" in wrong.out


def test_app_only_can_plan_but_apply_needs_delegated(cli, env, emulator: Emulator) -> None:
    env.setenv("EDUSYNC_ACCESS_TOKEN", APP_ONLY)
    env.setenv("EDUSYNC_GRAPH_URL", emulator.base_url)
    result = cli("doctor", "--format", "json")
    assert result.code == 0, result.out
    found = checks(result.out)
    assert found["token"]["summary"].startswith("app-only token")
    assert "roles (application): EduAdministration.Read.All" in found["token"]["details"]
    assert found["plan"]["outcome"] == "ok"
    assert found["apply"]["outcome"] == "warn"
    assert "needs a delegated sign-in (EduAdministration.ReadWrite)" in found["apply"]["summary"]
    assert "edusync-reconcile login" in found["apply"]["fix"]
    strict = cli("doctor", "--apply")
    assert strict.code == 1 and "✗ apply (write)" in strict.out


def test_a_token_without_the_permission_fails_plan(cli, env, emulator: Emulator) -> None:
    env.setenv("EDUSYNC_ACCESS_TOKEN", jwt(scp="User.Read", tid=TENANT, appid=APP))
    env.setenv("EDUSYNC_GRAPH_URL", emulator.base_url)
    found = checks(cli("doctor", "--format", "json").out)
    assert found["plan"]["outcome"] == "fail"
    assert "EduAdministration.Read or EduAdministration.ReadWrite" in found["plan"]["summary"]


def test_an_expired_token_for_another_tenant_fails(cli, env, emulator: Emulator) -> None:
    env.setenv(
        "EDUSYNC_ACCESS_TOKEN",
        jwt(scp="EduAdministration.ReadWrite", tid=TENANT, exp=int(time.time()) - 60),
    )
    env.setenv("AZURE_TENANT_ID", "11111111-2222-3333-4444-555555555555")
    env.setenv("EDUSYNC_GRAPH_URL", emulator.base_url)
    result = cli("doctor", "--format", "json")
    assert result.code == 1
    token = checks(result.out)["token"]
    assert token["outcome"] == "fail"
    assert "expired" in token["summary"] and "11111111-2222" in token["summary"]


def test_no_credential_says_why_each_source_did_not_match(cli, env, emulator: Emulator) -> None:
    env.setenv("EDUSYNC_GRAPH_URL", emulator.base_url)
    env.setenv("AZURE_CLIENT_SECRET", "half-configured")
    result = cli("doctor")
    assert result.code == 1
    assert "✗ credential: no usable credential source" in result.out
    assert "client secret: partly set, AZURE_CLIENT_ID, AZURE_TENANT_ID missing" in result.out
    assert "static token: not set (EDUSYNC_ACCESS_TOKEN)" in result.out
    assert "- token: no credential source" in result.out
    assert "half-configured" not in result.out + result.err
    # The fix stays one line (a Markdown list item too), the try-it hint included.
    fix = next(ln for ln in result.out.splitlines() if ln.startswith("    fix: no credentials"))
    assert fix.endswith("and set the two variables it prints.")


def test_a_pinned_source_and_file_settings_show_where_they_come_from(
    cli, env, emulator: Emulator
) -> None:
    env.setenv("EDUSYNC_ACCESS_TOKEN", DELEGATED)
    (Path("desired-state") / "edusync.yaml").write_text(
        f"tenant: {TENANT}\ngraphUrl: {emulator.base_url}\nparallelism: 2\n"
    )
    result = cli("doctor", "--credential", "token")
    assert result.code == 0, result.out
    assert f"graph URL {emulator.base_url} (edusync.yaml)" in result.out
    assert f"tenant: {TENANT} (edusync.yaml)" in result.out
    assert "parallelism: 2 (edusync.yaml)" in result.out
    assert "credential: token (flag)" in result.out
    assert "static token: pinned by --credential" in result.out


def test_desired_state_problems_and_missing_variables(cli, env, emulator: Emulator) -> None:
    env.setenv("EDUSYNC_ACCESS_TOKEN", DELEGATED)
    env.setenv("EDUSYNC_GRAPH_URL", emulator.base_url)
    env.delenv("ONEROSTER_CLIENT_SECRET")
    warned = cli("doctor", "--format", "json")
    assert warned.code == 0
    variables = checks(warned.out)["variables"]
    assert variables["outcome"] == "warn"
    assert variables["details"] == ["ONEROSTER_CLIENT_SECRET (desired-state/oneroster.yaml:13:19)"]
    assert cli("doctor", "--apply").code == 1
    (Path("desired-state") / "broken.yaml").write_text("displayName: [unclosed\n")
    broken = cli("doctor", "--format", "json")
    assert broken.code == 1
    desired = checks(broken.out)["desired"]
    assert desired["outcome"] == "fail" and "broken.yaml" in desired["details"][0]
    missing = cli("doctor", "nowhere")
    assert missing.code == 1 and "✗ desired state (nowhere): nowhere does not exist" in missing.out


def test_wrong_settings_are_named_where_they_are_written(cli, env) -> None:
    env.setenv("EDUSYNC_ACCESS_TOKEN", DELEGATED)
    # A bad flag value is a usage error before doctor runs (exit 64) ...
    assert cli("doctor", "--graph-url", "ftp://graph.example/beta").code == 64
    # ... and a bad edusync.yaml value is a desired-state problem at its FILE:LINE:COL.
    Path("desired-state/edusync.yaml").write_text("graphUrl: ftp://graph.example/beta\n")
    result = cli("doctor", "--format", "json")
    assert result.code == 1
    desired = checks(result.out)["desired"]
    assert desired["outcome"] == "fail"
    assert "desired-state/edusync.yaml:1:11" in desired["details"][0]
    assert "must start with https://" in desired["details"][0]


def test_another_cloud_is_a_warning_that_the_profile_api_is_global_only(cli, env) -> None:
    env.setenv("EDUSYNC_ACCESS_TOKEN", DELEGATED)
    with Emulator(page_size=2) as emulator:
        result = cli(
            "doctor", "--cloud", "usgov", "--graph-url", emulator.base_url, "--format", "json"
        )
    settings = checks(result.out)["settings"]
    assert settings["outcome"] == "warn", settings
    assert (
        "the SDS profile API is documented for the global cloud only, not usgov"
        in settings["details"]
    )


def test_markdown_shows_each_check_and_the_fix_of_what_failed(cli, env) -> None:
    with Emulator(token="the-right-one") as emulator:
        env.setenv("EDUSYNC_ACCESS_TOKEN", "an-opaque-wrong-one")
        result = cli("doctor", "--graph-url", emulator.base_url, "--format", "markdown")
    assert result.code == 1
    lines = result.out.splitlines()
    assert lines[0] == "### edusync-reconcile doctor"
    assert any(line.startswith("- :white_check_mark: **settings**: ") for line in lines)
    failed = [i for i, line in enumerate(lines) if line.startswith("- :x: ")]
    assert failed, result.out
    assert any(line.startswith("  - fix: ") for line in lines[failed[0] :]), result.out
