"""The rulebook over recorded histories: the hub's re-check of what a bundle brings,
and ``refurb db verify``'s check of every device.

Each record of a device (its ``origin``: one shop's record of the laptop, or the hub's)
is replayed in its own order through the same rules every writer asks: every status
step must have been allowed from the state before it, and where it stands now it
must pass the gate (ready and issued only with every drive sanitized; issued only to
a participant). A gap in a record's sequence is named as such.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select
from sqlmodel import SQLModel

from refurb.lifecycle.history import DeviceState
from refurb.lifecycle.rules import final_problems, replay
from refurb.store.history import histories, known_facts, live, step_of

_D = SQLModel.metadata.tables["devices"]


@dataclass(frozen=True)
class Violation:
    tag: str
    rule: str
    reason: str
    seq: int | None = None

    def __str__(self) -> str:
        at = f" (event {self.seq})" if self.seq is not None else ""
        return f"{self.tag}{at}: {self.reason}"


def violations(conn: Connection, device_ids: Iterable[str]) -> list[Violation]:
    ids = list(dict.fromkeys(device_ids))
    out: list[Violation] = []
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        tags = dict(conn.execute(select(_D.c.id, _D.c.tag).where(_D.c.id.in_(chunk))).all())
        facts = known_facts(conn, chunk)
        for device_id, rows in histories(conn, chunk).items():
            out.extend(_device(tags.get(device_id, device_id), rows, facts.get(device_id, {})))
    return out


def _device(tag: str, rows: list[Any], facts: dict[str, Any]) -> list[Violation]:
    by_origin: dict[str, list[Any]] = defaultdict(list)
    for r in rows:  # already in the device's order, so each origin's run is in its own
        by_origin[r.origin or r.device_id].append(r)
    out: list[Violation] = []
    for run in by_origin.values():
        seqs = [r.seq for r in run]
        expected = list(range(seqs[0], seqs[0] + len(seqs))) if seqs else []
        if seqs and (seqs[0] > 1 or seqs != expected):
            missing = _gaps(seqs)
            doubled = sorted(s for s, n in Counter(seqs).items() if n > 1)
            if missing:
                out.append(
                    Violation(
                        tag,
                        "history-gap",
                        f"events {_gap_words(missing)} of this record have not arrived "
                        "(import the earlier bundle first)",
                    )
                )
            if doubled:
                out.append(
                    Violation(
                        tag,
                        "history-fork",
                        f"events {_span(doubled)} were recorded twice, at two places "
                        "(the device was changed at the hub and at its station)",
                    )
                )
            if missing:
                continue  # judging a history with a hole would only repeat the gap
        state = DeviceState(tag=tag, **facts)
        for step, refusal in replay(state, (step_of(r) for r in live(run))):
            out.append(Violation(tag, refusal.rule, refusal.reason, step.seq))
        out.extend(Violation(tag, p.rule, p.reason) for p in final_problems(state))
    return out


def _gaps(seqs: list[int]) -> list[tuple[int, int]]:
    """The runs of event numbers missing before and between ``seqs`` (first, last),
    worked out from the numbers present: a forged number near 2**63 is one long run,
    not a set of that many numbers."""
    runs: list[tuple[int, int]] = []
    after = 0
    for s in sorted(set(seqs)):
        if s > after + 1:
            runs.append((after + 1, s - 1))
        after = max(after, s)
    return runs


def _gap_words(runs: list[tuple[int, int]]) -> str:
    count = sum(last - first + 1 for first, last in runs)
    first, last = runs[0][0], runs[-1][1]
    return f"{first}" if count == 1 else f"{first}–{last} ({count})"


def _span(values: list[int]) -> str:
    return f"{values[0]}" if len(values) == 1 else f"{values[0]}–{values[-1]} ({len(values)})"
