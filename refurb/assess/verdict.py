"""The verdict: findings -> repairs -> disposition and R2 grades (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from refurb.assess.checklist import ITEM_BY_KEY, Checklist
from refurb.assess.policy import Policy
from refurb.assess.rules import (
    Finding,
    Repair,
    battery_rules,
    checklist_rules,
    cpu_rule,
    disk_rules,
    memory_rule,
    quick_test_rules,
)
from refurb.model import Snapshot

DISPOSITIONS = ("refurbish", "repair", "harvest", "recycle")


@dataclass
class Assessment:
    disposition: str
    repairs: list[Repair]
    findings: list[Finding]
    grade: dict[str, str | None]
    policy: dict[str, str]
    snapshot_id: str
    lang: str = "en"
    harvestable: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "snapshot_id": self.snapshot_id,
            "disposition": self.disposition,
            "repairs": [r.to_dict() for r in self.repairs],
            "findings": [f.to_dict() for f in self.findings],
            "grade": self.grade,
            "policy": self.policy,
            "harvestable": self.harvestable,
            "lang": self.lang,
        }


def evaluate(
    snap: Snapshot, checklist: Checklist | None, policy: Policy, lang: str = "en"
) -> Assessment:
    findings = (
        cpu_rule(snap, policy, lang)
        + memory_rule(snap, policy, lang)
        + disk_rules(snap, policy, lang)
        + battery_rules(snap, policy, lang)
        + checklist_rules(checklist, lang)
        + quick_test_rules(checklist, lang)
    )
    repairs = _unique_repairs(findings)
    harvestable = _harvestable(snap, findings, checklist)
    if any(f.fatal for f in findings) or len(repairs) > policy.decision.max_repairs:
        disposition = "harvest" if harvestable else "recycle"
    elif repairs:
        disposition = "repair"
    else:
        disposition = "refurbish"
    return Assessment(
        disposition=disposition,
        repairs=repairs,
        findings=findings,
        grade={
            "functional": _functional_grade(findings, checklist, disposition),
            "cosmetic": checklist.cosmetic if checklist else None,
        },
        policy={"name": policy.name, "version": policy.version},
        snapshot_id=snap.snapshot_id,
        lang=lang,
        harvestable=harvestable,
    )


def _unique_repairs(findings: list[Finding]) -> list[Repair]:
    """One repair per part and action: two worn-disk findings ask for one new disk.
    'replace' wins over 'check' for the same part."""
    chosen: dict[str, Repair] = {}
    rank = {"check": 0, "repair": 1, "add": 2, "replace": 3}
    for f in findings:
        r = f.repair
        if r is None:
            continue
        key = f"{r.part}:{f.part}" if r.part in ("disk", "battery") else r.part
        if key not in chosen or rank[r.action] > rank[chosen[key].action]:
            chosen[key] = r
    return list(chosen.values())


def _harvestable(snap: Snapshot, findings: list[Finding], checklist: Checklist | None) -> list[str]:
    """Parts worth keeping when the machine itself is not: nothing failed on them and
    nothing asks for them to be checked (a disk of unknown health is not a spare)."""
    failed_parts = {f.part for f in findings if f.status == "fail" or f.repair is not None}
    parts = []
    for disk in snap.disks:
        if disk.kind != "usb" and f"disk {disk.name}" not in failed_parts:
            parts.append(f"disk {disk.name}")
    has_memory = snap.memory.modules or (snap.memory.total_bytes or 0) >= (2 << 30)
    if has_memory and "memory" not in failed_parts:
        parts.append("memory")
    for bat in snap.batteries:
        if f"battery {bat.name}" not in failed_parts:
            parts.append(f"battery {bat.name}")
    if checklist and checklist.answers.get("charger") == "pass":
        parts.append("charger")
    return parts


def _functional_grade(
    findings: list[Finding], checklist: Checklist | None, disposition: str
) -> str | None:
    """R2v3: F4 hardware functional; F3 key functions working. F5 (refurbished, with
    diagnostics and licensed software) is earned later, when the device is made ready.
    None when the checklist was not done or a key function fails."""
    if checklist is None or disposition in ("harvest", "recycle"):
        return None
    key_failed = any(
        f.status == "fail"
        and f.check.startswith("checklist.")
        and ITEM_BY_KEY[f.check.split(".", 1)[1]].key_function
        for f in findings
    )
    hardware_failed = any(
        f.status == "fail" and f.part is not None and f.part.split()[0] in ("disk", "memory", "cpu")
        for f in findings
    )
    if key_failed or hardware_failed:
        return None
    if any(f.status in ("fail", "unknown") for f in findings):
        return "F3"
    return "F4"
