"""Eight people issue the same twenty ready laptops at once, each to their own
participant, each through the CLI in its own OS process: every laptop is issued exactly
once, every other attempt is refused (exit 6), and the database verifies clean."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlmodel import SQLModel

from refurb.app.lifecycle import move_in
from refurb.store.db import open_store
from refurb.store.intake import record_snapshot
from refurb.store.inventory import add_participant
from tests.store_helpers import disk, laptop, purge, verdict

DEVICES, PEOPLE = 20, 8
ROOT = Path(__file__).parent.parent
E = SQLModel.metadata.tables["events"]


def _prepare(url: str) -> list[str]:
    store = open_store(url)
    tags = []
    try:
        with store.transaction() as s:
            for n in range(PEOPLE):
                add_participant(s, f"P-{n}", None)
        for n in range(DEVICES):
            snap = laptop(
                serial=f"CONC-{n:03d}", uuid_=None, disks=[disk("sda", f"SSD-CONC-{n:03d}")]
            )
            with store.transaction() as s:
                tag = record_snapshot(s, snap, verdict(snap), operator="t", station="RF").tag
                purge(s, tag)
                move_in(s, tag, "ready", actor="t", note=None, station="RF")
            tags.append(tag)
    finally:
        store.dispose()
    return tags


WORKER = """
import contextlib, gc, io, json, sys
from refurb.cli import main
url, who, tags = sys.argv[1], sys.argv[2], sys.argv[3:]
for tag in tags:
    err = io.StringIO()
    code = 0
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            main(["issue", tag, "--to", who, "--db", url])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    gc.collect()  # the store each command opened, and its connections
    print(json.dumps([tag, code, err.getvalue()]), flush=True)
"""


def _run(url: str, tmp: Path) -> None:
    tags = _prepare(url)
    env = dict(os.environ, REFURB_SQLITE_BUSY_MS="60000", REFURB_STATION="RF")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    started = time.monotonic()
    # eight OS processes, one per participant, each issuing the twenty laptops in the
    # same order through the CLI's own entry point (its exit code per laptop), so
    # that all eight race for every laptop
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, url, f"P-{n}", *tags],
            env=env,
            cwd=tmp,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(PEOPLE)
    ]
    codes: dict[tuple[str, int], int] = {}
    errors: dict[tuple[str, int], str] = {}
    for n, p in enumerate(procs):
        out, err = p.communicate(timeout=180)
        assert p.returncode == 0, err
        for line in out.splitlines():
            tag, code, text = json.loads(line)
            codes[tag, n] = code
            errors[tag, n] = text
    elapsed = time.monotonic() - started
    # about 7 s (SQLite) and 10 s (PostgreSQL) on two cores; far more is a hang
    assert elapsed < 120, f"{DEVICES * PEOPLE} issues took {elapsed:.0f} s"

    for tag in tags:
        got = sorted(codes[tag, n] for n in range(PEOPLE))
        assert got == [0] + [6] * (PEOPLE - 1), (
            tag,
            {n: (codes[tag, n], errors[tag, n].strip()) for n in range(PEOPLE)},
        )
    store = open_store(url)
    try:
        with store.reading() as s:
            D = SQLModel.metadata.tables["devices"]
            rows = s.execute(
                select(D.c.tag, func.count())
                .select_from(E.join(D, D.c.id == E.c.device_id))
                .where(E.c.kind == "status", E.c.status == "issued")
                .group_by(D.c.tag)
            ).all()
            assert dict(rows) == dict.fromkeys(tags, 1)
            statuses = dict(s.execute(select(D.c.tag, D.c.status)).all())
            assert all(statuses[t] == "issued" for t in tags)
    finally:
        store.dispose()
    verify = subprocess.run(
        [sys.executable, "-m", "refurb", "db", "verify", "--db", url],
        env=env,
        cwd=tmp,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_concurrent_issue_sqlite(tmp_path: Path) -> None:
    _run(f"sqlite:///{tmp_path / 'refurb.db'}", tmp_path)


@pytest.mark.postgres
def test_concurrent_issue_postgres(pg_url: str, tmp_path: Path) -> None:
    _run(pg_url, tmp_path)
