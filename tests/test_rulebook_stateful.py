"""Stateful property: whatever a station does, in whatever order (intake, re-probes that
find the same, more or fewer drives, wipes that pass, fail or record a removal, moves,
issues, returns, harvests, recycling, attestations) and however often it sends its
bundle to the hub, no device is ever ready or issued with a drive lacking a passing
latest record, no issue lacks a participant, and the cached statuses and report
tallies match the events, at the station and at the hub.

REFURB_STATEFUL_EXAMPLES sets the number of runs (default below, sized to finish in a
few minutes on two cores)."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)
from sqlalchemy import func, select
from sqlmodel import SQLModel

from refurb.app import hub as app_hub
from refurb.app import lifecycle as app
from refurb.app.checks import violations
from refurb.errors import RefurbError, Refused
from refurb.lifecycle.rules import FIT_INTO, MOVABLE
from refurb.lifecycle.sanitization import WipeRecord
from refurb.model import Disk
from refurb.store import tallies
from refurb.store.db import Store, open_store
from refurb.store.history import all_device_ids
from refurb.store.intake import record_snapshot
from refurb.store.inventory import add_participant, status_mismatches
from tests.store_helpers import disk, laptop, purge, verdict

KEY = b"a program key of some length"
T = SQLModel.metadata.tables
PEOPLE = ("P-1", "P-2")
# the statuses a run mostly picks a device from, for each action
BEFORE = {
    "ready": ("diagnosed", "wiped", "returned", "repairing"),
    "diagnosed": ("received", "ready", "returned"),
    "repairing": ("diagnosed", "ready", "returned"),
}
WIPE_FROM = ("received", "diagnosed", "repairing", "returned")
# Measured on two cores (SQLite in a temp folder): 100 runs of up to 15 steps take
# about 20 s, 700 about 145 s; 2000 runs (about 7 minutes) do not fit the ~4 minutes
# this test may take, so the default is the largest round count that fits in about
# 3 minutes. CI or a long soak raises it with REFURB_STATEFUL_EXAMPLES.
EXAMPLES = int(os.environ.get("REFURB_STATEFUL_EXAMPLES", "700"))
STEPS = int(os.environ.get("REFURB_STATEFUL_STEPS", "15"))


def _disk(serial: str, n: int, failing: bool = False) -> Disk:
    d = disk(f"sd{'abcdef'[n]}", f"{serial}-D{n}")
    if failing:
        assert d.smart is not None
        d.smart.passed = False
    return d


@contextlib.contextmanager
def outcome(action: str) -> Iterator[None]:
    """Run one action; a refusal (any RefurbError) is an answer, not a failure. The
    outcomes show with --hypothesis-show-statistics."""
    try:
        yield
    except RefurbError as exc:
        event(f"{action}: {getattr(exc, 'rule', None) or type(exc).__name__}")
    else:
        event(f"{action}: done")


_TEMPLATE: list[Path] = []


def _fresh(path: Path) -> Store:
    """An empty, migrated SQLite store: a copy of one made once (migrating a new file
    for every run would take most of the test's time)."""
    if not _TEMPLATE:
        folder = Path(tempfile.mkdtemp(prefix="refurb-stateful-"))
        open_store(str(folder / "empty.db")).dispose()
        _TEMPLATE.append(folder / "empty.db")
    shutil.copyfile(_TEMPLATE[0], path)
    return open_store(str(path))


class Station(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.tmp = tempfile.TemporaryDirectory()
        self.station: Store = _fresh(Path(self.tmp.name) / "station.db")
        self.hub: Store = _fresh(Path(self.tmp.name) / "hub.db")
        self.devices: list[tuple[str, str]] = []  # (serial, tag)
        self.disks: dict[str, list[int]] = {}  # serial -> the drive numbers fitted now
        self.serials = 0
        self.synced = self.skipped = False

    def teardown(self) -> None:
        self.station.dispose()
        self.hub.dispose()
        self.tmp.cleanup()

    @initialize()
    def people(self) -> None:
        with self.station.transaction() as s:
            for code in PEOPLE:
                add_participant(s, code, None)

    def _tag(self, i: int, prefer: tuple[str, ...] = ()) -> str:
        """Device ``i``; with ``prefer``, mostly one of the devices in those statuses
        (so that the runs reach issue and return), sometimes any (so that refusals
        are asked for too)."""
        tags = [t for _, t in self.devices]
        if prefer and i % 4:
            D = T["devices"]
            with self.station.reading() as s:
                now = dict(s.execute(select(D.c.tag, D.c.status)).all())
            tags = [t for t in tags if now.get(t) in prefer] or tags
        return tags[i % len(tags)]

    def _probe(self, serial: str, numbers: list[int], failing: bool) -> str | None:
        snap = laptop(
            serial=serial,
            uuid_=None,
            board_serial=None,
            disks=[_disk(serial, n, failing and k == 0) for k, n in enumerate(numbers)],
        )
        try:
            with self.station.transaction() as s:
                tag = record_snapshot(s, snap, verdict(snap), operator="t", station="RF").tag
        except RefurbError:
            return None
        self.disks[serial] = numbers
        return tag

    # --- the station's work ------------------------------------------------------

    @rule(drives=st.sampled_from([1, 1, 2, 0]), failing=st.sampled_from([False, False, True]))
    def intake(self, drives: int, failing: bool) -> None:
        self.serials += 1
        serial = f"SM-{self.serials:04d}"
        tag = self._probe(serial, list(range(drives)), failing and drives > 0)
        if tag is not None:
            self.devices.append((serial, tag))

    @precondition(lambda self: self.devices)
    @rule(
        i=st.integers(0, 50), change=st.sampled_from(["same", "add", "drop"]), failing=st.booleans()
    )
    def reprobe(self, i: int, change: str, failing: bool) -> None:
        serial, _ = self.devices[i % len(self.devices)]
        numbers = list(self.disks.get(serial, []))
        if change == "add" and len(numbers) < 4:
            numbers.append(max(numbers, default=-1) + 1)
        elif change == "drop" and numbers:
            numbers.pop(0)
        self._probe(serial, numbers, failing and bool(numbers))

    @precondition(lambda self: self.devices)
    @rule(
        i=st.integers(0, 50),
        result=st.sampled_from(["pass", "pass", "fail", "removed"]),
        one=st.booleans(),
    )
    def wipe(self, i: int, result: str, one: bool) -> None:
        tag = self._tag(i, WIPE_FROM)
        serial = next(sr for sr, t in self.devices if t == tag)
        numbers = self.disks.get(serial, [])
        ref = f"{serial}-D{numbers[0]}" if one and numbers else None
        removed = result == "removed"
        with outcome("wipe"):
            app.wipe(
                self.station,
                tag,
                WipeRecord(
                    level="removed" if removed else "purge",
                    method="removed" if removed else "block-erase",
                    tool=None if removed else "nwipe",
                    tool_version=None,
                    verification_method=None if removed else "full read-back",
                    verification_result=None if removed else result,
                    performed_by="trainee",
                    verified_by=None,
                    destination="shelf" if removed else None,
                    notes=None,
                    station="RF",
                ),
                ref,
            )

    @precondition(lambda self: self.devices)
    @rule(i=st.integers(0, 50))
    def make_ready(self, i: int) -> None:
        """A station's usual routine in one step: purge every drive, then ready."""
        tag = self._tag(i, WIPE_FROM)
        with outcome("make-ready"):
            with self.station.transaction() as s:
                purge(s, tag)
            app.move(self.station, tag, "ready", actor="t", note=None, station="RF")

    @precondition(lambda self: self.devices)
    @rule(i=st.integers(0, 50), new=st.sampled_from(MOVABLE))
    def move(self, i: int, new: str) -> None:
        with outcome("move"):
            app.move(
                self.station, self._tag(i, BEFORE[new]), new, actor="t", note=None, station="RF"
            )

    @precondition(lambda self: self.devices)
    @rule(i=st.integers(0, 50), who=st.sampled_from([*PEOPLE, *PEOPLE, "", "P-nobody"]))
    def issue(self, i: int, who: str) -> None:
        with outcome("issue"):
            app.issue(
                self.station, self._tag(i, ("ready",)), who, actor="t", note=None, station="RF"
            )

    @precondition(lambda self: self.devices)
    @rule(i=st.integers(0, 50))
    def return_(self, i: int) -> None:
        with outcome("return"):
            app.return_(self.station, self._tag(i, ("issued",)), actor="t", note=None, station="RF")

    @precondition(lambda self: self.devices)
    @rule(
        i=st.integers(0, 50),
        j=st.none() | st.integers(0, 50),
        kind=st.sampled_from(["ssd", "ram", "battery", "screen"]),
        by_serial=st.booleans(),
        missed=st.booleans(),
    )
    def harvest(self, i: int, j: int | None, kind: str, by_serial: bool, missed: bool) -> None:
        serial, tag = self.devices[i % len(self.devices)]
        numbers = self.disks.get(serial, [])
        part_serial = f"{serial}-D{numbers[0]}" if kind == "ssd" and by_serial and numbers else None
        with outcome("harvest"):
            app.harvest(
                self.station,
                tag,
                kind,
                description=None,
                serial=part_serial,
                into=None if j is None else self._tag(j, FIT_INTO),
                actor="t",
                station="RF",
                missed_by_probe="under the keyboard" if missed else None,
            )

    @precondition(lambda self: self.devices)
    @rule(i=st.integers(0, 50), sure=st.integers(0, 3))
    def recycle(self, i: int, sure: int) -> None:
        if sure:  # recycling is final: rarer, so that most devices live on
            self.skipped = True
            return
        with outcome("recycle"):
            app.recycle(self.station, [self._tag(i)], actor="t", note=None, station="RF")

    @precondition(lambda self: self.devices)
    @rule(
        i=st.integers(0, 50),
        what=st.sampled_from(["no-storage", "drive-accepted"]),
        reason=st.sampled_from(["checked by hand", ""]),
    )
    def attest(self, i: int, what: str, reason: str) -> None:
        with outcome("attest"):
            app.attest(self.station, self._tag(i), what, reason=reason, actor="lead", station="RF")

    @rule()
    def sync(self) -> None:
        self.synced = True
        data, _ = app_hub.export(self.station, KEY, "RF", None)
        try:
            app_hub.import_bundle(self.hub, data, KEY, "bundle")
        except Refused as exc:
            # an honest station's bundle is never refused, save for a gap in a history
            assert exc.rule == "history-gap", exc

    # --- what must always hold ----------------------------------------------------

    def _holds(self, store: Store) -> None:
        with store.reading() as s:
            conn = s.connection()
            found = [v for ids in all_device_ids(conn) for v in violations(conn, ids)]
            assert found == [], [str(v) for v in found]
            E = T["events"]
            orphan = conn.execute(
                select(func.count())
                .select_from(E)
                .where(E.c.kind == "status", E.c.status == "issued", E.c.participant_id.is_(None))
            ).scalar_one()
            assert orphan == 0
            assert tallies.differences(conn) == []
            assert status_mismatches(s) == []

    @invariant()
    def holds(self) -> None:
        # the hub changes only when a bundle arrives, and checking a store is most of
        # a step's time: each store is checked after each step that could change it
        if self.skipped:
            pass
        elif self.synced:
            self._holds(self.hub)
        else:
            self._holds(self.station)
        self.synced = self.skipped = False


Station.TestCase.settings = settings(
    max_examples=EXAMPLES,
    stateful_step_count=STEPS,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_rulebook_stateful = Station.TestCase
