"""The likely fix for a Graph error answer, in plain words (401, 403, a Graph URL without its
version). Graph's own code and message stay in the error; the hint says what to do."""

from __future__ import annotations

from urllib.parse import urlsplit

from reconciler.identity import Identity, Permission

GRAPH_VERSIONS = ("beta", "v1.0")
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
_READS = frozenset({"GET", "HEAD"})


def status_hint(
    status: int, method: str, url: str, base_url: str, identity: Identity
) -> str | None:
    if status == 401:
        return _unauthorized(identity, local=urlsplit(base_url).hostname in _LOOPBACK)
    if status == 403:
        return _forbidden(method, url, identity)
    if status in {400, 404}:
        return version_hint(base_url)
    return None


def version_hint(base_url: str) -> str | None:
    """For a Graph root without `/beta` (Graph answers 404 for an unversioned path), or with
    a resource path after the version (every request then lands below that path)."""
    parts = urlsplit(base_url)
    segments = [s for s in parts.path.split("/") if s]
    last = segments[-1].lower() if segments else ""
    root = f"{parts.scheme}://{parts.netloc}"
    versions = [i for i, s in enumerate(segments) if s.lower() in GRAPH_VERSIONS]
    if versions and versions[0] < len(segments) - 1:
        prefix = "".join(f"/{s}" for s in segments[: versions[0]])
        return f"the Graph URL ends at the version: use {root}{prefix}/beta in --graph-url"
    if last == "v1.0":
        return (
            "School Data Sync profiles are in Graph beta only: use "
            f"{root}{parts.path.rstrip('/')[: -len('v1.0')]}beta in --graph-url"
        )
    if last not in GRAPH_VERSIONS:
        return f"Graph URLs include the version: {root}{parts.path.rstrip('/')}/beta"
    return None


def _unauthorized(identity: Identity, *, local: bool) -> str:
    credential = identity.credential
    if "EDUSYNC_ACCESS_TOKEN" in credential and local:
        return (
            "the emulator refused the token in EDUSYNC_ACCESS_TOKEN: set it to the token the "
            "emulator was started with (its --token)"
        )
    if "EDUSYNC_ACCESS_TOKEN" in credential:
        return (
            "Graph refused the token in EDUSYNC_ACCESS_TOKEN: it has expired (tokens last about "
            "an hour) or is not a Graph token — get a fresh one, or unset EDUSYNC_ACCESS_TOKEN "
            "to use the sign-in of `edusync-reconcile login`"
        )
    if identity.permission is Permission.DELEGATED:
        return f"Graph refused the sign-in ({credential}): run `edusync-reconcile login` again"
    return (
        f"Graph refused the token ({credential}): check AZURE_TENANT_ID and AZURE_CLIENT_ID, and "
        "that the app's credential has not expired"
    )


def _forbidden(method: str, url: str, identity: Identity) -> str:
    path = urlsplit(url).path.lower()
    who = f" ({identity.credential})" if identity.credential else ""
    if "/education/" not in path:
        return (
            f"the identity{who} lacks a permission this call needs: ask an administrator to "
            "grant it and give admin consent"
        )
    if method in _READS:
        need = "EduAdministration.Read (delegated) or EduAdministration.Read.All (application)"
    elif path.rstrip("/").endswith(("/pause", "/resume", "/reset", "/start")):
        need = (
            "EduAdministration.ReadWrite (delegated) or EduAdministration.ReadWrite.All "
            "(application)"
        )
    else:
        need = (
            "EduAdministration.ReadWrite, delegated: an admin signed in with "
            "`edusync-reconcile login` (app-only identities cannot create, update or delete "
            "profiles)"
        )
    return f"this call needs the Graph permission {need}; the identity{who} does not have it"
