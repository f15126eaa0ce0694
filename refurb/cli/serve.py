"""refurb serve"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

import click

from refurb.cli.common import db_option, tell
from refurb.errors import BadInput, EnvironmentProblem
from refurb.i18n import N_, Phrase


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
@click.option(
    "--tls-cert", "--cert", type=click.Path(exists=True, dir_okay=False), help="TLS certificate."
)
@click.option(
    "--tls-key", "--key", type=click.Path(exists=True, dir_okay=False), help="TLS private key."
)
@click.option(
    "--tls",
    is_flag=True,
    help="Serve https with --cert/--key, else the config's tls_cert/tls_key, else the "
    "certificate --make-cert made.",
)
@click.option(
    "--make-cert",
    is_flag=True,
    help="Create a self-signed certificate once (for --host-name names and this machine's "
    "addresses), print where it is and its fingerprint, and exit.",
)
@click.option(
    "--host-name",
    "host_names",
    multiple=True,
    help="A name or IP address the certificate is for (repeat it); with --make-cert.",
)
def serve(
    host: str,
    port: int,
    db_url: str | None,
    workers: int,
    tls_cert: str | None,
    tls_key: str | None,
    tls: bool,
    make_cert: bool,
    host_names: tuple[str, ...],
) -> None:
    """The shop's web pages: dashboard, devices and their lifecycle steps, lots,
    participants, funder reports, the scan page, in English and French. Listens on this
    machine only unless --host says otherwise. With no account yet, prints a one-time
    link that creates the first admin. A phone's camera scans only over https: make a
    certificate once with --make-cert, then serve with --tls."""
    if make_cert:
        _make_cert(host, host_names)
        return
    if tls and not (tls_cert or tls_key):
        tls_cert, tls_key = _tls_files()
    try:
        import jinja2  # noqa: F401
        import starlette  # noqa: F401
        import uvicorn
    except ImportError:
        raise EnvironmentProblem(
            N_("the web pages need the web extra"), N_("pip install 'refurb-bench[web]'")
        ) from None
    from refurb.app import accounts, open_inventory

    if bool(tls_cert) != bool(tls_key):
        raise BadInput(N_("give both --tls-cert and --tls-key, or neither"))
    tls = bool(tls_cert)
    if tls_cert and tls_key:
        _check_tls(tls_cert, tls_key)
    if not _loopback(host) and not tls:
        tell(
            N_(
                "warning: listening on {host} without TLS: passwords and session cookies "
                "cross the network readable; give --tls-cert and --tls-key, or put a TLS "
                "proxy in front"
            ),
            host=host,
            err=True,
        )
    store = open_inventory(db_url, "create")
    token = accounts.setup_token(store)
    scheme = "https" if tls else "http"
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    base = f"{scheme}://{shown if ':' not in shown else f'[{shown}]'}:{port}"
    if token:
        tell(N_("no account yet: open this link once to create the first admin:"))
        tell(N_("  {base}/setup?token={token}"), base=base, token=token)
    tell(N_("refurb serving on {base}  (Ctrl-C stops)"), base=base, err=True)
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


def _cert_folder() -> Path:
    from refurb.config import config_path

    return config_path().parent / "tls"


def _tls_files() -> tuple[str, str]:
    from refurb.config import load_config

    cfg = load_config()
    if cfg.tls_cert and cfg.tls_key:
        return cfg.tls_cert, cfg.tls_key
    folder = _cert_folder()
    cert, key = folder / "cert.pem", folder / "key.pem"
    if cert.exists() and key.exists():
        return str(cert), str(key)
    raise BadInput(
        N_("--tls needs a certificate: none given, none in the config, none made"),
        N_("make one once: refurb serve --make-cert --host-name NAME (or give --cert and --key)"),
    )


def _check_tls(cert: str, key: str) -> None:
    import ssl

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        context.load_cert_chain(cert, key)
    except (ssl.SSLError, OSError) as exc:
        raise BadInput(
            Phrase(
                N_("the TLS certificate {cert} and key {key} cannot be used: {exc}"),
                cert=cert,
                key=key,
                exc=exc,
            ),
            N_("give a PEM certificate and its own private key"),
        ) from None


def _addresses() -> list[str]:
    """This machine's names and non-loopback addresses (best effort, no network)."""
    import socket

    found = [socket.gethostname(), "localhost", "127.0.0.1"]
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))  # no packet is sent: only the route is chosen
            found.append(s.getsockname()[0])
    except OSError:
        pass
    return found


def _make_cert(host: str, host_names: tuple[str, ...]) -> None:
    from refurb.tlscert import make

    names = list(host_names)
    if host not in ("0.0.0.0", "::", "127.0.0.1", "localhost"):
        names.append(host)
    names += _addresses()
    try:
        made = make(_cert_folder(), names)
    except ImportError:
        raise EnvironmentProblem(
            N_("making a certificate needs the web extra"), N_("pip install 'refurb-bench[web]'")
        ) from None
    if made.made:
        tell(N_("made a certificate for: {names}"), names=", ".join(made.names))
    else:
        tell(N_("a certificate was made before; kept (phones that trust it still do)"))
    click.echo(f"  certificate: {made.cert}")
    tell(N_("  key:         {key}  (readable by you only)"), key=made.key)
    tell(N_("  SHA-256 fingerprint: {fingerprint}"), fingerprint=made.fingerprint)
    tell(
        N_(
            "serve with: refurb serve --tls --host 0.0.0.0; trust it once on each "
            'phone (docs/guide.md, "Scanning with a phone")'
        )
    )
