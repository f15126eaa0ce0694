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
    font = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"  # PDFs, for syllabics etc.
    timezone = "America/Iqaluit"   # for --at dates (default: the computer's own)
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

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from refurb.errors import BadInput

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
    weights_kg: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS_KG))
    emissions: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_EMISSIONS))
    program_key: str | None = None
    font: str | None = None  # a TrueType font for PDFs whose text Helvetica cannot show
    timezone: str | None = None  # the station's time zone for --at (IANA name)
    path: Path | None = None


def config_path() -> Path:
    env = os.environ.get("REFURB_CONFIG")
    if env:
        return Path(env)
    from platformdirs import user_config_dir

    return Path(user_config_dir("refurb", appauthor=False)) / "config.toml"


def data_dir() -> Path:
    env = os.environ.get("REFURB_DATA_DIR")
    if env:
        return Path(env)
    from platformdirs import user_data_dir

    return Path(user_data_dir("refurb", appauthor=False))


_STR_KEYS = (
    "database_url",
    "station",
    "operator",
    "lang",
    "policy",
    "labels_dir",
    "label_stock",
    "program_key",
    "font",
    "timezone",
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
                f"config {path}: not valid TOML: {exc}", "fix the file or move it away"
            ) from None
        for key, value in doc.items():
            if key in _STR_KEYS:
                if not isinstance(value, str):
                    raise BadInput(f"config {path}: {key} must be text")
                setattr(cfg, key, value)
            elif key == "weights_kg":
                if not isinstance(value, dict) or not all(
                    isinstance(v, int | float) and 0 < v < 1000 for v in value.values()
                ):
                    raise BadInput(
                        f"config {path}: weights_kg must map chassis to kg "
                        "(more than 0, less than 1000)"
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
                        f"config {path}: [emissions] needs kg_co2e_per_reuse "
                        "(a number) and source (text naming where it comes from)"
                    )
                cfg.emissions = {"kg_co2e_per_reuse": float(factor), "source": value["source"]}
                kinds = value.get("kinds", {})
                if not isinstance(kinds, dict):
                    raise BadInput(f"config {path}: [emissions.kinds] must be a table")
                for kind, spec in kinds.items():
                    kg = spec.get("kg_co2e_per_reuse") if isinstance(spec, dict) else None
                    if (
                        not isinstance(kg, int | float)
                        or not 0 <= kg < 100_000
                        or not isinstance(spec.get("source"), str)
                        or not spec["source"].strip()
                    ):
                        raise BadInput(
                            f"config {path}: [emissions.kinds.{kind}] needs "
                            "kg_co2e_per_reuse (a number) and source (where it comes from)"
                        )
                    cfg.emissions.setdefault("kinds", {})[kind] = {
                        "kg_co2e_per_reuse": float(kg),
                        "source": spec["source"],
                    }
            else:
                raise BadInput(f"config {path}: unknown key {key!r}")
    if cfg.lang not in ("en", "fr"):
        raise BadInput(f"config {path}: lang {cfg.lang!r} is not supported; use en or fr")
    for key in _STR_KEYS:
        env = os.environ.get(f"REFURB_{key.upper()}")
        if env:
            setattr(cfg, key, env)
    if cfg.lang not in ("en", "fr"):
        raise BadInput(f"REFURB_LANG={cfg.lang!r} is not supported; use en or fr")
    return cfg
