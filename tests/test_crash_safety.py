"""kill -9 in the middle of an import, again and again: the database stays consistent,
holds only whole batches, and the re-run completes without duplicates."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from refurb.probe import collect
from refurb.probe.source import CaptureSource

T480 = Path(__file__).parent / "captures" / "own-linux-lenovo-t480-handmade"


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")
def test_kill_9_during_import_loses_nothing_and_doubles_nothing(tmp_path: Path) -> None:
    from refurb.store.importer import BATCH

    stick = tmp_path / "stick"
    stick.mkdir()
    base = collect(CaptureSource(T480)).to_dict()
    total = 3 * BATCH
    for i in range(total):
        base["snapshot_id"] = str(uuid.uuid4())
        base["identity"].update(serial=f"CRASH{i:05d}", board_serial=None, uuid=None)
        (stick / f"{i:05d}.json").write_text(json.dumps(base))
    db = tmp_path / "shop.db"
    argv = [sys.executable, "-m", "refurb", "import", str(stick), "--db", str(db), "--json"]
    rnd = random.Random(3)
    kills = 0
    for _ in range(6):
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rnd.uniform(0.3, 3.0))
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            kills += 1
        proc.wait()
        if db.exists():
            with sqlite3.connect(db) as con:
                assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
                tables = {
                    r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                }
                if "snapshots" not in tables:
                    # killed while creating the schema: DDL is transactional, so nothing
                    assert tables == set(), tables
                    continue
                snaps = con.execute("SELECT count(*) FROM snapshots").fetchone()[0]
                devices = con.execute("SELECT count(*) FROM devices").fetchone()[0]
                # every device came with its snapshot, its events and its assessment
                assert devices == snaps
                assert con.execute("SELECT count(*) FROM assessments").fetchone()[0] == snaps
                assert (
                    con.execute("SELECT count(*) FROM events").fetchone()[0] == 3 * snaps
                )  # received, probed, diagnosed
    assert kills >= 1, "the import always finished before the kill: nothing was tested"
    done = subprocess.run(argv, capture_output=True, text=True, check=True)
    counts = json.loads(done.stdout)["counts"]
    assert counts.get("new", 0) + counts.get("known", 0) == total
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT count(*) FROM devices").fetchone()[0] == total
        assert con.execute("SELECT count(DISTINCT tag) FROM devices").fetchone()[0] == total
        assert con.execute("SELECT count(*) FROM events").fetchone()[0] == 3 * total
    # the report tallies, written in the same transactions, hold every device once
    from refurb.store import tallies
    from refurb.store.db import open_store

    store = open_store(str(db))
    with store.reading() as s:
        assert tallies.differences(s.connection()) == []
    store.dispose()
