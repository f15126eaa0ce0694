"""Bundles between stations and the hub: export, and import with the rulebook's
re-check of every device the bundle touches (refused whole, device and rule named)."""

from __future__ import annotations

import json
import math
from datetime import datetime
from types import SimpleNamespace
from typing import IO, Any

from refurb.app.checks import Violation, violations
from refurb.app.lifecycle import SANITIZE_LEVELS
from refurb.errors import BadInput, Conflict, MissingReference, Refused
from refurb.i18n import N_, Listed, Phrase
from refurb.lifecycle.rules import (
    DEVICE_KG,
    LOT_KG,
    PART_KINDS,
    SHIPMENT_KG,
    STATUSES,
    plausible_kg,
)
from refurb.store.bundles import export_bundle, merge, read_bundle
from refurb.store.db import Store
from refurb.store.history import weight_of
from refurb.tags import is_well_formed
from refurb.untrusted import program_code
from refurb.words import CHOICES, EVENTS, RESULTS


def _point(v: Violation) -> Phrase:
    """One point the rulebook found, as ``str(v)`` says it, in the reader's language."""
    if v.seq is None:
        return Phrase(N_("{tag}: {reason}"), tag=v.tag, reason=v.reason)
    return Phrase(N_("{tag} (event {seq}): {reason}"), tag=v.tag, seq=v.seq, reason=v.reason)


def export(
    store: Store, key: bytes, station: str, since: datetime | None
) -> tuple[bytes, dict[str, int]]:
    with store.reading() as session:
        return export_bundle(session, key, station, since)


_CODES = {"lots": N_("lot code"), "participants": N_("participant code")}
_WEIGHTS = {"lots": LOT_KG, "devices": DEVICE_KG, "shipments": SHIPMENT_KG}
_NOT_NEGATIVE = {"devices": ("memory_bytes", "storage_bytes", "battery_health_pct", "year"),
                 "drives": ("size_bytes",), "events": ("seq",)}  # fmt: skip


def _facts(rows: dict[str, list[dict[str, Any]]], where: str) -> None:
    """A bundle's codes and measures, checked as the station's front doors check them
    when they are typed (a signed bundle is still untrusted: a station's key can leak):
    codes normalised or refused (invisible characters, mixed alphabets), weights
    plausible, sizes not negative."""
    hint = N_("correct it at the station, then export again; nothing was imported")
    for table, what in _CODES.items():
        for r in rows[table]:
            try:
                r["code"] = program_code(r["code"], Phrase(what), recorded=True)
            except BadInput as exc:
                raise BadInput(
                    Phrase(N_("bundle {where}: {problem}"), where=where, problem=exc.message), hint
                ) from None

    def implausible(table: str, r: dict[str, Any], column: str) -> BadInput:
        return BadInput(
            Phrase(
                N_("bundle {where}: {table} row {id}: {column} {value} is not plausible"),
                where=where,
                table=table,
                id=str(r.get("id"))[:40],
                column=column,
                value=str(r[column] if column in r else r.get("data"))[:60],
            ),
            hint,
        )

    for table, bounds in _WEIGHTS.items():
        for r in rows[table]:
            if r.get("weight_kg") is not None and not plausible_kg(r["weight_kg"], bounds):
                raise implausible(table, r, "weight_kg")
    for table, columns in _NOT_NEGATIVE.items():
        for r in rows[table]:
            for column in columns:
                if (r.get(column) or 0) < 0:
                    raise implausible(table, r, column)
    for table, column, allowed in _WORDS:
        for r in rows[table]:
            if r.get(column) is not None and r[column] not in allowed:
                raise implausible(table, r, column)
    for r in rows["sanitizations"]:  # a method the level allows (no "physical" clear)
        if r["method"] not in SANITIZE_LEVELS[r["level"]]:
            raise implausible("sanitizations", r, "method")
    for table in ("devices", "device_aliases"):
        for r in rows[table]:
            if not is_well_formed(r["tag"]):
                raise implausible(table, r, "tag")
    for r in rows["events"]:
        if r.get("kind") == "weighed" and not plausible_kg(_weighed_kg(r), DEVICE_KG):
            raise implausible("events", r, "data")


# the words a column may hold, as the rulebook knows them (an unknown status would stop
# every later reader of the device)
_WORDS = (
    ("devices", "status", frozenset(STATUSES)),
    ("events", "status", frozenset(STATUSES)),
    ("events", "kind", frozenset({"status", *EVENTS})),
    ("parts", "kind", frozenset(PART_KINDS)),
    ("lots", "donor_choice", frozenset(CHOICES)),
    ("sanitizations", "level", frozenset(SANITIZE_LEVELS)),
    ("sanitizations", "verification_result", frozenset(RESULTS)),
)


def _weighed_kg(r: dict[str, Any]) -> float:
    """The kilograms of a ``weighed`` event row: a JSON number under "kg" (older events
    give it only in the note, "2.1 kg"); NaN when there is none that can be read."""
    data = json.loads(r["data"]) if r.get("data") else {}
    if "kg" in data and type(data["kg"]) not in (int, float):
        return math.nan
    try:
        kg = weight_of(SimpleNamespace(data=r.get("data"), note=r.get("note")))
    except (ValueError, TypeError, OverflowError):
        return math.nan
    return math.nan if kg is None else kg


def import_bundle(store: Store, data: bytes | IO[bytes], key: bytes, where: str) -> dict[str, int]:
    """Merge one bundle (its bytes, or a file open for reading: never read whole)
    exactly once, or refuse it whole."""

    def checked() -> dict[str, list[dict[str, Any]]]:
        rows = read_bundle(data, key, where)  # checked whole before anything is written
        _facts(rows, where)
        return rows

    rows = checked()
    for attempt in range(8):
        if attempt:
            rows = checked()  # fresh rows: a merge rewrites ids in place
        try:
            with store.transaction() as session:
                merged = merge(session, rows, where)
                found = violations(session.connection(), merged.touched)
                if found:
                    raise Refused(
                        Phrase(
                            N_(
                                "bundle {where} would break the rulebook on {count} point(s): "
                                "{points}{more}"
                            ),
                            where=where,
                            count=len(found),
                            points=Listed([_point(v) for v in found[:5]], "; "),
                            more=" ..." if len(found) > 5 else "",
                        ),
                        N_(
                            "nothing was imported; fix the station's records (or import the "
                            "earlier bundle first, where events are missing)"
                        ),
                        rule=found[0].rule,
                    )
                return merged.added
        except (Conflict, MissingReference):
            # another hub process merged the same rows first (or folded away a device
            # this bundle names); this run now finds them, or merge() names what is
            # missing for good
            if attempt == 7:
                raise
    raise AssertionError("unreachable")
