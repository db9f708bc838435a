"""`login` and `logout`: the delegated (signed-in admin) token cache."""

from __future__ import annotations

import os

import click

from reconciler.auth import DEFAULT_DELEGATED_TENANT, cache_path, device_code_login, remove_cache
from reconciler.clouds import CLOUDS, Cloud
from reconciler.commands.base import global_options, offline_options, options_of, start_logging
from reconciler.errors import AuthError


def _cloud(ctx: click.Context) -> Cloud:
    # --cloud already reads EDUSYNC_CLOUD through click; the env lookup covers a call that
    # bypasses the option (e.g. a programmatic invoke) and stays consistent with it.
    name = str(options_of(ctx).get("cloud") or os.environ.get("EDUSYNC_CLOUD") or "global")
    cloud = CLOUDS.get(name.lower())
    if cloud is None:
        raise click.BadParameter(
            f"{name!r} is not one of {', '.join(CLOUDS)}", param_hint="--cloud / EDUSYNC_CLOUD"
        )
    return cloud


@click.command(short_help="Sign in as an admin with a device code (delegated token cache).")
@click.option(
    "--client-id",
    metavar="ID",
    envvar=["EDUSYNC_CLIENT_ID", "AZURE_CLIENT_ID"],
    show_envvar=True,
    help="Application (client) id of your app registration (public client flows enabled).",
)
@click.option(
    "--tenant",
    metavar="TENANT",
    envvar="AZURE_TENANT_ID",
    show_envvar=True,
    help=f"Tenant id or domain (default: {DEFAULT_DELEGATED_TENANT}, any work/school account).",
)
@global_options
@click.pass_context
def login(ctx: click.Context, client_id: str | None, tenant: str | None) -> int:
    """Sign in with a device code and keep the admin's tokens in the token cache.

    Open the URL printed on stderr, enter the code, and sign in as an admin who may
    manage School Data Sync. Later commands refresh the token silently. The cache
    (EDUSYNC_TOKEN_CACHE, default ~/.config/edusync-reconcile/token-cache.json) is
    written with mode 0600 and replaces any earlier sign-in.

    \b
    Example:
      edusync-reconcile login --client-id 11111111-2222-3333-4444-555555555555 \\
          --tenant contoso.onmicrosoft.com
    """
    start_logging(ctx)
    if not client_id:
        raise AuthError(
            "login needs the application (client) id of your app registration: "
            "--client-id, EDUSYNC_CLIENT_ID or AZURE_CLIENT_ID (see docs/authentication.md)"
        )
    path = cache_path(os.environ)
    identity = device_code_login(
        os.environ,
        _cloud(ctx),
        client_id=client_id.strip(),
        tenant=(tenant or "").strip() or DEFAULT_DELEGATED_TENANT,
        path=path,
        show=lambda message: click.echo(message, err=True),
    )
    who = identity.principal or "the admin"
    click.echo(f"Signed in as {who}. Token cache: {path}")
    return 0


@click.command(short_help="Forget the delegated sign-in (delete the token cache).")
@offline_options
@click.pass_context
def logout(ctx: click.Context) -> int:
    """Delete the token cache written by `login`. Running it twice is fine.

    This forgets the sign-in on this machine; it does not revoke the refresh token in
    Entra ID (an admin can do that with "Revoke sessions" on the user).

    \b
    Example:
      edusync-reconcile logout
    """
    start_logging(ctx)
    path = cache_path(os.environ)
    if remove_cache(path):
        click.echo(f"Signed out: removed {path}")
    else:
        click.echo(f"Not signed in: no token cache at {path}")
    return 0
