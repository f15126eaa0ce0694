"""Plain-language reasons (English source text, translated by the catalogue). One key
per kind of finding; each text names the value, the threshold and what to do, for a
trainee or an auditor."""

from __future__ import annotations

import math
from typing import Any

from refurb.i18n import N_, SOURCE_LANG, Phrase, gettext_for

CATALOG: dict[str, str] = {
    # CPU
    "cpu.ok": N_("The CPU runs a supported 64-bit system ({systems})."),
    "cpu.too_old": N_(
        "The CPU cannot run a supported 64-bit system (it can run: {systems}). "
        "Harvest the good parts, or recycle."
    ),
    "cpu.unknown": N_("Could not tell whether the CPU is 64-bit. Check the CPU model by hand."),
    # memory
    "memory.ok": N_("{gib:.1f} GiB of memory is enough."),
    "memory.low": N_(
        "{gib:.1f} GiB of memory works, but {rec:g} GiB or more is better; add memory if a "
        "module is at hand."
    ),
    "memory.too_low": N_(
        "Only {gib:.1f} GiB of memory: a current system needs at least {min:g} GiB. Add memory."
    ),
    "memory.unknown": N_("The amount of memory could not be read. Check it in the firmware setup."),
    # disks
    "disk.none": N_("No internal disk was found. Fit a disk (an SSD is best)."),
    "disk.usb_skipped": N_(
        "{disk} is a USB drive (likely the refurb stick); it is not part of the machine."
    ),
    "disk.smart_passed": N_("{disk}: the drive's own health check (SMART) passed."),
    "disk.smart_failed": N_(
        "{disk}: the drive says it is failing (SMART health FAILED). Replace the disk."
    ),
    "disk.smart_unknown": N_(
        "{disk}: the drive's health could not be read, so it is not known to be good. "
        "Check it (surface test) or replace it."
    ),
    "disk.counter_ok": N_("{disk}: {what} = {value}."),
    "disk.counter_unknown": N_("{disk}: the drive does not report {what}."),
    "disk.counter_warn": N_(
        "{disk}: {what} = {value}. The drive still works, but watch it; replace it above {limit}."
    ),
    "disk.counter_fail": N_(
        "{disk}: {what} = {value}, above the limit of {limit}: the disk is wearing out. "
        "Replace the disk."
    ),
    "disk.counter_note": N_(
        "{disk}: {what} = {value}. Often a loose cable or connector rather than worn media; "
        "reseat the disk and test again."
    ),
    "disk.counter_look": N_(
        "{disk}: {what} = {value}. Some data could not be read back; run a surface test "
        "and watch the drive."
    ),
    "disk.nvme_warning": N_(
        "{disk}: the NVMe drive raises a critical warning ({value}: {meaning}). Replace the disk."
    ),
    "disk.spare_low": N_(
        "{disk}: spare blocks at {value} %, below the drive's threshold of {limit} %. "
        "Replace the disk."
    ),
    "disk.worn_out": N_(
        "{disk}: {value} % of the rated endurance is used (limit {limit} %). Replace the disk."
    ),
    "disk.media_errors": N_(
        "{disk}: {value} media errors (data that could not be read back). Replace the disk."
    ),
    "disk.self_test_failed": N_("{disk}: the last self-test failed ({value}). Replace the disk."),
    "disk.self_test_ok": N_("{disk}: the last self-test passed."),
    "disk.exit_bits_warn": N_(
        "{disk}: smartctl reported: {value}. Not a failure by itself; look at the drive's logs."
    ),
    "disk.prefail": N_(
        "{disk}: a pre-failure attribute is at or below its threshold. Replace the disk."
    ),
    # batteries
    "battery.none_portable": N_("This is a {chassis} but no battery was found. Fit a battery."),
    "battery.none_unknown": N_(
        "No battery was found and the machine type is unknown: check whether it should have one."
    ),
    "battery.good": N_(
        "Battery {name}: {value:g} % of its design capacity (good is {limit:g} % or more)."
    ),
    "battery.worn": N_(
        "Battery {name}: {value:g} % of its design capacity, below {limit:g} %. It works but "
        "holds less charge; tell the participant."
    ),
    "battery.replace": N_(
        "Battery {name}: only {value:g} % of its design capacity (replace below {limit:g} %). "
        "Replace the battery."
    ),
    "battery.failed": N_(
        "Battery {name}: {value:g} % of its design capacity: it has failed (at or below "
        "{limit:g} %). Replace the battery."
    ),
    "battery.unknown": N_(
        "Battery {name}: its health could not be read. Check it by hand (charge it fully, "
        "then probe again)."
    ),
    "battery.implausible": N_(
        "Battery {name}: reports {value:g} % of design, which is not possible; its gauge is "
        "uncalibrated. Charge and discharge it fully, then probe again."
    ),
    "battery.cycles_ok": N_("Battery {name}: {value} charge cycles (fine below {limit})."),
    "battery.cycles_warn": N_(
        "Battery {name}: {value} charge cycles, {limit} or more: it is ageing."
    ),
    "battery.cycles_replace": N_(
        "Battery {name}: {value} charge cycles, {limit} or more. Replace the battery."
    ),
    "battery.cycles_unknown": N_("Battery {name}: the cycle count is not reported."),
    # bench checklist and quick tests
    "checklist.missing": N_(
        "The bench checklist was not done (screen, keyboard, ports...). Run `refurb check`."
    ),
    "checklist.pass": N_("{item}: works."),
    "checklist.fail": N_("{item}: does not work. {action}"),
    "checklist.skip": N_("{item}: not checked."),
    "test.cpu_ok": N_("CPU test: {value} rounds in {seconds:g} s, every result correct."),
    "test.cpu_fail": N_(
        "CPU test: {value} wrong results. The processor or board is unreliable: harvest."
    ),
    "test.memory_ok": N_("Memory test: {mib} MiB checked, no errors."),
    "test.memory_fail": N_("Memory test: {value} errors. Replace the faulty memory module."),
    "test.disk_ok": N_("Disk read test on {disk}: {mbps:.0f} MB/s, no read errors."),
    "test.disk_fail": N_("Disk read test on {disk}: {value} read errors. Replace the disk."),
    "test.smart_ok": N_("SMART short self-test on {disk}: passed."),
    "test.smart_fail": N_("SMART short self-test on {disk}: {value}. Replace the disk."),
    "test.interrupted": N_(" (stopped early; {done:.0f} % of the planned time was measured)"),
}

