"""Intake from a snapshot file someone sends (the web pages' intake form): the same
checks, verdict and record as ``refurb intake SNAPSHOT --checklist FILE``, from bytes
instead of a path, with the bench checklist answered in the form."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from refurb import model
from refurb.app.intake import intake
from refurb.assess import evaluate
from refurb.assess.checklist import Checklist, checklist_from_dict
from refurb.assess.policy import Policy
from refurb.assess.verdict import Assessment
from refurb.errors import BadInput
from refurb.i18n import N_, Phrase
from refurb.store.db import Store
from refurb.store.intake import IntakeResult
from refurb.untrusted import MAX_SNAPSHOT, json_document


@dataclass(frozen=True)
class Intaken:
    result: IntakeResult
    verdict: Assessment
    snapshot: model.Snapshot


def snapshot_from_bytes(data: bytes, name: str) -> model.Snapshot:
    where = f"snapshot {name}" if name else "snapshot"
    if not data:
        raise BadInput(
            Phrase(N_("{where}: the file is empty"), where=where),
            N_("choose the .json file the probe wrote"),
        )
    if len(data) > MAX_SNAPSHOT:
        raise BadInput(
            Phrase(
                N_("{where}: {n:,} bytes is too large for a snapshot"), where=where, n=len(data)
            ),
            N_("choose the .json file `refurb probe --json` or the USB-stick agent wrote"),
        )
    return model.snapshot_from_dict(json_document(data, where), where)


def checklist_from_form(
    answers: dict[str, str], cosmetic: str | None, notes: str | None, operator: str
) -> Checklist | None:
    """The bench checklist as answered in a form (None when nothing was answered)."""
    given = {k: v for k, v in answers.items() if v}
    if not given and not cosmetic and not notes:
        return None
    doc = {"answers": given, "cosmetic": cosmetic or None, "notes": notes or None}
    sheet = checklist_from_dict(doc, "checklist")
    sheet.operator = operator
    return sheet


def intake_upload(
    store: Store,
    data: bytes,
    name: str,
    checklist: Checklist | None,
    policy: Policy,
    *,
    lang: str,
    operator: str,
    station: str,
    lot_code: str | None = None,
    weight_kg: float | None = None,
    at: datetime | None = None,
) -> Intaken:
    """Judge and record one snapshot file: what ``refurb intake FILE`` does."""
    snap = snapshot_from_bytes(data, name)
    verdict = evaluate(snap, checklist, policy, lang)
    result = intake(
        store,
        snap,
        verdict,
        operator=operator,
        station=station,
        lot_code=lot_code,
        weight_kg=weight_kg,
        checklist=checklist.to_dict() if checklist else None,
        at=at,
    )
    return Intaken(result, verdict, snap)
