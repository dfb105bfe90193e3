"""`cityops warehouse ...`: start, stop and reach the warehouse database; street accounts."""

from __future__ import annotations

import os

import typer

from ..settings import get_settings
from ._app import console, say

warehouse_app = typer.Typer(
    help="Start, stop and reach the warehouse database.", no_args_is_help=True
)


@warehouse_app.command("start")
def warehouse_start() -> None:
    """Start the embedded PostgreSQL (if WAREHOUSE_URL is unset) and bootstrap the schemas."""
    from ..warehouse import bootstrap, warehouse_url

    url = warehouse_url()
    bootstrap(url)
    console.print(
        f"warehouse ready: {_without_password(url)} (`cityops warehouse url` prints the full URL)"
    )


@warehouse_app.command("stop")
def warehouse_stop() -> None:
    """Stop the embedded PostgreSQL (nothing to do when WAREHOUSE_URL points elsewhere)."""
    from ..warehouse import embedded_server

    settings = get_settings()
    if not settings.uses_embedded_warehouse:
        console.print("WAREHOUSE_URL is set: that server is not ours to stop.")
        return
    stopped = embedded_server(settings).stop()
    console.print("embedded warehouse stopped" if stopped else "embedded warehouse was not running")


@warehouse_app.command("url")
def warehouse_url_cmd() -> None:
    """Print the warehouse's connection URL (starting the embedded server if needed)."""
    from ..warehouse import warehouse_url

    typer.echo(warehouse_url())


@warehouse_app.command("status")
def warehouse_status() -> None:
    """Say which warehouse is in use and whether it answers."""
    from ..warehouse import embedded_server

    settings = get_settings()
    if settings.warehouse_url:
        console.print(f"external warehouse: {_without_password(settings.warehouse_url)}")
        return
    server = embedded_server(settings)
    port = server.port()
    state = f"running on 127.0.0.1:{port}" if server.is_running() else "stopped"
    console.print(f"embedded warehouse in {settings.pgdata}: {state}")


def _without_password(url: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if not parts.password:
        return url
    netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


@warehouse_app.command(
    "psql", context_settings={"allow_extra_args": True, "ignore_unknown_options": True}
)
def warehouse_psql(ctx: typer.Context) -> None:
    """Open psql on the warehouse; extra arguments go to psql (e.g. -c 'select 1')."""
    from ..warehouse import pg_program, warehouse_url

    url = warehouse_url()
    psql = str(pg_program("psql"))
    os.execv(psql, [psql, url, *ctx.args])


@warehouse_app.command("street-account")
def warehouse_street_account(
    street_code: str = typer.Argument(..., help="the street's code, e.g. 310101002"),
) -> None:
    """Create the login of one street (it sees only its own rows of the street marts).

    The password, if any, is read from CITYOPS_STREET_PASSWORD (never from the command line).
    """
    import psycopg

    from ..roles import create_street_account
    from ..warehouse import warehouse_url

    try:
        with psycopg.connect(warehouse_url(), autocommit=True) as conn:
            role = create_street_account(conn, street_code, get_settings().street_password)
    except ValueError as exc:
        say("error:", exc)
        raise typer.Exit(2) from exc
    console.print(f"street account {role} ready")
