"""Import snapshot files (from USB sticks or outboxes): idempotent, one bad file never
stops the others, and a crash leaves the database as it was before the current batch.
One batch is in memory at a time, whatever the number of files."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from refurb.assess import evaluate
from refurb.assess.policy import Policy
from refurb.errors import RefurbError
from refurb.model import snapshot_from_dict
from refurb.store.db import Store
from refurb.store.intake import Item, parse_time, record_snapshots
from refurb.store.inventory import canonical_json
from refurb.untrusted import MAX_SNAPSHOT, json_value, one_line, read_file

BATCH = 500


@dataclass
class ImportRow:
    path: str
    outcome: str  # new | updated | known | refused
    tag: str | None = None
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def snapshot_files(paths: Iterable[str]) -> Iterator[Path]:
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            # what is not a folder is listed, and refused by the reader if it is not a
            # regular file: a named pipe or a device in a folder is named, not skipped
            yield from sorted(
                p for p in path.rglob("*.json") if not p.is_dir() and not p.name.startswith(".")
            )
        else:
            yield path


def _read(path: Path) -> Any:
    """A snapshot file's document: a regular file of at most MAX_SNAPSHOT bytes, UTF-8
    JSON; refused with the reason otherwise (a named pipe, /dev/zero, a 600 MB file)."""
    return json_value(read_file(path, MAX_SNAPSHOT))


@dataclass
class _Batch:
    refused: list[ImportRow]
    items: list[Item]
    where: list[str]


def _batches(
    files: list[Path],
    policy: Policy,
    at: datetime | None,
    taken_at_as_received: bool,
    weight_kg: float | None,
) -> Iterator[_Batch]:
    """Each batch of files read, checked and assessed; the refused ones with the reason."""
    for start in range(0, len(files), BATCH):
        batch = _Batch([], [], [])
        for path in files[start : start + BATCH]:
            try:
                doc = _read(path)
                snap = snapshot_from_dict(doc, one_line(str(path)))
            except RefurbError as exc:
                batch.refused.append(ImportRow(str(path), "refused", None, exc.message))
                continue
            when = at
            if taken_at_as_received:
                try:
                    when = parse_time(snap.taken_at)
                except RefurbError as exc:
                    batch.refused.append(ImportRow(str(path), "refused", None, exc.message))
                    continue
            verdict = evaluate(snap, None, policy)
            text = canonical_json(doc)
            batch.items.append(
                Item(snap, verdict, doc=doc, weight_kg=weight_kg, at=when, text=text)
            )
            batch.where.append(str(path))
        yield batch


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """The cycle collector runs less often while files are imported. An import makes
    hundreds of short-lived containers per file (the parsed document, the model, the
    rows), almost all freed by reference counting, and with Python's default threshold
    the collector ran every few files and scanned the batch each time: a fifth of an
    import's time, measured with gc.callbacks. Cycles are still collected, every few
    hundred files."""
    threshold = gc.get_threshold()
    gc.set_threshold(max(threshold[0], 100_000), *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)


def import_snapshots(
    store: Store,
    paths: Iterable[str],
    policy: Policy,
    *,
    operator: str,
    station: str,
    lot_code: str | None = None,
    at: datetime | None = None,
    taken_at_as_received: bool = False,
    weight_kg: float | None = None,
) -> list[ImportRow]:
    """Import snapshot files in batches. ``at``: when they were received (paper records);
    ``taken_at_as_received``: each snapshot's own ``taken_at`` is when its device was
    received; ``weight_kg``: every device weighed this much."""
    rows: list[ImportRow] = []
    with _fewer_collections():
        files = list(snapshot_files(paths))
        for batch in _batches(files, policy, at, taken_at_as_received, weight_kg):
            rows.extend(batch.refused)
            if batch.items:
                with store.transaction() as session:
                    results = record_snapshots(
                        session, batch.items, operator=operator, station=station, lot_code=lot_code
                    )
                for name, result in zip(batch.where, results, strict=True):
                    if isinstance(result, RefurbError):
                        rows.append(ImportRow(name, "refused", None, result.message))
                    else:
                        rows.append(ImportRow(name, result.outcome, result.tag))
            del batch  # before the next one is read: one batch in memory at a time
    return rows
