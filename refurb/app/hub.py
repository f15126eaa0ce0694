"""Bundles between stations and the hub: export, and import with the rulebook's
re-check of every device the bundle touches (refused whole, device and rule named)."""

from __future__ import annotations

from datetime import datetime
from typing import IO

from refurb.app.checks import Violation, violations
from refurb.errors import Conflict, MissingReference, Refused
from refurb.i18n import N_, Listed, Phrase
from refurb.store.bundles import export_bundle, merge, read_bundle
from refurb.store.db import Store


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


def import_bundle(store: Store, data: bytes | IO[bytes], key: bytes, where: str) -> dict[str, int]:
    """Merge one bundle (its bytes, or a file open for reading: never read whole)
    exactly once, or refuse it whole."""
    rows = read_bundle(data, key, where)  # checked whole before anything is written
    for attempt in range(8):
        if attempt:
            rows = read_bundle(data, key, where)  # fresh rows: a merge rewrites ids in place
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
