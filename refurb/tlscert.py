"""A self-signed TLS certificate for ``refurb serve --tls`` on the shop's network, made
once (``refurb serve --make-cert``), so a phone's camera may scan on the scan page (a
browser gives the camera only to a secure page).

The key is an ECDSA P-256 key (small, fast, accepted by every current phone), written
0600; the certificate names each host name and IP address given, is valid for 825
days (the longest iOS accepts for a certificate it is told to trust) and is its own
authority, so a phone trusts it once it is installed (docs/guide.md).
"""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from refurb.errors import BadInput
from refurb.i18n import N_, Phrase

DAYS = 825
_HOST = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*")


@dataclass(frozen=True)
class Made:
    cert: Path
    key: Path
    fingerprint: str  # SHA-256, as phones show it: AB:CD:...
    names: tuple[str, ...]
    made: bool  # False: the files were already there and are kept


def fingerprint(cert_pem: bytes) -> str:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    digest = x509.load_pem_x509_certificate(cert_pem).fingerprint(hashes.SHA256())
    return ":".join(f"{b:02X}" for b in digest)


def make(folder: Path, names: list[str]) -> Made:
    """cert.pem and key.pem in ``folder`` for ``names`` (host names or IP addresses);
    files already there are kept (made once: phones that trust it go on trusting it)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    names = list(dict.fromkeys(n.strip() for n in names if n.strip())) or ["localhost"]
    if cert_path.exists() and key_path.exists():
        return Made(cert_path, key_path, fingerprint(cert_path.read_bytes()), tuple(names), False)
    alt: list[x509.GeneralName] = []
    for name in names:
        try:
            alt.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            if not _HOST.fullmatch(name):
                raise BadInput(
                    Phrase(N_("{name!r} is not a host name or IP address"), name=name)
                ) from None
            alt.append(x509.DNSName(name))
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"refurb {names[0]}")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=DAYS))
        .add_extension(x509.SubjectAlternativeName(alt), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    for path, body in ((key_path, key_pem), (cert_path, cert_pem)):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(body)
    return Made(cert_path, key_path, fingerprint(cert_pem), tuple(names), True)
