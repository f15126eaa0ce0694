"""The domain's words as people read them, one table per kind of value, marked for the
catalogue: a stored value (``"block-erase"``, ``"battery"``) stays what it is in the
database, the commands' options and the JSON; the pages and printed text show its word in
the reader's language (``word("method", "block-erase", "fr")``: "effacement par blocs").

Each word carries a context (msgctxt), so "removed" as a level and "removed" as a
method, or "recycle" as a donor's choice, are translated on their own."""

from __future__ import annotations

import re

from refurb.i18n import N_, NC_, Phrase, gettext_for

# NIST SP 800-88 levels keep their English names beside the word: the certificate and the
# standard use them, and a lead reading either should find the same term.
LEVELS = {
    "clear": NC_("wipe level", "clear"),
    "purge": NC_("wipe level", "purge"),
    "destroy": NC_("wipe level", "destroy"),
    "removed": NC_("wipe level", "removed (kept apart)"),
}
METHODS = {
    "overwrite": NC_("wipe method", "overwrite"),
    "block-erase": NC_("wipe method", "block erase"),
    "crypto-erase": NC_("wipe method", "cryptographic erase"),
    "physical": NC_("wipe method", "physical destruction"),
    "removed": NC_("wipe method", "drive removed"),
}
RESULTS = {
    "pass": NC_("verification result", "pass"),
    "fail": NC_("verification result", "fail"),
}
PARTS = {
    "ram": NC_("part", "memory (RAM)"),
    "ssd": NC_("part", "SSD"),
    "hdd": NC_("part", "hard disk"),
    "nvme": NC_("part", "NVMe SSD"),
    "battery": NC_("part", "battery"),
    "charger": NC_("part", "charger"),
    "screen": NC_("part", "screen"),
    "keyboard": NC_("part", "keyboard"),
    "other": NC_("part", "other part"),
}
CHOICES = {
    "reuse": NC_("donor's choice", "reuse"),
    "recycle": NC_("donor's choice", "recycle"),
}
# what an event other than a change of status is, in a history
EVENTS = {
    "note": NC_("event", "note"),
    "weighed": NC_("event", "weighed"),
    "sanitized": NC_("event", "sanitized"),
    "part-out": NC_("event", "part taken out"),
    "part-in": NC_("event", "part fitted"),
    "assessed": NC_("event", "assessed"),
    "probed": NC_("event", "probed"),
    "seen": NC_("event", "seen at a site"),
    "sited": NC_("event", "moved to a site"),
    "attest": NC_("event", "attested by a lead"),
    "void": NC_("event", "voided"),
}

# a machine's form factor (the snapshot's chassis)
KINDS: dict[str, str] = {
    "laptop": N_("laptop"),
    "convertible": N_("convertible"),
    "desktop": N_("desktop"),
    "all-in-one": N_("all-in-one"),
    "mini-pc": N_("mini PC"),
    "tablet": N_("tablet"),
    "handheld": N_("handheld"),
    "server": N_("server"),
    "other": N_("other"),
}

TABLES = {
    "level": LEVELS,
    "method": METHODS,
    "result": RESULTS,
    "part": PARTS,
    "choice": CHOICES,
    "event": EVENTS,
    "chassis": KINDS,
}


def word(kind: str, value: str | None, lang: str | None) -> str:
    """The word for a stored value; a value the table does not know is shown as stored
    (a record from a newer version, say), never an error."""
    if value is None:
        return ""
    known = TABLES[kind].get(value)
    return gettext_for(lang)(known) if known is not None else value


# notes refurb writes itself on an event (refurb.store), said again in a reader's language;
# a note a person wrote is shown as written
_VERDICT = re.compile(r"verdict: (\w+)(?: \(status stays (\w+)\))?")
_SANITIZED = re.compile(
    r"(.+): (clear|purge|destroy|removed) by ([\w-]+)(?:, verified (pass|fail))?"
)
_LOT = re.compile(r"lot (\S+)")
_SHIPMENT = re.compile(r"shipment (\S+)(?: to (.+))?")


def note(text: str | None, lang: str | None) -> str:
    """An event's note in the reader's language, when refurb wrote it ("verdict: repair",
    "nvme0n1: purge by block-erase, verified pass", "lot DON-1", "shipment S-1 to X")."""
    if not text:
        return ""
    tr = gettext_for(lang)
    said = _said(text)
    return tr(said) if said is not None else text


def _said(text: str) -> Phrase | None:
    from refurb.assess.messages import DISPOSITION

    if (found := _VERDICT.fullmatch(text)) and found[1] in DISPOSITION:
        verdict = Phrase(DISPOSITION[found[1]])
        if found[2] is None:
            return Phrase(N_("verdict: {verdict}"), verdict=verdict)
        return Phrase(
            N_("verdict: {verdict} (status stays {status})"),
            verdict=verdict,
            status=_status(found[2]),
        )
    if found := _SANITIZED.fullmatch(text):
        level, method = LEVELS.get(found[2], found[2]), METHODS.get(found[3], found[3])
        if found[4] is None:
            return Phrase(N_("{drive}: {level} by {method}"), drive=found[1], level=level,
                          method=method)  # fmt: skip
        return Phrase(
            N_("{drive}: {level} by {method}, verified {result}"),
            drive=found[1],
            level=level,
            method=method,
            result=RESULTS.get(found[4], found[4]),
        )
    if found := _LOT.fullmatch(text):
        return Phrase(N_("lot {code}"), code=found[1])
    if found := _SHIPMENT.fullmatch(text):
        if found[2] is None:
            return Phrase(N_("shipment {code}"), code=found[1])
        return Phrase(N_("shipment {code} to {recycler}"), code=found[1], recycler=found[2])
    return None


def _status(status: str) -> Phrase | str:
    from refurb.reports.i18n import STATUS_WORDS

    return Phrase(STATUS_WORDS[status]) if status in STATUS_WORDS else status