DISPOSITION = {
    "refurbish": N_("Refurbish"),
    "repair": N_("Repair"),
    "harvest": N_("Harvest for parts"),
    "recycle": N_("Recycle"),
}

STATUS = {
    "pass": N_("ok"),
    "warn": N_("watch"),
    "fail": N_("FAIL"),
    "unknown": N_("unknown"),
}


class Said(str):
    """A reason in the bench's language that remembers its message and values, so that a
    reader in another language sees it in theirs (``reason_in``)."""

    key: str
    params: dict[str, Any]


def say(lang: str, key: str, **params: Any) -> str:
    # as a Phrase renders: numbers take the reader's separators ("7,6 Gio"); in English,
    # the catalogue's own language, the phrase's text is already that (an import judges
    # thousands of findings: rendering each twice cost a third of the assessment)
    phrase = Phrase(CATALOG[key], **params)
    said = Said(phrase if lang == SOURCE_LANG else phrase.render(gettext_for(lang)))
    said.key, said.params = key, params
    return said


def message_of(reason: str) -> dict[str, Any] | None:
    """What a finding keeps of its reason to say it again in another language: the
    message's key and its values, when they are plain JSON (numbers, text, lists)."""
    if not isinstance(reason, Said) or not _plain(reason.params):
        return None
    return {"key": reason.key, "params": reason.params}


def _plain(value: Any) -> bool:
    """JSON that reads back as it was written: text, true/false, whole and finite
    numbers, null, lists and objects of them (checked in place: an import assesses
    thousands of findings, and a trial json.dumps of each cost more)."""
    if value is None or isinstance(value, (str, bool, int)):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, (list, tuple)):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    return False


def reason_in(finding: dict[str, Any], lang: str) -> str:
    """A stored finding's reason in the reader's language: said again from its message
    when it kept one this refurb knows; else as it was written at the bench (an older
    record, or a message from a newer refurb)."""
    stored = str(finding.get("reason") or "")
    message = finding.get("message")
    if not isinstance(message, dict) or message.get("key") not in CATALOG:
        return stored
    params = message.get("params")
    try:
        return say(lang, message["key"], **(params if isinstance(params, dict) else {}))
    except (KeyError, ValueError, TypeError, IndexError, AttributeError, RecursionError):
        return stored  # values that no longer fit the message: the bench's words


def word(table: dict[str, str], key: str, lang: str) -> str:
    return gettext_for(lang)(table[key]) if key in table else key
