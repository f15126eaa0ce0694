"""refurb serve"""

from __future__ import annotations

import ipaddress
import os

import click

from refurb.cli.common import db_option
from refurb.errors import BadInput, EnvironmentProblem


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port."
)
@db_option
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Server processes: about one per core (SQLite or PostgreSQL; writers take turns).",
)
@click.option("--tls-cert", type=click.Path(exists=True, dir_okay=False), help="TLS certificate.")
@click.option("--tls-key", type=click.Path(exists=True, dir_okay=False), help="TLS private key.")
def serve(
    host: str,
    port: int,
    db_url: str | None,
    workers: int,
    tls_cert: str | None,
    tls_key: str | None,
) -> None:
    """The shop's web pages: dashboard, devices and their lifecycle steps, lots,
    participants, funder reports, in English and French. Listens on this machine only
    unless --host says otherwise. With no account yet, prints a one-time link that
    creates the first admin."""
    try:
        import jinja2  # noqa: F401
        import starlette  # noqa: F401
        import uvicorn
    except ImportError:
        raise EnvironmentProblem(
            "the web pages need the web extra", "pip install 'refurb-bench[web]'"
        ) from None
    from refurb.app import accounts, open_inventory

    if bool(tls_cert) != bool(tls_key):
        raise BadInput("give both --tls-cert and --tls-key, or neither")
    tls = bool(tls_cert)
    if not _loopback(host) and not tls:
        click.echo(
            f"warning: listening on {host} without TLS: passwords and session cookies cross "
            "the network readable; give --tls-cert and --tls-key, or put a TLS proxy in front",
            err=True,
        )
    store = open_inventory(db_url, "create")
    token = accounts.setup_token(store)
    scheme = "https" if tls else "http"
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    base = f"{scheme}://{shown if ':' not in shown else f'[{shown}]'}:{port}"
    if token:
        click.echo("no account yet: open this link once to create the first admin:")
        click.echo(f"  {base}/setup?token={token}")
    click.echo(f"refurb serving on {base}  (Ctrl-C stops)", err=True)
    # The CLI and the web pages are separate front doors (import-linter keeps them apart):
    # uvicorn is handed the pages' factory by name, and each worker opens the database.
    os.environ["REFURB_WEB_DB"] = store.url
    os.environ["REFURB_WEB_TLS"] = "1" if tls else "0"
    store.dispose()
    uvicorn.run(
        "refurb.web.server:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers if workers > 1 else None,
        log_level="warning",
        ssl_certfile=tls_cert,
        ssl_keyfile=tls_key,
    )
