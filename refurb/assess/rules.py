"""One small pure function per rule: (snapshot, policy, lang) -> findings.

A finding whose data is missing is ``unknown``, never a silent pass. Disk counters a
drive does not report are unknown but ask for no repair (many SSDs lack them); a disk
whose overall health cannot be read asks to be checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from refurb.assess.checklist import ITEMS, Checklist
from refurb.assess.messages import message_of, say
from refurb.assess.policy import Policy
from refurb.i18n import N_, gettext_for
from refurb.identity import PORTABLE_CHASSIS
from refurb.model import Battery, Disk, Snapshot

GIB = 1 << 30


@dataclass
class Repair:
    part: str
    action: str  # replace | add | repair | check
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"part": self.part, "action": self.action, "reason": self.reason}


@dataclass
class Finding:
    check: str
    status: str  # pass | warn | fail | unknown
    value: Any
    threshold: Any
    reason: str
    part: str | None = None
    repair: Repair | None = None
    fatal: bool = False  # the device cannot be refurbished whatever is repaired

    def to_dict(self) -> dict[str, Any]:
        out = {
            "check": self.check,
            "status": self.status,
            "value": self.value,
            "threshold": self.threshold,
            "reason": self.reason,
            "part": self.part,
        }
        message = message_of(self.reason)
        if message is not None:
            out["message"] = message  # to say it again in a reader's language
        return out


def _fix(part: str, action: str, reason: str) -> Repair:
    return Repair(part=part, action=action, reason=reason)


def cpu_rule(snap: Snapshot, policy: Policy, lang: str) -> list[Finding]:
    cpu = snap.cpu
    wanted = policy.cpu.supported_os
    runs = [s for s in cpu.can_run if s in wanted]
    systems = ", ".join(cpu.can_run) or "-"
    if runs:
        return [
            Finding(
                "cpu.os_support",
                "pass",
                cpu.can_run,
                wanted,
                say(lang, "cpu.ok", systems=", ".join(runs)),
                "cpu",
            )
        ]
    if cpu.is_64bit is None and not cpu.can_run:
        return [Finding("cpu.os_support", "unknown", None, wanted, say(lang, "cpu.unknown"), "cpu")]
    return [
        Finding(
            "cpu.os_support",
            "fail",
            cpu.can_run,
            wanted,
            say(lang, "cpu.too_old", systems=systems),
            "cpu",
            fatal=True,
        )
    ]


def memory_rule(snap: Snapshot, policy: Policy, lang: str) -> list[Finding]:
    total = snap.memory.total_bytes
    p = policy.memory
    if total is None:
        return [
            Finding(
                "memory.total", "unknown", None, p.min_gib, say(lang, "memory.unknown"), "memory"
            )
        ]
    # The kernel reserves some memory: allow 10 % under the nominal size ("3.7 GiB" = 4 GiB).
    gib = total / GIB
    if gib < p.min_gib * 0.9:
        reason = say(lang, "memory.too_low", gib=gib, min=p.min_gib)
        return [
            Finding(
                "memory.total",
                "fail",
                round(gib, 2),
                p.min_gib,
                reason,
                "memory",
                _fix("memory", "add", reason),
            )
        ]
    if gib < p.recommended_gib * 0.9:
        return [
            Finding(
                "memory.total",
                "warn",
                round(gib, 2),
                p.recommended_gib,
                say(lang, "memory.low", gib=gib, rec=p.recommended_gib),
                "memory",
            )
        ]
    return [
        Finding(
            "memory.total",
            "pass",
            round(gib, 2),
            p.min_gib,
            say(lang, "memory.ok", gib=gib),
            "memory",
        )
    ]


_COUNTERS = [
    # (attribute, check, what (English, translated when shown), replace limit from policy
    # or None)
    (
        "reallocated_sectors",
        "disk.reallocated",
        N_("reallocated sectors"),
        "reallocated_replace_above",
    ),
    (
        "pending_sectors",
        "disk.pending",
        N_("pending sectors"),
        "pending_replace_above",
    ),
    (
        "offline_uncorrectable",
        "disk.offline_uncorrectable",
        N_("offline uncorrectable sectors"),
        None,
    ),
    (
        "reported_uncorrectable",
        "disk.reported_uncorrectable",
        N_("reported uncorrectable errors"),
        None,
    ),
    (
        "command_timeouts",
        "disk.command_timeouts",
        N_("command timeouts"),
        None,
    ),
]

_NVME_WARNINGS = {
    0: N_("spare space below threshold"),
    1: N_("temperature out of range"),
    2: N_("reliability degraded"),
    3: N_("media is read-only"),
    4: N_("volatile memory backup failed"),
    5: N_("persistent memory region unreliable"),
}


def internal_disks(snap: Snapshot) -> list[Disk]:
    return [d for d in snap.disks if d.kind != "usb"]


def disk_rules(snap: Snapshot, policy: Policy, lang: str) -> list[Finding]:
    findings: list[Finding] = []
    for disk in snap.disks:
        if disk.kind == "usb":
            findings.append(
                Finding(
                    "disk.usb",
                    "pass",
                    disk.name,
                    None,
                    say(lang, "disk.usb_skipped", disk=disk.name),
                    disk.name,
                )
            )
    disks = internal_disks(snap)
    if not disks and policy.disk.require_internal_disk:
        reason = say(lang, "disk.none")
        findings.append(
            Finding("disk.present", "fail", 0, 1, reason, "disk", _fix("disk", "add", reason))
        )
    for disk in disks:
        findings.extend(one_disk(disk, policy, lang))
    return findings


def one_disk(disk: Disk, policy: Policy, lang: str) -> list[Finding]:
    name, p, s = disk.name, policy.disk, disk.smart
    part = f"disk {name}"
    out: list[Finding] = []

    def fail(check: str, value: Any, limit: Any, key: str, **kw: Any) -> None:
        reason = say(lang, key, disk=name, value=value, limit=limit, **kw)
        out.append(
            Finding(check, "fail", value, limit, reason, part, _fix("disk", "replace", reason))
        )

    if s is None or s.passed is None:
        reason = say(lang, "disk.smart_unknown", disk=name)
        out.append(
            Finding(
                "disk.smart_status",
                "unknown",
                None,
                True,
                reason,
                part,
                _fix("disk", "check", reason),
            )
        )
    elif s.passed is False:
        fail("disk.smart_status", False, True, "disk.smart_failed")
    else:
        out.append(
            Finding(
                "disk.smart_status",
                "pass",
                True,
                True,
                say(lang, "disk.smart_passed", disk=name),
                part,
            )
        )
    if s is None:
        return out
    status = s.exit_status or 0
    if status & (1 << 4):
        fail("disk.prefail_attributes", status, None, "disk.prefail")
    soft = [b for b in s.exit_status_bits if b.split(":")[0] in ("bit 2", "bit 5", "bit 6")]
    if soft:
        out.append(
            Finding(
                "disk.smartctl_exit",
                "warn",
                status,
                0,
                say(lang, "disk.exit_bits_warn", disk=name, value="; ".join(soft)),
                part,
            )
        )
    if s.self_test_passed is False or status & (1 << 7):
        fail(
            "disk.self_test",
            s.self_test or "errors in the self-test log",
            "passed",
            "disk.self_test_failed",
        )
    elif s.self_test_passed:
        out.append(
            Finding(
                "disk.self_test",
                "pass",
                s.self_test,
                "passed",
                say(lang, "disk.self_test_ok", disk=name),
                part,
            )
        )
    for attr, check, what_pair, limit_key in _COUNTERS:
        value = getattr(s, attr)
        what = gettext_for(lang)(what_pair)
        if disk.protocol == "NVMe":
            continue  # ATA attributes; NVMe has its own signals below
        limit = (
            getattr(p, limit_key)
            if limit_key
            else (
                p.command_timeouts_warn_above
                if attr == "command_timeouts"
                else p.uncorrectable_warn_above
            )
        )
        if value is None:
            out.append(
                Finding(
                    check,
                    "unknown",
                    None,
                    limit,
                    say(lang, "disk.counter_unknown", disk=name, what=what),
                    part,
                )
            )
        elif limit_key and value > limit:
            fail(check, value, limit, "disk.counter_fail", what=what)
        elif value > 0 and (limit_key or value > limit):
            key = (
                "disk.counter_warn"
                if limit_key
                else "disk.counter_note"
                if attr == "command_timeouts"
                else "disk.counter_look"
            )
            out.append(
                Finding(
                    check,
                    "warn",
                    value,
                    limit,
                    say(lang, key, disk=name, what=what, value=value, limit=limit),
                    part,
                )
            )
        else:
            out.append(
                Finding(
                    check,
                    "pass",
                    value,
                    limit,
                    say(lang, "disk.counter_ok", disk=name, what=what, value=value),
                    part,
                )
            )
    if disk.protocol == "NVMe" or s.critical_warning is not None:
        if s.critical_warning:
            meanings = [
                gettext_for(lang)(pair)
                for bit, pair in _NVME_WARNINGS.items()
                if s.critical_warning & (1 << bit)
            ]
            fail(
                "disk.nvme_critical_warning",
                s.critical_warning,
                0,
                "disk.nvme_warning",
                meaning=", ".join(meanings) or "?",
            )
        spare, floor = s.available_spare_pct, s.available_spare_threshold_pct
        if spare is not None and floor is not None and spare < floor:
            fail("disk.available_spare", spare, floor, "disk.spare_low")
        used = s.percentage_used
        if used is not None and used >= p.percentage_used_replace_at:
            fail("disk.percentage_used", used, p.percentage_used_replace_at, "disk.worn_out")
        if s.media_errors:
            fail("disk.media_errors", s.media_errors, 0, "disk.media_errors")
    return out


def battery_rules(snap: Snapshot, policy: Policy, lang: str) -> list[Finding]:
    chassis = snap.identity.chassis
    if not snap.batteries:
        if chassis in PORTABLE_CHASSIS and policy.battery.require_on_portable:
            reason = say(lang, "battery.none_portable", chassis=chassis)
            return [
                Finding(
                    "battery.present",
                    "fail",
                    0,
                    1,
                    reason,
                    "battery",
                    _fix("battery", "add", reason),
                )
            ]
        if chassis is None:
            return [
                Finding(
                    "battery.present",
                    "unknown",
                    0,
                    None,
                    say(lang, "battery.none_unknown"),
                    "battery",
                )
            ]
        return []
    out: list[Finding] = []
    for bat in snap.batteries:
        out.extend(one_battery(bat, policy, lang))
    return out


def one_battery(bat: Battery, policy: Policy, lang: str) -> list[Finding]:
    p, name = policy.battery, bat.name
    part = f"battery {name}"
    health = bat.health_pct
    out: list[Finding] = []
    if health is None:
        reason = say(lang, "battery.unknown", name=name)
        out.append(
            Finding(
                "battery.health",
                "unknown",
                None,
                p.good_health_pct,
                reason,
                part,
                _fix("battery", "check", reason),
            )
        )
    elif health > 100:
        reason = say(lang, "battery.implausible", name=name, value=health)
        out.append(
            Finding(
                "battery.health",
                "unknown",
                health,
                p.good_health_pct,
                reason,
                part,
                _fix("battery", "check", reason),
            )
        )
    elif health <= p.failed_health_pct:
        reason = say(lang, "battery.failed", name=name, value=health, limit=p.failed_health_pct)
        out.append(
            Finding(
                "battery.health",
                "fail",
                health,
                p.failed_health_pct,
                reason,
                part,
                _fix("battery", "replace", reason),
            )
        )
    elif health < p.replace_health_pct:
        reason = say(lang, "battery.replace", name=name, value=health, limit=p.replace_health_pct)
        out.append(
            Finding(
                "battery.health",
                "fail",
                health,
                p.replace_health_pct,
                reason,
                part,
                _fix("battery", "replace", reason),
            )
        )
    elif health < p.good_health_pct:
        out.append(
            Finding(
                "battery.health",
                "warn",
                health,
                p.good_health_pct,
                say(lang, "battery.worn", name=name, value=health, limit=p.good_health_pct),
                part,
            )
        )
    else:
        out.append(
            Finding(
                "battery.health",
                "pass",
                health,
                p.good_health_pct,
                say(lang, "battery.good", name=name, value=health, limit=p.good_health_pct),
                part,
            )
        )
    cycles = bat.cycle_count
    if cycles is None:
        out.append(
            Finding(
                "battery.cycles",
                "unknown",
                None,
                p.warn_cycles,
                say(lang, "battery.cycles_unknown", name=name),
                part,
            )
        )
    elif cycles >= p.replace_cycles:
        reason = say(
            lang, "battery.cycles_replace", name=name, value=cycles, limit=p.replace_cycles
        )
        out.append(
            Finding(
                "battery.cycles",
                "fail",
                cycles,
                p.replace_cycles,
                reason,
                part,
                _fix("battery", "replace", reason),
            )
        )
    elif cycles >= p.warn_cycles:
        out.append(
            Finding(
                "battery.cycles",
                "warn",
                cycles,
                p.warn_cycles,
                say(lang, "battery.cycles_warn", name=name, value=cycles, limit=p.warn_cycles),
                part,
            )
        )
    else:
        out.append(
            Finding(
                "battery.cycles",
                "pass",
                cycles,
                p.warn_cycles,
                say(lang, "battery.cycles_ok", name=name, value=cycles, limit=p.warn_cycles),
                part,
            )
        )
    return out


_ACTIONS = {
    "replace": N_("Replace it."),
    "repair": N_("Repair it."),
}


def checklist_rules(checklist: Checklist | None, lang: str) -> list[Finding]:
    if checklist is None:
        return [Finding("checklist", "unknown", None, None, say(lang, "checklist.missing"))]
    out = []
    for item in ITEMS:
        name = gettext_for(lang)(item.name)
        answer = checklist.answers.get(item.key, "skip")
        check = f"checklist.{item.key}"
        if answer == "pass":
            out.append(
                Finding(
                    check, "pass", "pass", "pass", say(lang, "checklist.pass", item=name), item.part
                )
            )
        elif answer == "fail":
            action = gettext_for(lang)(_ACTIONS[item.action])
            reason = say(lang, "checklist.fail", item=name, action=action)
            out.append(
                Finding(
                    check,
                    "fail",
                    "fail",
                    "pass",
                    reason,
                    item.part,
                    _fix(item.part, item.action, reason),
                )
            )
        else:
            out.append(
                Finding(
                    check,
                    "unknown",
                    None,
                    "pass",
                    say(lang, "checklist.skip", item=name),
                    item.part,
                )
            )
    return out


def quick_test_rules(checklist: Checklist | None, lang: str) -> list[Finding]:
    """Findings from the time-boxed functional tests that `refurb check` ran."""
    if checklist is None:
        return []
    out = []
    for name, result in sorted(checklist.tests.items()):
        errors = result.get("errors")
        if not isinstance(errors, int):
            continue
        suffix = ""
        if result.get("interrupted"):
            planned = result.get("planned_seconds") or 0
            done = 100 * (result.get("seconds") or 0) / planned if planned else 0
            suffix = say(lang, "test.interrupted", done=done)
        disk = result.get("device", "")
        if name == "cpu_burn":
            if errors:
                out.append(
                    Finding(
                        "test.cpu",
                        "fail",
                        errors,
                        0,
                        say(lang, "test.cpu_fail", value=errors) + suffix,
                        "cpu",
                        fatal=True,
                    )
                )
            else:
                out.append(
                    Finding(
                        "test.cpu",
                        "pass",
                        result.get("rounds"),
                        0,
                        say(
                            lang,
                            "test.cpu_ok",
                            value=result.get("rounds"),
                            seconds=result.get("seconds", 0),
                        )
                        + suffix,
                        "cpu",
                    )
                )
        elif name == "memory":
            if errors:
                reason = say(lang, "test.memory_fail", value=errors) + suffix
                out.append(
                    Finding(
                        "test.memory",
                        "fail",
                        errors,
                        0,
                        reason,
                        "memory",
                        _fix("memory", "replace", reason),
                    )
                )
            else:
                out.append(
                    Finding(
                        "test.memory",
                        "pass",
                        0,
                        0,
                        say(lang, "test.memory_ok", mib=result.get("mib", 0)) + suffix,
                        "memory",
                    )
                )
        elif name == "disk_read":
            if errors:
                reason = say(lang, "test.disk_fail", disk=disk, value=errors) + suffix
                out.append(
                    Finding(
                        "test.disk_read",
                        "fail",
                        errors,
                        0,
                        reason,
                        f"disk {disk}",
                        _fix("disk", "replace", reason),
                    )
                )
            else:
                out.append(
                    Finding(
                        "test.disk_read",
                        "pass",
                        result.get("mb_per_s"),
                        0,
                        say(lang, "test.disk_ok", disk=disk, mbps=result.get("mb_per_s") or 0)
                        + suffix,
                        f"disk {disk}",
                    )
                )
        elif name == "smart_selftest":
            if errors:
                reason = (
                    say(lang, "test.smart_fail", disk=disk, value=result.get("result", "failed"))
                    + suffix
                )
                out.append(
                    Finding(
                        "test.smart_selftest",
                        "fail",
                        result.get("result"),
                        "passed",
                        reason,
                        f"disk {disk}",
                        _fix("disk", "replace", reason),
                    )
                )
            else:
                out.append(
                    Finding(
                        "test.smart_selftest",
                        "pass",
                        result.get("result"),
                        "passed",
                        say(lang, "test.smart_ok", disk=disk) + suffix,
                        f"disk {disk}",
                    )
                )
    return out
