"""Thick benchmark databases: every device as a real program accumulates it (issue #16).

Each device has the rows ``refurb intake`` writes (the device, its drive, its snapshot,
its assessment with findings, the events received, probed and diagnosed), then a history
of later steps over two years (wiped, ready, issued to a participant; or harvested, or
recycled). The rows are copied from one real intake of the ThinkPad T480 capture made by
refurb itself into a scratch database, so their shape is refurb's; each copy gets its own
ids, tag, serial, times and lot, and is written with plain sqlite3 ``executemany`` (a
million devices in minutes, not the hours refurb's own checks would take).

The snapshot document is stored without its ``raw`` evidence (about 2 KB instead of
16 KB), a million-device file is still about 10 GB (20,000 devices: 200 MB); a real
station's file is larger.
"""

from __future__ import annotations

import hashlib
import json
import random
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
T480 = ROOT / "tests" / "captures" / "own-linux-lenovo-t480-handmade"
COMMUNITIES = ["Iqaluit", "Kugaaruk", "Kimmirut", "Arviat"]
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_BATCH = 20_000


def tag_for(i: int) -> str:
    """A well-formed, unique tag for device number ``i`` (up to 32**5 devices)."""
    from refurb.tags import check_symbol

    body = ""
    for _ in range(5):
        i, r = divmod(i, 32)
        body = _ALPHABET[r] + body
    return f"BN-{body}{check_symbol(body)}"


