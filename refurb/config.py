"""Settings: a CLI flag wins over a REFURB_* environment variable, which wins over the
config file, which wins over the defaults. Paths come from platformdirs.

The config file is TOML at ``$REFURB_CONFIG`` or the user config folder, e.g.::

    database_url = "postgresql+psycopg://refurb@hub.local/refurb"
    station = "IQALUIT-1"          # prefix for asset tags made at this station
    operator = "trainee-07"        # default name on events
    lang = "fr"
    policy = "/etc/refurb/policy.toml"
    labels_dir = "/etc/refurb/labels"  # the shop's own label stocks (TOML), beside ours
    label_stock = "dymo-30252"     # default stock for refurb label / intake --label
    label_url = "https://refurb.shop.local:8443/d/{tag}"  # the labels' QR: this, not the tag
    font = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"  # PDFs, for syllabics etc.
    timezone = "America/Iqaluit"   # for --at dates (default: the computer's own)
    program_name = "Digital Skills North"   # heads reports, certificates, shipment papers
    program_logo = "/etc/refurb/logo.png"   # PNG or JPEG beside the name
    tls_cert = "/etc/refurb/tls/cert.pem"   # refurb serve --tls (else --make-cert's)
    tls_key = "/etc/refurb/tls/key.pem"
    [weights_kg]                   # default weight per chassis when not weighed
    laptop = 2.0
    [emissions]                    # avoided manufacturing emissions per laptop reused
    kg_co2e_per_reuse = 225
    source = "EY for 3StepIT (2022)"
    [emissions.kinds.desktop]      # other kinds only with a factor and its source
    kg_co2e_per_reuse = 300
    source = "the program's own LCA, 2026"
"""

from __future__ import annotations

import contextlib
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from refurb.errors import BadInput
from refurb.i18n import N_, Phrase, available_languages

DEFAULT_WEIGHTS_KG = {
    # ~2 kg for a 14-15" laptop (domain.md); the others are typical shipping weights.
    "laptop": 2.0,
    "convertible": 1.5,
    "tablet": 0.7,
    "handheld": 0.4,
    "desktop": 8.0,
    "all-in-one": 9.0,
    "mini-pc": 1.2,
    "server": 15.0,
    "other": 2.0,
}
# Avoided manufacturing emissions per reused laptop: EY for 3StepIT (domain.md).
DEFAULT_EMISSIONS = {
    "kg_co2e_per_reuse": 225.0,
    "source": "EY for 3StepIT (2022): manufacturing a laptop ~225 kg CO2e",
}


@dataclass
class Config:
    database_url: str | None = None
    station: str = "RF"
    operator: str | None = None
    lang: str = "en"
    policy: str | None = None
    labels_dir: str | None = None
    label_stock: str = "avery-l7160"
    label_url: str | None = None  # a web address ending in /d/{tag}; None: the bare tag
    weights_kg: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS_KG))
    emissions: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_EMISSIONS))
    program_key: str | None = None
    program_name: str | None = None  # on reports, certificates and shipment papers
    program_logo: str | None = None  # a PNG or JPEG beside the program's name
    font: str | None = None  # a TrueType font for PDFs whose text Helvetica cannot show
    timezone: str | None = None  # the station's time zone for --at (IANA name)
    tls_cert: str | None = None  # refurb serve --tls: certificate and key files
    tls_key: str | None = None
    path: Path | None = None


@dataclass(frozen=True)
class SudoUser:
    """The person behind ``sudo``: their name, ids and home folder."""

    name: str
    uid: int
    gid: int
    home: str


def sudo_user() -> SudoUser | None:
    """Who ran ``sudo refurb ...``, when this process runs as root under sudo.

    One inventory whatever the privileges: under sudo, refurb keeps using the invoking
    user's data folder, config file and name (see docs/design.md, "One inventory under
    sudo"). None when not root, not under sudo, or sudo was run by root itself.
    """
    name = os.environ.get("SUDO_USER")
    geteuid = getattr(os, "geteuid", None)
    if not name or name == "root" or geteuid is None or geteuid() != 0:
        return None
    try:
        import pwd

        entry = pwd.getpwnam(name)
    except (ImportError, KeyError):
        return None
    return SudoUser(name, entry.pw_uid, entry.pw_gid, entry.pw_dir)


