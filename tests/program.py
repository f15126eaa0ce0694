"""A synthetic program with known histories, written straight into the tables, and the
expected report figures computed independently in plain Python."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlmodel import SQLModel

from refurb.reports.model import Period
from refurb.store import tallies
from refurb.store.db import Store

COMMUNITIES = ["Iqaluit", "Kugaaruk", "Kimmirut", "Arviat"]
WEIGHTS = {"laptop": 2.0, "desktop": 8.0, "other": 2.0}
FINAL = ("issued", "harvested", "recycled")


@dataclass
class Dev:
    id: str
    tag: str
    chassis: str
    weight: float | None
    lot: int
    events: list[tuple[datetime, str, str | None]] = field(default_factory=list)


@dataclass
class Program:
    lots: list[dict[str, Any]]
    devices: list[Dev]
    parts: list[tuple[str, str, datetime]]  # from, into, fitted_at


def build(n: int, seed: int = 11) -> Program:
    rnd = random.Random(seed)
    lots = [
        {
            "id": f"lot{i}",
            "code": f"LOT-{i}",
            "donor": f"Donor {i % 3}",
            "community": COMMUNITIES[i % 4],
            "site": f"Shop {i % 2}",
            "received_on": date(2025, 1, 1) + timedelta(days=40 * i),
        }
        for i in range(8)
    ]
    devices = []
    parts = []
    clock = 0
    participants = [f"p{i}" for i in range(500)]
    for i in range(n):
        lot = rnd.randrange(len(lots))
        chassis = "laptop" if rnd.random() < 0.85 else "desktop"
        weight = round(rnd.uniform(1.2, 3.5), 2) if rnd.random() < 0.3 else None
        dev = Dev(f"d{i:06d}", f"RF-{i:06d}", chassis, weight, lot)
        t = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=rnd.randrange(60 * 24 * 660))

        def step(status: str, days: float, who: str | None = None, dev: Dev = dev) -> None:
            nonlocal t, clock
            t = t + timedelta(days=days, seconds=clock % 50)
            clock += 1
            dev.events.append((t, status, who))

        step("received", 0)
        path = rnd.random()
        if path < 0.6:
            step("diagnosed", 1)
            step("wiped", 2)
            step("ready", 1)
            step("issued", rnd.uniform(1, 20), rnd.choice(participants))
            if rnd.random() < 0.2:
                step("returned", rnd.uniform(5, 90))
                step("wiped", 2)
                step("ready", 1)
                step("issued", rnd.uniform(1, 30), rnd.choice(participants))
        elif path < 0.75:
            step("diagnosed", 1)
            step("harvested", 3)
            if rnd.random() < 0.5:
                parts.append((dev.id, f"d{rnd.randrange(n):06d}", t + timedelta(days=1)))
            if rnd.random() < 0.6:
                step("recycled", rnd.uniform(5, 60))
        elif path < 0.85:
            step("diagnosed", 1)
            step("recycled", 2)
        elif path < 0.95:
            step("diagnosed", 1)
            step("repairing", 1)
        devices.append(dev)
    return Program(lots, devices, [(f, i, at) for f, i, at in parts if f != i])


def write(store: Store, prog: Program) -> None:
    t = SQLModel.metadata.tables
    now = datetime(2026, 11, 1, tzinfo=UTC)
    with store.transaction() as s:
        conn = s.connection()
        conn.execute(
            insert(t["lots"]),
            [
                {**lot, "donor_choice": "reuse", "created_at": now, "weight_kg": None}
                for lot in prog.lots
            ],
        )
        people = {who for d in prog.devices for _, _, who in d.events if who}
        # written straight into the tables, as new records: the tallies' keeper adds them
        tallies.keeper(s).created((d.id for d in prog.devices), people)
        conn.execute(
            insert(t["participants"]),
            [
                {"id": p, "code": p.upper(), "community": home(p), "created_at": now}
                for p in sorted(people)
            ],
        )
        conn.execute(
            insert(t["devices"]),
            [
                {
                    "id": d.id,
                    "tag": d.tag,
                    "identity_key": d.id,
                    "identity_kind": "serial",
                    "chassis": d.chassis,
                    "weight_kg": d.weight,
                    "lot_id": prog.lots[d.lot]["id"],
                    "community": prog.lots[d.lot]["community"],
                    "status": d.events[-1][1],
                    "created_at": d.events[0][0],
                    "updated_at": d.events[-1][0],
                }
                for d in prog.devices
            ],
        )
        events = []
        for d in prog.devices:
            for k, (at, status, who) in enumerate(d.events):
                events.append(
                    {
                        "id": f"{d.id}-{k:03d}",
                        "device_id": d.id,
                        "at": at,
                        "kind": "status",
                        "status": status,
                        "actor": "t",
                        "station": "RF",
                        "note": None,
                        "participant_id": who,
                    }
                )
        for start in range(0, len(events), 5000):
            conn.execute(insert(t["events"]), events[start : start + 5000])
        if prog.parts:
            conn.execute(
                insert(t["parts"]),
                [
                    {
                        "id": f"part{k}",
                        "kind": "ram",
                        "from_device_id": f,
                        "into_device_id": i,
                        "harvested_at": at,
                        "fitted_at": at,
                        "description": None,
                        "serial": None,
                        "drive_id": None,
                        "actor": "t",
                    }
                    for k, (f, i, at) in enumerate(prog.parts)
                ],
            )


def home(participant: str) -> str | None:
    """Where a participant lives: one of the communities, or not recorded (every 7th)."""
    n = int(participant[1:])
    return None if n % 7 == 0 else COMMUNITIES[n % 3]


MEASURE_STATUSES = {
    "received": ("received",),
    "refurbished": ("ready",),
    "issued": ("issued",),
    "returned": ("returned",),
    "harvested": ("harvested",),
    "recycled": ("recycled",),
    "diverted": FINAL,
}


def expected(prog: Program, period: Period) -> dict[str, Any]:
    """The report's figures, computed device by device in plain Python."""
    lo = datetime(period.since.year, period.since.month, period.since.day, tzinfo=UTC)
    hi = datetime(period.until.year, period.until.month, period.until.day, tzinfo=UTC)
    totals: dict[str, float] = defaultdict(float)
    by: dict[str, dict[str, dict[str, float]]] = {
        dim: defaultdict(lambda: defaultdict(float))
        for dim in ("community", "lot", "donor", "site")
    }
    served: dict[str, dict[Any, set[str]]] = {dim: defaultdict(set) for dim in by}
    served_all: set[str] = set()
    served_home: dict[str | None, set[str]] = defaultdict(set)
    months: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    in_process = 0
    for d in prog.devices:
        lot = prog.lots[d.lot]
        keys = {
            "community": lot["community"],
            "lot": lot["code"],
            "donor": lot["donor"],
            "site": lot["site"],
        }
        inside = [(at, s, who) for at, s, who in d.events if lo <= at < hi]
        for measure, statuses in MEASURE_STATUSES.items():
            hits = [at for at, s, _ in inside if s in statuses]
            if hits:
                totals[measure] += 1
                if measure == "issued":
                    totals["issued_laptops" if d.chassis == "laptop" else "issued_other"] += 1
                for dim, key in keys.items():
                    by[dim][key][measure] += 1
                if measure in ("received", "refurbished", "issued", "diverted"):
                    months[min(hits).strftime("%Y-%m")][measure] += 1
        if any(s in FINAL for _, s, _ in inside):
            kg = d.weight if d.weight is not None else WEIGHTS[d.chassis]
            totals["diverted_kg"] += kg
            if d.weight is None:
                totals["diverted_kg_estimated"] += kg
            for dim, key in keys.items():
                by[dim][key]["diverted_kg"] += kg
        for _, s, who in inside:
            if s == "issued" and who:
                served_all.add(who)
                served_home[home(who)].add(who)
                for dim, key in keys.items():
                    served[dim][key].add(who)
        before = [s for at, s, _ in d.events if at < hi]
        if before and before[-1] not in FINAL:
            in_process += 1
    totals["participants"] = len(served_all)
    totals["in_process"] = in_process
    totals["parts_reused"] = sum(1 for _, _, at in prog.parts if lo <= at < hi)
    return {
        "totals": totals,
        "by": by,
        "served": served,
        "served_home": {k: len(v) for k, v in served_home.items()},
        "months": months,
    }