def _template(tmp: Path) -> dict[str, Any]:
    """One intake of the T480 capture, by refurb, read back as rows."""
    from refurb.assess import default_policy, evaluate
    from refurb.probe import collect
    from refurb.probe.source import CaptureSource
    from refurb.store.db import open_store
    from refurb.store.intake import record_snapshot

    path = tmp / "thick-template.db"
    path.unlink(missing_ok=True)
    store = open_store(str(path))
    snap = collect(CaptureSource(T480))
    with store.transaction() as s:
        record_snapshot(s, snap, evaluate(snap, None, default_policy()), operator="t", station="BN")
    store.dispose()
    con = sqlite3.connect(path)
    con.row_factory = sqlite3.Row
    out = {
        t: [dict(r) for r in con.execute(f"SELECT * FROM {t} ORDER BY rowid")]
        for t in ("devices", "drives", "snapshots", "assessments", "findings", "events")
    }
    con.close()
    path.unlink()
    doc = json.loads(out["snapshots"][0]["doc"])
    doc.pop("raw", None)
    out["snapshots"][0]["doc"] = json.dumps(
        doc, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return out


def _stamp(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S.%f+00:00")  # as refurb stores an aware time


def build_thick(path: Path, n: int, seed: int = 5) -> float:
    """A database of ``n`` thick devices at ``path``; the seconds it took (the schema
    by refurb's migrations first). Report tallies are left empty: fill them with
    ``refurb.store.tallies.rebuild`` as the 0003 migration does."""
    from refurb.store.db import open_store

    path.unlink(missing_ok=True)
    open_store(str(path)).dispose()
    tpl = _template(path.parent)
    start = time.perf_counter()
    rnd = random.Random(seed)
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    created = _stamp(datetime(2024, 1, 1, tzinfo=UTC))
    lots = [
        (f"lot{i}", f"LOT-{i}", f"Donor {i % 5}", "2024-01-01", "reuse",
         COMMUNITIES[i % 4], f"Shop {i % 3}", created)
        for i in range(40)
    ]  # fmt: skip
    con.executemany(
        "INSERT INTO lots (id, code, donor, received_on, donor_choice, community, site,"
        " created_at) VALUES (?,?,?,?,?,?,?,?)",
        lots,
    )
    people = max(1, n // 3)
    con.executemany(
        "INSERT INTO participants (id, code, community, created_at) VALUES (?,?,?,?)",
        [(f"p{i}", f"P-{i:06d}", COMMUNITIES[i % 4], created) for i in range(people)],
    )
    (dev_t,) = tpl["devices"]
    (drv_t,) = tpl["drives"]
    (snap_t,) = tpl["snapshots"]
    (ass_t,) = tpl["assessments"]
    find_t = [{k: v for k, v in f.items() if k != "id"} for f in tpl["findings"]]
    ev_t = tpl["events"]
    old_sid, old_serial = snap_t["id"], dev_t["serial"]
    tables: dict[str, list[dict[str, Any]]] = {
        "devices": [], "drives": [], "snapshots": [], "assessments": [], "findings": [],
        "events": [], "sanitizations": [],
    }  # fmt: skip
    base = datetime(2024, 6, 1, tzinfo=UTC)
    for i in range(n):
        did = f"d{i:08d}"
        sid = f"s{i:08d}"
        serial = f"BN{i:08d}"
        t0 = base + timedelta(minutes=rnd.randrange(60 * 24 * 880))
        at0 = _stamp(t0)
        lot = lots[i % 40]
        doc = snap_t["doc"].replace(old_sid, sid).replace(old_serial, serial)
        tables["snapshots"].append(
            snap_t | {"id": sid, "device_id": did, "taken_at": at0, "imported_at": at0,
                      "doc": doc, "sha256": hashlib.sha256(doc.encode()).hexdigest()}
        )  # fmt: skip
        drive = f"r{i:08d}"
        tables["drives"].append(
            drv_t | {"id": drive, "device_id": did, "serial": f"DRV{i:08d}", "first_seen": at0}
        )
        aid = f"a{i:08d}"
        tables["assessments"].append(
            ass_t | {"id": aid, "device_id": did, "snapshot_id": sid, "created_at": at0,
                     "doc": ass_t["doc"].replace(old_sid, sid)}
        )  # fmt: skip
        tables["findings"].extend(f | {"assessment_id": aid} for f in find_t)
        r = rnd.random()
        later: list[tuple[str, str | None]] = []
        if r < 0.6:
            later = [("wiped", None), ("ready", None), ("issued", f"p{rnd.randrange(people)}")]
        elif r < 0.75:
            later = [("harvested", None)]
        elif r < 0.85:
            later = [("recycled", None)]
        seq = 0
        for e in ev_t:  # received, probed, diagnosed: as intake wrote them
            seq += 1
            data = e["data"]
            if data:
                data = data.replace(ev_t[0]["device_id"], did).replace(drv_t["id"], drive)
            tables["events"].append(
                e | {"id": f"e{i:08d}-{seq}", "device_id": did, "origin": did, "seq": seq,
                     "at": at0, "recorded_at": at0, "data": data,
                     "ref": sid if e["ref"] else None}
            )  # fmt: skip
        status = "diagnosed"
        for k, (status, who) in enumerate(later, start=1):
            seq += 1
            at = _stamp(t0 + timedelta(days=k))
            if status == "wiped":  # its drive purged first, as `refurb wipe` records it
                rec = f"z{i:08d}"
                tables["sanitizations"].append(
                    {"id": rec, "drive_id": drive, "device_id": did, "level": "purge",
                     "method": "block-erase", "tool": "nvme-cli", "tool_version": "2.4",
                     "verification_method": "read-back of a 10 % sample",
                     "verification_result": "pass", "performed_by": "lead",
                     "performed_at": at, "verified_by": None, "verified_at": None,
                     "destination": None, "notes": None, "recorded_at": at}
                )  # fmt: skip
                tables["events"].append(
                    ev_t[0] | {"id": f"e{i:08d}-{seq}", "device_id": did, "origin": did,
                               "seq": seq, "at": at, "recorded_at": at, "kind": "sanitized",
                               "status": None, "participant_id": None, "ref": rec,
                               "note": "nvme0n1: purge by block-erase, verified pass",
                               "data": json.dumps({"drive": drive, "result": "pass"})}
                )  # fmt: skip
                seq += 1
            tables["events"].append(
                ev_t[0] | {"id": f"e{i:08d}-{seq}", "device_id": did, "origin": did,
                           "seq": seq, "at": at, "recorded_at": at, "status": status,
                           "participant_id": who, "note": None}
            )  # fmt: skip
        tables["devices"].append(
            dev_t | {"id": did, "tag": tag_for(i), "serial": serial,
                     "identity_key": hashlib.md5(serial.encode()).hexdigest(),
                     "model": f"ThinkPad T{480 + i % 20}", "status": status,
                     "lot_id": lot[0], "community": lot[5],
                     "weight_kg": 2.1 if i % 4 == 0 else None,
                     "chassis": "laptop" if i % 7 else "desktop",
                     "created_at": at0, "updated_at": at0}
        )  # fmt: skip
        if len(tables["devices"]) >= _BATCH:
            _flush(con, tables)
    _flush(con, tables)
    con.commit()
    con.execute("ANALYZE")
    con.close()
    return time.perf_counter() - start


def _flush(con: sqlite3.Connection, tables: dict[str, list[dict[str, Any]]]) -> None:
    for table, rows in tables.items():  # devices first: the others point at them
        if rows:
            cols = list(rows[0])
            names = ", ".join(f'"{c}"' for c in cols)
            con.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(cols))})",
                [tuple(r[c] for c in cols) for r in rows],
            )
            rows.clear()