def _user_dir(kind: str) -> Path:
    """platformdirs' user folder, for the invoking user under sudo."""
    import platformdirs

    find = getattr(platformdirs, f"user_{kind}_dir")
    who = sudo_user()
    if who is None:
        return Path(find("refurb", appauthor=False))
    # platformdirs reads HOME (and XDG_* on Linux); sudo may leave root's there.
    saved = {k: os.environ.get(k) for k in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME")}
    try:
        os.environ["HOME"] = who.home
        os.environ.pop("XDG_DATA_HOME", None)
        os.environ.pop("XDG_CONFIG_HOME", None)
        return Path(find("refurb", appauthor=False))
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def config_path() -> Path:
    env = os.environ.get("REFURB_CONFIG")
    if env:
        return Path(env)
    return _user_dir("config") / "config.toml"


def data_dir() -> Path:
    env = os.environ.get("REFURB_DATA_DIR")
    if env:
        return Path(env)
    return _user_dir("data")


def give_to_invoking_user(path: str | os.PathLike[str]) -> None:
    """Under sudo, hand a file or folder refurb just made to the user who ran sudo, so
    that the same inventory works with and without sudo. Best effort."""
    who = sudo_user()
    if who is None:
        return
    with contextlib.suppress(OSError):
        os.chown(path, who.uid, who.gid)


def make_dirs(path: Path) -> None:
    """``mkdir -p``, handing each folder it makes to the invoking user under sudo."""
    missing = []
    here = path
    while not here.exists() and here != here.parent:
        missing.append(here)
        here = here.parent
    path.mkdir(parents=True, exist_ok=True)
    for made in missing:
        give_to_invoking_user(made)


_STR_KEYS = (
    "database_url",
    "station",
    "operator",
    "lang",
    "policy",
    "labels_dir",
    "label_stock",
    "label_url",
    "program_key",
    "program_name",
    "program_logo",
    "font",
    "timezone",
    "tls_cert",
    "tls_key",
)


def load_config() -> Config:
    cfg = Config()
    path = config_path()
    if path.exists():
        cfg.path = path
        try:
            doc = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise BadInput(
                Phrase(N_("config {path}: not valid TOML: {exc}"), path=path, exc=exc),
                N_("fix the file or move it away"),
            ) from None
        for key, value in doc.items():
            if key in _STR_KEYS:
                if not isinstance(value, str):
                    raise BadInput(
                        Phrase(N_("config {path}: {key} must be text"), path=path, key=key)
                    )
                setattr(cfg, key, value)
            elif key == "weights_kg":
                if not isinstance(value, dict) or not all(
                    isinstance(v, int | float) and 0 < v < 1000 for v in value.values()
                ):
                    raise BadInput(
                        Phrase(
                            N_(
                                "config {path}: weights_kg must map chassis "
                                "to kg (more than 0, less "
                                "than 1000)"
                            ),
                            path=path,
                        )
                    )
                cfg.weights_kg.update({k: float(v) for k, v in value.items()})
            elif key == "emissions":
                factor = value.get("kg_co2e_per_reuse") if isinstance(value, dict) else None
                if (
                    not isinstance(factor, int | float)
                    or not 0 <= factor < 100_000  # also refuses nan and inf
                    or not isinstance(value.get("source"), str)
                ):
                    raise BadInput(
                        Phrase(
                            N_(
                                "config {path}: [emissions] needs kg_co2e_per_reuse (a number) and "
                                "source (text naming where it comes from)"
                            ),
                            path=path,
                        )
                    )
                cfg.emissions = {"kg_co2e_per_reuse": float(factor), "source": value["source"]}
                kinds = value.get("kinds", {})
                if not isinstance(kinds, dict):
                    raise BadInput(
                        Phrase(N_("config {path}: [emissions.kinds] must be a table"), path=path)
                    )
                for kind, spec in kinds.items():
                    kg = spec.get("kg_co2e_per_reuse") if isinstance(spec, dict) else None
                    if (
                        not isinstance(kg, int | float)
                        or not 0 <= kg < 100_000
                        or not isinstance(spec.get("source"), str)
                        or not spec["source"].strip()
                    ):
                        raise BadInput(
                            Phrase(
                                N_(
                                    "config {path}: [emissions.kinds.{kind}] "
                                    "needs kg_co2e_per_reuse (a "
                                    "number) and source (where it comes from)"
                                ),
                                path=path,
                                kind=kind,
                            )
                        )
                    cfg.emissions.setdefault("kinds", {})[kind] = {
                        "kg_co2e_per_reuse": float(kg),
                        "source": spec["source"],
                    }
            else:
                raise BadInput(Phrase(N_("config {path}: unknown key {key!r}"), path=path, key=key))
    if cfg.lang not in (langs := available_languages()):
        raise BadInput(
            Phrase(
                N_("config {path}: lang {lang!r} has no catalogue; use one of {langs}"),
                path=path,
                lang=cfg.lang,
                langs=", ".join(langs),
            )
        )
    if cfg.program_key and cfg.path is not None:
        warn_if_others_can_read(cfg.path)
    for key in _STR_KEYS:
        env = os.environ.get(f"REFURB_{key.upper()}")
        if env:
            setattr(cfg, key, env)
    if cfg.lang not in (langs := available_languages()):
        raise BadInput(
            Phrase(
                N_("REFURB_LANG={lang!r} has no catalogue; use one of {langs}"),
                lang=cfg.lang,
                langs=", ".join(langs),
            )
        )
    if cfg.label_url:
        from refurb.labels import check_label_url

        env = os.environ.get("REFURB_LABEL_URL")
        where = "REFURB_LABEL_URL" if env else f"config {path}"
        check_label_url(cfg.label_url, where)
    return cfg


_WARNED: set[str] = set()


def others_can_read(path: Path) -> bool:
    """True when a group or other users may read the file (POSIX permissions)."""
    if os.name != "posix":
        return False
    try:
        return bool(path.stat().st_mode & 0o077)
    except OSError:
        return False


def warn_if_others_can_read(path: Path) -> None:
    """The program key signs every bundle: a config holding it is the owner's alone."""
    if str(path) in _WARNED or not others_can_read(path):
        return
    _WARNED.add(str(path))
    import sys

    print(
        f"warning: {path} holds the program key and others can read it; run: chmod 600 '{path}'",
        file=sys.stderr,
    )
