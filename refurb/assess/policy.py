"""The assessment policy: thresholds from a versioned TOML file.

The default ships inside the package (default-policy.toml, each key with its source).
A malformed shop policy is refused with the file, the line and the key at fault.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from refurb.errors import BadInput
from refurb.i18n import N_, Phrase

DEFAULT_POLICY = Path(__file__).with_name("default-policy.toml")


def default_policy_text() -> str:
    """The shipped policy, read as a package resource (works inside the zipapp agent)."""
    from importlib import resources

    return resources.files("refurb.assess").joinpath("default-policy.toml").read_text("utf-8")


@dataclass(frozen=True)
class BatteryPolicy:
    good_health_pct: float
    replace_health_pct: float
    failed_health_pct: float
    warn_cycles: int
    replace_cycles: int
    require_on_portable: bool


@dataclass(frozen=True)
class DiskPolicy:
    reallocated_replace_above: int
    pending_replace_above: int
    uncorrectable_warn_above: int
    command_timeouts_warn_above: int
    percentage_used_replace_at: int
    require_internal_disk: bool


@dataclass(frozen=True)
class MemoryPolicy:
    min_gib: float
    recommended_gib: float


@dataclass(frozen=True)
class CpuPolicy:
    supported_os: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DecisionPolicy:
    max_repairs: int


@dataclass(frozen=True)
class Policy:
    name: str
    version: str
    battery: BatteryPolicy
    disk: DiskPolicy
    memory: MemoryPolicy
    cpu: CpuPolicy
    decision: DecisionPolicy


_SECTIONS: dict[str, type] = {
    "battery": BatteryPolicy,
    "disk": DiskPolicy,
    "memory": MemoryPolicy,
    "cpu": CpuPolicy,
    "decision": DecisionPolicy,
}


def default_policy() -> Policy:
    return parse_policy(default_policy_text(), "the default policy")


def policy_for(path: str | Path | None) -> Policy:
    """The policy a front door judges with: the file the config (or --policy) names,
    else the built-in one."""
    return load_policy(path) if path else default_policy()


MAX_POLICY = 2**20  # bytes; the default policy is about 3 KB


def load_policy(path: str | Path) -> Policy:
    from refurb.untrusted import one_line, read_file

    shown = one_line(str(path))
    if not os.path.lexists(path):
        raise BadInput(
            Phrase(N_("policy {path}: no such file"), path=shown), N_("check the --policy path")
        )
    try:  # a regular file, small: a named pipe or /dev/zero is refused, not read
        text = read_file(path, MAX_POLICY).decode("utf-8")
    except BadInput as exc:
        raise BadInput(
            Phrase(N_("policy {path}: {reason}"), path=shown, reason=exc.message),
            N_("check the --policy path"),
        ) from None
    except UnicodeDecodeError:
        raise BadInput(
            Phrase(N_("policy {path}: not UTF-8 text"), path=shown), N_("check the --policy path")
        ) from None
    return parse_policy(text, shown)


def parse_policy(text: str, where: str) -> Policy:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BadInput(
            Phrase(N_("policy {where}: not valid TOML: {exc}"), where=where, exc=exc),
            N_("fix the line named above"),
        ) from None

    def fail(key: str, problem: str) -> BadInput:
        return BadInput(
            Phrase(
                N_("policy {where}, line {line}: {key} {problem}"),
                where=where,
                line=_line_of(text, key),
                key=key,
                problem=problem,
            ),
            N_("compare with the default policy (refurb assess --show-policy)"),
        )

    head = doc.get("policy")
    if not isinstance(head, dict):
        raise fail("[policy]", "is missing (it needs name and version)")
    for key in ("name", "version"):
        if not isinstance(head.get(key), str) or not head[key].strip():
            raise fail(f"policy.{key}", "must be a non-empty text")
    unknown = set(doc) - set(_SECTIONS) - {"policy"}
    if unknown:
        raise fail(f"[{sorted(unknown)[0]}]", "is not a policy section")
    sections: dict[str, Any] = {}
    for name, cls in _SECTIONS.items():
        values = doc.get(name)
        if not isinstance(values, dict):
            raise fail(f"[{name}]", "is missing")
        sections[name] = _section(cls, name, values, fail)
    b: BatteryPolicy = sections["battery"]
    if not b.failed_health_pct <= b.replace_health_pct <= b.good_health_pct:
        raise fail(
            "battery.replace_health_pct",
            "must lie between failed_health_pct and good_health_pct",
        )
    if b.warn_cycles > b.replace_cycles:
        raise fail("battery.warn_cycles", "must not exceed replace_cycles")
    return Policy(name=head["name"], version=head["version"], **sections)


def _section(cls: type, name: str, values: dict[str, Any], fail: Any) -> Any:
    wanted = {f.name: f for f in fields(cls)}
    extra = set(values) - set(wanted)
    if extra:
        raise fail(f"{name}.{sorted(extra)[0]}", "is not a known key")
    kwargs: dict[str, Any] = {}
    for key, f in wanted.items():
        if key not in values:
            raise fail(f"{name}.{key}", "is missing")
        value = values[key]
        kind = f.type if isinstance(f.type, str) else f.type.__name__
        if kind == "bool":
            ok = isinstance(value, bool)
        elif kind == "int":
            ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
        elif kind == "float":
            ok = isinstance(value, int | float) and not isinstance(value, bool) and value >= 0
            value = float(value) if ok else value
        else:
            ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        if not ok:
            words = {
                "bool": "true or false",
                "int": "a whole number >= 0",
                "float": "a number >= 0",
            }.get(kind, "a list of texts")
            raise fail(f"{name}.{key}", f"must be {words}, found {value!r}")
        kwargs[key] = value
    return cls(**kwargs)


def _line_of(text: str, key: str) -> int | str:
    """The line a (dotted) key or [section] is on, for the error message."""
    target = key.strip("[]").split(".")[-1]
    pattern = (
        rf"^\s*\[{re.escape(target)}\]"
        if key.startswith("[")
        else (rf"^\s*{re.escape(target)}\s*=")
    )
    for number, line in enumerate(text.splitlines(), start=1):
        if re.match(pattern, line):
            return number
    return "?"
