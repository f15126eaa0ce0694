"""refurb's benchmarks, each figure beside a reference measured the same way in the same run.

    python bench/run.py --quick                       # every part, small sizes (minutes)
    python bench/run.py probe startup intake          # only these parts
    python bench/run.py --python /tmp/benchvenv/bin/python --repeat 3 \\
        --out docs/benchmarks.md                      # the published table (see that file)

Parts: probe, startup, intake, import, lookup, report, postgres, hub, labels.

Whole processes are timed by hyperfine (``-N``: no shell; ``--warmup``, ``--runs``,
``--export-json``), refurb and its reference in the same hyperfine call, the ratio taken
from the two medians of that call; ``python -c pass`` runs in every such call too and is
printed beside the ratio, so a slow phase of the machine shows. In-process figures are
medians over a stated number of rounds after a stated warm-up, refurb and its reference
in the same process, both warm. ``--repeat N`` runs the chosen parts N times and prints
each figure's range. Results go to --out (default: /tmp/refurb-bench.md); docs/ is
written only when --out names it.

Whole-process figures should come from an installed refurb (byte-compiled, as pip
installs it): give its interpreter with --python (the ``refurb`` script beside it is
used). Without it, this checkout is byte-compiled and run as ``python -m refurb``.
"""

from __future__ import annotations

import argparse
import compileall
import dataclasses
import itertools
import json
import os
import platform
import secrets
import shlex
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from bench.thick import T480, build_thick  # noqa: E402

DEFAULT_OUT = Path(tempfile.gettempdir()) / "refurb-bench.md"
PARTS = ("probe", "startup", "intake", "import", "lookup", "report", "postgres", "hub", "labels")
FLOOR = "python -c pass"
PG_URL = os.environ.get("REFURB_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
TALLY_TABLES = ("tally_marks", "tally_people", "tally_finals", "tally_statuses")
THICK_TABLES = (
    "lots", "participants", "devices", "drives", "snapshots", "assessments", "findings",
    "events", *TALLY_TABLES,
)  # fmt: skip


@dataclass
class Row:
    """One figure. ``unit``: ms, /s, MB, s or text; a rate's ratio is refurb's rate over
    the reference's, a time's refurb's time over the reference's."""

    part: str
    name: str
    value: float | str
    unit: str
    reference: str = ""
    ref_value: float | None = None
    ratio: float | None = None
    floor_ms: float | None = None  # python -c pass in the same hyperfine call
    method: str = ""
    target: str = ""
    ok: bool | None = None


@dataclass
class Ctx:
    tmp: Path
    python: str
    refurb: list[str]
    env: dict[str, str]
    installed: bool
    runs: int = 10
    warmup: int = 3
    calls: int = 3  # hyperfine calls per comparison, the commands' order alternating
    rounds: int = 200
    report_rounds: int = 9
    devices: int = 1_000_000
    snaps: int = 10_000
    hub_devices: int = 25_000
    labels: int = 1000
    _thick: dict[int, Path] = field(default_factory=dict)
    _pg: dict[int, tuple[str, float]] = field(default_factory=dict)  # n -> (url, copy s)
    _counter: Iterator[int] = field(default_factory=itertools.count)

    def thick(self, n: int, tallies: bool = True) -> tuple[Path, float | None]:
        """The thick database of ``n`` devices, built once per run; seconds it took (None
        when an earlier part built it)."""
        if n in self._thick:
            return self._thick[n], None
        path = self.tmp / f"thick-{n}.db"
        if tallies and _complete(path, n):  # kept (--keep) from an earlier run
            print(f"... using the thick database of {n:,} devices in {path}", file=sys.stderr)
            self._thick[n] = path
            return path, None
        print(f"... building a thick database of {n:,} devices", file=sys.stderr)
        took = build_thick(path, n)
        if tallies:
            from refurb.store import tallies as tl
            from refurb.store.db import open_store

            start = time.perf_counter()
            store = open_store(str(path))
            with store.transaction() as s:
                tl.rebuild(s.connection())
            store.dispose()
            took += time.perf_counter() - start
        self._thick[n] = path
        return path, took


def _complete(path: Path, n: int) -> bool:
    """A thick database an earlier run built whole: ``n`` devices, each with its
    snapshot, and the report tallies filled (the last step of a build)."""
    if not path.exists():
        return False
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            devices = con.execute("SELECT count(*) FROM devices").fetchone()[0]
            snapshots = con.execute("SELECT count(DISTINCT device_id) FROM snapshots").fetchone()[0]
            tallied = all(
                con.execute(f"SELECT 1 FROM {t} LIMIT 1").fetchone() for t in TALLY_TABLES
            )
        finally:
            con.close()
    except sqlite3.Error:
        return False
    return bool(devices == n and snapshots == n and tallied)


# --- measuring ---------------------------------------------------------------------


def hyperfine(ctx: Ctx, commands: dict[str, list[str]]) -> dict[str, list[float]]:
    """Each command's median ms (and ``python -c pass``'s) from each of ``ctx.calls``
    hyperfine calls. hyperfine runs one command's runs, then the next's, so a slow phase
    of the machine can fall on one side of a call: the order of the commands alternates
    from call to call, and a ratio is taken call by call (``process_row``)."""
    named = {**commands, FLOOR: [ctx.python, "-c", "pass"]}
    medians: dict[str, list[float]] = {name: [] for name in named}
    for call in range(ctx.calls):
        out = ctx.tmp / f"hyperfine-{next(ctx._counter)}.json"
        argv = ["hyperfine", "-N", "--style", "none", "--warmup", str(ctx.warmup)]
        argv += ["--runs", str(ctx.runs), "--export-json", str(out)]
        order = list(named.items())
        if call % 2:
            order.reverse()
        for name, cmd in order:
            argv += ["--command-name", name, shlex.join(cmd)]
        subprocess.run(argv, check=True, env=ctx.env, stdout=subprocess.DEVNULL, cwd=ctx.tmp)
        for r in json.loads(out.read_text())["results"]:
            medians[r["command"]].append(statistics.median(r["times"]) * 1000)
    return medians


def hyperfine_method(ctx: Ctx) -> str:
    return (
        f"hyperfine, {ctx.calls} calls of {ctx.runs} runs after {ctx.warmup} warm-up, the "
        "commands' order alternating; ratio: median of the calls' ratios"
    )


def warm_median_ms(fn: Callable[[], object], rounds: int, warmup: int = 1) -> float:
    """Median ms of ``rounds`` calls after ``warmup`` untimed ones."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def paired_ms(
    mine: Callable[[Any], object], ref: Callable[[Any], object], keys: list[Any], rounds: int,
    warmup: int = 1,
) -> tuple[float, float, float]:  # fmt: skip
    """refurb and its reference timed in the same rounds: each round looks up the same key
    with both, the one called first alternating, so a slow phase of the machine falls on
    both alike. The medians of each (ms) and the median of the rounds' ratios. ``warmup``
    untimed rounds first (every key once, when it is the number of keys)."""
    for i in range(warmup):
        mine(keys[i % len(keys)])
        ref(keys[i % len(keys)])
    a: list[float] = []
    b: list[float] = []
    for i in range(rounds):
        key = keys[i % len(keys)]
        for fn, out in ((mine, a), (ref, b)) if i % 2 == 0 else ((ref, b), (mine, a)):
            start = time.perf_counter()
            fn(key)
            out.append((time.perf_counter() - start) * 1000)
    ratio = statistics.median(x / y for x, y in zip(a, b, strict=True))
    return statistics.median(a), statistics.median(b), ratio


def process_row(
    part: str, name: str, t: dict[str, list[float]], mine: str, ref: str, target: str = "",
    limit: float | None = None, ctx: Ctx | None = None,
) -> Row:  # fmt: skip
    ratio = statistics.median(m / r for m, r in zip(t[mine], t[ref], strict=True))
    return Row(
        part, name, statistics.median(t[mine]), "ms", ref, statistics.median(t[ref]), ratio,
        statistics.median(t[FLOOR]),
        hyperfine_method(ctx) if ctx else "", target,
        None if limit is None else ratio <= limit,
    )  # fmt: skip


# --- the parts -----------------------------------------------------------------------


def bench_probe(ctx: Ctx) -> list[Row]:
    py = ctx.python
    psutil = "python -c 'import psutil'"
    t = hyperfine(
        ctx,
        {
            "refurb probe --json --no-smart": [*ctx.refurb, "probe", "--json", "--no-smart"],
            psutil: [py, "-c", "import psutil"],
        },
    )
    rows = [
        process_row(
            "probe", "probe --json --no-smart (whole process)", t,
            "refurb probe --json --no-smart", psutil, "<= 1.6x", 1.6, ctx,
        )
    ]  # fmt: skip
    from refurb.agent import build

    agent = build(ctx.tmp / "refurb-agent.pyz")
    isolated = "python -I -c 'import psutil'"
    t = hyperfine(
        ctx,
        {
            "agent probe": [py, "-I", str(agent), "probe", "--json", "--no-smart"],
            isolated: [py, "-I", "-c", "import psutil"],
        },
    )
    rows.append(
        process_row(
            "probe", "USB-stick agent (zipapp): probe --json --no-smart", t, "agent probe",
            isolated, "<= 1.6x", 1.6, ctx,
        )
    )  # fmt: skip
    if shutil.which("lshw"):
        smart = "" if shutil.which("smartctl") else " (smartctl not installed: no SMART read)"
        probe = [*ctx.refurb, "probe", "--json"]
        t = hyperfine(ctx, {"refurb probe --json": probe, "lshw -json": ["lshw", "-json"]})
        rows.append(
            process_row(
                "probe", f"probe --json, SMART on{smart}, against lshw", t,
                "refurb probe --json", "lshw -json", "< 1x (faster than lshw)", None, ctx,
            )
        )  # fmt: skip
        rows[-1].ok = rows[-1].ratio is not None and rows[-1].ratio < 1
    else:
        rows.append(Row("probe", "probe --json against lshw", "skipped: lshw not installed", ""))
    return rows


def bench_startup(ctx: Ctx) -> list[Row]:
    t = hyperfine(
        ctx,
        {
            "refurb --help": [*ctx.refurb, "--help"],
            "python -c 'import click'": [ctx.python, "-c", "import click"],
        },
    )
    return [
        process_row("startup", "refurb --help start-up", t, "refurb --help", FLOOR, ctx=ctx),
        process_row(
            "startup", "peer: python -c 'import click'", t, "python -c 'import click'", FLOOR,
            ctx=ctx,
        ),
    ]  # fmt: skip


def _until_line(argv: list[str], env: dict[str, str], marker: str | None) -> float:
    """ms from starting ``argv`` to the first output line starting with ``marker`` (or,
    without one, to its first line); the process then runs to its end, untimed."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    assert proc.stdout is not None
    took = float("nan")
    for line in proc.stdout:
        if marker is None or line.startswith(marker.encode()):
            took = (time.perf_counter() - start) * 1000
            break
    proc.stdout.read()
    proc.wait()
    return took


def bench_intake(ctx: Ctx) -> list[Row]:
    db = ctx.tmp / "intake.db"
    intake = [*ctx.refurb, "intake", "--distinct", "--replay", str(T480), "--db", str(db)]
    subprocess.run(intake, capture_output=True, check=True, env=ctx.env)  # the schema
    help_ = [*ctx.refurb, "--help"]
    t = hyperfine(ctx, {"refurb intake": intake, "refurb --help": help_})
    rows = [
        process_row(
            "intake", "intake of a new device, end to end (replay, SQLite)", t,
            "refurb intake", "refurb --help", "< 1 s", None, ctx,
        )
    ]  # fmt: skip
    rows[-1].ok = statistics.median(t["refurb intake"]) < 1000
    # the verdict on screen: intake prints it before it opens the database
    verdict, first = [], []
    for k in range(ctx.warmup + ctx.runs):
        v = _until_line(intake, ctx.env, "VERDICT")
        f = _until_line(help_, ctx.env, None)
        if k >= ctx.warmup:
            verdict.append(v)
            first.append(f)
    v, f = statistics.median(verdict), statistics.median(first)
    rows.append(
        Row(
            "intake", "verdict on screen (refurb intake, until it prints VERDICT)", v, "ms",
            "refurb --help, until its first line", f, v / f, statistics.median(t[FLOOR]),
            f"started from this process, alternated, {ctx.runs} runs after {ctx.warmup}",
            "< 1 s", v < 1000,
        )
    )  # fmt: skip
    return rows


def make_snapshots(folder: Path, n: int) -> None:
    from refurb.probe import collect
    from refurb.probe.source import CaptureSource

    base = collect(CaptureSource(T480)).to_dict()
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        base["snapshot_id"] = str(uuid.uuid4())
        base["identity"]["serial"] = f"BENCH{i:07d}"
        base["identity"]["board_serial"] = None
        base["identity"]["uuid"] = None
        (folder / f"{i:06d}.json").write_text(json.dumps(base))


_IMPORT = """\
import json, resource, sys, time
from pathlib import Path
from refurb.assess import default_policy
from refurb.store.db import open_store
from refurb.store.importer import import_snapshots
db, folder, again = sys.argv[1], sys.argv[2], sys.argv[3] == "again"
files = sorted(Path(folder).iterdir())
for f in files:  # warm: every file read once, untimed
    f.read_bytes()
start = time.perf_counter()
for f in files:
    json.loads(f.read_bytes())
parse = time.perf_counter() - start
store = open_store(db)
policy = default_policy()
start = time.perf_counter()
rows = import_snapshots(store, [folder], policy, operator="bench", station="BN")
took = time.perf_counter() - start
if again:
    start = time.perf_counter()
    import_snapshots(store, [folder], policy, operator="bench", station="BN")
    again_s = time.perf_counter() - start
else:
    again_s = None
# VmHWM: this process's own peak (ru_maxrss survives exec, so a child of a large
# harness would report the harness's peak)
try:
    hwm = [x for x in Path("/proc/self/status").read_text().splitlines() if x.startswith("VmHWM")]
    rss = int(hwm[0].split()[1]) / 1024
except (OSError, IndexError):
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"n": len(rows), "s": took, "parse": parse, "again": again_s, "rss_mb": rss}))
"""


# What any importer of these files must do at least, with none of refurb's checks: parse,
# write the canonical text and its SHA-256, one INSERT per file into a one-table SQLite
# database, in refurb's batches and with its durability (WAL, synchronous=FULL).
_BARE = """\
import hashlib, json, sqlite3, sys, time
from pathlib import Path
db, folder = sys.argv[1], sys.argv[2]
con = sqlite3.connect(db, isolation_level=None)
con.execute("PRAGMA journal_mode = WAL")
con.execute("PRAGMA synchronous = FULL")
con.execute("CREATE TABLE snapshots (id TEXT PRIMARY KEY, sha256 TEXT NOT NULL, doc TEXT NOT NULL)")
files = sorted(Path(folder).iterdir())
start = time.perf_counter()
for i in range(0, len(files), 500):
    rows = []
    for f in files[i : i + 500]:
        doc = json.loads(f.read_bytes().decode("utf-8"))
        text = json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        rows.append((doc["snapshot_id"], hashlib.sha256(text.encode()).hexdigest(), text))
    con.execute("BEGIN IMMEDIATE")
    con.executemany("INSERT INTO snapshots VALUES (?, ?, ?)", rows)
    con.execute("COMMIT")
print(json.dumps({"n": len(files), "s": time.perf_counter() - start}))
"""


# The import's two stages timed apart, batch by batch, on the same files: reading
# (read, parse, check, assess, canonical text) and writing (plan against the database,
# insert, commit with the tallies). What a faster import would have to take from.
_STAGES = """\
import gc, json, sys, time
from pathlib import Path
from refurb.assess import default_policy
from refurb.store.db import open_store
from refurb.store.importer import _batches
from refurb.store.intake import record_snapshots
db, folder = sys.argv[1], sys.argv[2]
files = sorted(Path(folder).iterdir())
store, policy = open_store(db), default_policy()
gc.set_threshold(100_000, *gc.get_threshold()[1:])  # as the import does
read = write = 0.0
batches = _batches(files, policy, None, False, None)
while True:
    start = time.perf_counter()
    batch = next(batches, None)
    read += time.perf_counter() - start
    if batch is None:
        break
    start = time.perf_counter()
    with store.transaction() as session:
        record_snapshots(session, batch.items, operator="bench", station="BN")
    write += time.perf_counter() - start
print(json.dumps({"n": len(files), "read": read, "write": write}))
"""


def bench_import(ctx: Ctx) -> list[Row]:
    n = ctx.snaps
    snaps = ctx.tmp / f"snaps-{n}"
    if not snaps.exists():
        make_snapshots(snaps, n)
    small = ctx.tmp / f"snaps-{n}-tenth"
    if not small.exists():
        small.mkdir()
        for f in sorted(snaps.iterdir())[: max(1, n // 10)]:
            (small / f.name).write_bytes(f.read_bytes())

    def child(script: str, *args: str) -> dict[str, Any]:
        """``script`` in its own process on a new database, then the database removed."""
        db = ctx.tmp / f"import-{next(ctx._counter)}.db"
        out = subprocess.run(
            [ctx.python, "-c", script, str(db), *args],
            capture_output=True, text=True, check=True, env=ctx.env, cwd=ctx.tmp,
        ).stdout  # fmt: skip
        for leftover in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
            leftover.unlink(missing_ok=True)
        return json.loads(out)  # type: ignore[no-any-return]

    big = child(_IMPORT, str(snaps), "again")
    loader = child(_BARE, str(snaps))
    apart = child(_STAGES, str(snaps))
    tenth = child(_IMPORT, str(small), "once")
    rate, parse = big["n"] / big["s"], big["n"] / big["parse"]
    floor = loader["n"] / loader["s"]
    method = "one process: json.loads of every file (warm), then one import of them"
    return [
        Row(
            "import", f"import {n:,} snapshot files into SQLite", rate, "/s",
            "json.loads of the same files", parse, rate / parse, None, method,
            ">= 4,000/s (about 0.35x json.loads)", rate >= 4000,
        ),
        Row(
            "import", f"import {n:,} snapshot files into SQLite, against a bare loader", rate,
            "/s", "a bare loader: parse, canonical text, SHA-256, one INSERT per file", floor,
            rate / floor, None, "each in its own process, the same files, batches of 500, "
            "WAL and synchronous=FULL; the loader checks nothing and writes one table",
        ),
        Row(
            "import", "import, reading stage: read, parse, check, assess, canonical text",
            apart["read"] / apart["n"] * 1000, "ms", method="per file; "
            "the two stages timed apart, batch by batch, in one process",
        ),
        Row(
            "import", "import, writing stage: plan, insert, commit with the tallies",
            apart["write"] / apart["n"] * 1000, "ms", method="per file; at 4,000/s a file "
            "has 0.250 ms for both stages",
        ),
        Row(
            "import", "import them again (every one already recorded)",
            big["n"] / big["again"], "/s", "json.loads of the same files", parse,
            big["n"] / big["again"] / parse, None, "the same process, right after",
        ),
        Row(
            "import", f"import peak memory (RSS), {n:,} files", big["rss_mb"], "MB",
            f"{max(1, n // 10):,} files", tenth["rss_mb"], big["rss_mb"] / tenth["rss_mb"],
            None, "peak RSS (VmHWM) of each import process", "does not grow with files",
            big["rss_mb"] <= tenth["rss_mb"] * 1.5,
        ),
    ]  # fmt: skip


def bench_lookup(ctx: Ctx) -> list[Row]:
    from refurb.store.db import open_store
    from refurb.store.inventory import device_record, get_device, search

    n = ctx.devices
    path, built = ctx.thick(n)
    con = sqlite3.connect(path)
    sample = con.execute("SELECT tag, serial FROM devices ORDER BY random() LIMIT 200").fetchall()
    tags = [t for t, _ in sample]
    serials = [s for _, s in sample]
    store = open_store(str(path))
    r, w = ctx.rounds, len(sample)
    with store.reading() as s:
        by_tag, raw_tag, tag_x = paired_ms(
            lambda t: device_record(s, get_device(s, t)),
            lambda t: con.execute("SELECT * FROM devices WHERE tag = ?", (t,)).fetchall(),
            tags, r, w,
        )  # fmt: skip
        by_serial, raw_serial, serial_x = paired_ms(
            lambda x: search(s, x),
            lambda x: con.execute("SELECT * FROM devices WHERE serial = ?", (x,)).fetchall(),
            serials, r, w,
        )  # fmt: skip
    store.dispose()
    con.close()
    method = (
        f"in process, warm (each of {w} keys once first); refurb and the reference in the "
        f"same {r} rounds, first in turn; medians, ratio: median of the rounds' ratios"
    )
    rows = [
        Row(
            "lookup", f"show by tag ({n:,} thick devices, SQLite)", by_tag, "ms",
            "raw sqlite3 SELECT by tag", raw_tag, tag_x, None, method, "< 5 ms",
            by_tag < 5,
        ),
        Row(
            "lookup", f"search by serial ({n:,} thick devices, SQLite)", by_serial, "ms",
            "raw sqlite3 SELECT by serial", raw_serial, serial_x, None, method,
            "< 5 ms", by_serial < 5,
        ),
    ]  # fmt: skip
    if built is not None:
        rows.append(_built_row("lookup", n, built))
    return rows


def _built_row(part: str, n: int, seconds: float) -> Row:
    return Row(
        part, f"build the thick {n:,}-device database and its tallies", seconds, "s",
        method="plain sqlite3 executemany; tallies by refurb's rebuild",
    )  # fmt: skip


_GROUP_BY = (
    "SELECT status, count(*) FROM events WHERE at >= '2025-04-01' AND at < '2026-04-01'"
    " GROUP BY status"
)


def _time_report(ctx: Ctx, store: Any, group_by: Callable[[], object]) -> dict[str, Any]:
    """The fiscal-year report: medians for JSON and PDF, each timed in the same rounds as
    the GROUP BY reference (one warm-up), and the report counted from the events once."""
    from refurb.config import DEFAULT_EMISSIONS, DEFAULT_WEIGHTS_KG
    from refurb.reports.pdf import render_pdf
    from refurb.reports.periods import resolve_period
    from refurb.reports.render import json_text
    from refurb.store.reporting import tally, tally_from_events

    period = resolve_period(fiscal_year=2025)
    kw: dict[str, Any] = dict(weights=DEFAULT_WEIGHTS_KG, emissions=DEFAULT_EMISSIONS)
    rounds = ctx.report_rounds
    with store.reading() as s:
        json_ms, ref, json_x = paired_ms(
            lambda _: json_text(tally(s, period, **kw)), lambda _: group_by(), [None], rounds
        )
        pdf_ms, pdf_ref, pdf_x = paired_ms(
            lambda _: render_pdf(tally(s, period, **kw)), lambda _: group_by(), [None], rounds
        )
        report = tally(s, period, **kw)
        start = time.perf_counter()
        slow = tally_from_events(s, period, **kw)
        events_ms = (time.perf_counter() - start) * 1000
    same = {k: v for k, v in slow.to_dict().items() if k != "generated_at"} == {
        k: v for k, v in report.to_dict().items() if k != "generated_at"
    }
    return dict(
        json=json_ms, ref=ref, json_x=json_x, pdf=pdf_ms, pdf_ref=pdf_ref, pdf_x=pdf_x,
        events=events_ms, same=same,
    )  # fmt: skip


def _report_rows(ctx: Ctx, r: dict[str, Any], where: str, n: int) -> list[Row]:
    method = (
        f"in process, warm (1 first); refurb and the reference in the same "
        f"{ctx.report_rounds} rounds, first in turn; ratio: median of the rounds' ratios"
    )
    ref = "one GROUP BY over the period's events"
    return [
        Row(
            "report", f"full report, every breakdown, JSON ({n:,} thick devices, {where})",
            r["json"], "ms", ref, r["ref"], r["json_x"], None, method, "<= 300 ms",
            r["json"] <= 300,
        ),
        Row(
            "report", f"full report with the PDF ({where})", r["pdf"], "ms", ref, r["pdf_ref"],
            r["pdf_x"], None, method, "<= 1 s", r["pdf"] <= 1000,
        ),
        Row(
            "report", f"the same report counted from the events ({where})", r["events"], "ms",
            "same figures" if r["same"] else "DIFFERENT FIGURES", None, None, None,
            "in process, once", "same figures", r["same"],
        ),
    ]  # fmt: skip


def _max_rss_mb(ctx: Ctx, argv: list[str]) -> float:
    """Peak resident memory of a child process, in MB (Linux ru_maxrss is in KiB)."""
    code = (
        "import resource, subprocess, sys\n"
        "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, *argv], capture_output=True, text=True, check=True,
        env=ctx.env,
    )  # fmt: skip
    return float(out.stdout)


def bench_report(ctx: Ctx) -> list[Row]:
    from refurb.store.db import open_store

    n = ctx.devices
    path, built = ctx.thick(n)
    store = open_store(str(path))
    con = sqlite3.connect(path)
    r = _time_report(ctx, store, lambda: con.execute(_GROUP_BY).fetchall())
    con.close()
    store.dispose()
    rows = _report_rows(ctx, r, "SQLite", n)
    report = [*ctx.refurb, "report", "--fiscal-year", "2025", "--json", "--db"]
    big = _max_rss_mb(ctx, [*report, str(path)])
    empty = ctx.tmp / "empty.db"
    open_store(str(empty)).dispose()
    small = _max_rss_mb(ctx, [*report, str(empty)])
    rows.append(
        Row(
            "report", "report peak memory (RSS), `refurb report --json` process", big, "MB",
            "on an empty database", small, big / small, None, "ru_maxrss, one run each",
            "does not grow with devices", big <= small * 1.5,
        )
    )  # fmt: skip
    if built is not None:
        rows.append(_built_row("report", n, built))
    return rows


# --- PostgreSQL: databases of this run's own, dropped only when this run made them ------

_CREATED: set[str] = set()


def pg_database(prefix: str = "refurb_bench") -> tuple[str, str] | None:
    """A new database with a name no other run uses (``prefix_<pid>_<random>``): its name
    and URL, or None when there is no server."""
    try:
        import psycopg
    except ImportError:
        return None
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(4)}"
    try:
        with psycopg.connect(PG_URL, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error:
        return None
    _CREATED.add(name)
    return name, PG_URL.rsplit("/", 1)[0] + "/" + name


def drop_pg_database(name: str) -> None:
    """Drop a database this run created (any other name is left alone)."""
    if name not in _CREATED:
        return
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
    _CREATED.discard(name)


def copy_to_pg(sqlite_path: Path, url: str, tables: tuple[str, ...] | list[str]) -> float:
    """Copy tables of a refurb SQLite file into a refurb PostgreSQL database (COPY)."""
    import psycopg

    from refurb.store.db import open_store

    open_store(url).dispose()  # the schema, by refurb's own migrations
    start = time.perf_counter()
    src = sqlite3.connect(sqlite_path)
    with psycopg.connect(url) as pg:
        pg.execute("SET timezone = 'UTC'")
        for table in tables:
            cols = [r[1] for r in src.execute(f"PRAGMA table_info({table})")]
            names = ", ".join(f'"{c}"' for c in cols)
            with pg.cursor().copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for r in src.execute(f"SELECT {names} FROM {table}"):
                    copy.write_row(r)
        pg.execute("ANALYZE")
    src.close()
    return time.perf_counter() - start


def bench_postgres(ctx: Ctx) -> list[Row]:
    """Look-ups and the report on PostgreSQL: the thick database copied into the server."""
    import psycopg

    from refurb.store.db import open_store
    from refurb.store.inventory import device_record, get_device, search

    n = ctx.devices
    if n not in ctx._pg:  # made once per run (kept for --repeat), dropped at its end
        made = pg_database()
        if made is None:
            return [Row("postgres", "PostgreSQL benchmarks", "skipped: no server", "")]
        path, _ = ctx.thick(n)
        ctx._pg[n] = (made[1], copy_to_pg(path, made[1], THICK_TABLES))
        copied: float | None = ctx._pg[n][1]
    else:
        copied = None
    url = ctx._pg[n][0]
    path, _ = ctx.thick(n)
    con = sqlite3.connect(path)
    sample = con.execute("SELECT tag, serial FROM devices ORDER BY random() LIMIT 200")
    pairs = sample.fetchall()
    con.close()
    tags = [t for t, _ in pairs]
    serials = [s for _, s in pairs]
    r, w = ctx.rounds, len(pairs)
    store = open_store(url)
    with store.reading() as s, psycopg.connect(url) as pg:
        by_tag_sql = "SELECT * FROM devices WHERE tag = %s"
        by_tag, raw, tag_x = paired_ms(
            lambda t: device_record(s, get_device(s, t)),
            lambda t: pg.execute(by_tag_sql, (t,)).fetchall(),
            tags, r, w,
        )  # fmt: skip
        by_serial_sql = "SELECT * FROM devices WHERE serial = %s"
        by_serial, raw_serial, serial_x = paired_ms(
            lambda x: search(s, x), lambda x: pg.execute(by_serial_sql, (x,)).fetchall(),
            serials, r, w,
        )  # fmt: skip
        rep = _time_report(ctx, store, lambda: pg.execute(_GROUP_BY).fetchall())
    store.dispose()
    method = (
        f"in process, warm (each of {w} keys once first); refurb and the reference in the "
        f"same {r} rounds, first in turn; medians, ratio: median of the rounds' ratios"
    )
    rows = [
        Row(
            "postgres", f"show by tag ({n:,} thick devices, PostgreSQL)", by_tag, "ms",
            "raw psycopg SELECT by tag", raw, tag_x, None, method, "< 5 ms", by_tag < 5,
        ),
        Row(
            "postgres", f"search by serial ({n:,} thick devices, PostgreSQL)", by_serial, "ms",
            "raw psycopg SELECT by serial", raw_serial, serial_x, None, method,
            "< 5 ms",
            by_serial < 5,
        ),
        *[
            Row(**{**x.__dict__, "part": "postgres"})
            for x in _report_rows(ctx, rep, "PostgreSQL", n)
        ],
    ]  # fmt: skip
    if copied is not None:
        rows.append(Row("postgres", "copy the thick database into PostgreSQL (COPY)", copied, "s"))
    return rows


def bench_hub(ctx: Ctx) -> list[Row]:
    from refurb.app.hub import import_bundle
    from refurb.store.bundles import export_bundle
    from refurb.store.db import open_store

    n = ctx.hub_devices
    shop, _ = ctx.thick(n)
    key = b"benchmark program key"
    store = open_store(str(shop))
    with store.reading() as s:
        events = s.execute(select_count("events")).scalar_one()
        export_bundle(s, key, "BN")  # warm
        start = time.perf_counter()
        data, _ = export_bundle(s, key, "BN")
        export_s = time.perf_counter() - start
    store.dispose()
    hub_path = ctx.tmp / f"hub-{next(ctx._counter)}.db"
    hub = open_store(str(hub_path))
    # as `refurb import` at a hub does it: the signature and every row checked, merged,
    # and every touched device's history re-checked by the rulebook before the commit
    start = time.perf_counter()
    first = import_bundle(hub, data, key, "bench")
    import_s = time.perf_counter() - start
    start = time.perf_counter()
    import_bundle(hub, data, key, "bench")
    again_s = time.perf_counter() - start
    assert sum(first.values()) > 0, first
    hub.dispose()
    hub_path.unlink()
    con = sqlite3.connect(shop)
    raw_s = warm_median_ms(lambda: con.execute("SELECT * FROM events").fetchall(), 1) / 1000
    con.close()
    return [
        Row(
            "hub", f"export a bundle ({events:,} events, {n:,} thick devices)",
            events / export_s, "/s", "raw SELECT of the events", events / raw_s,
            raw_s / export_s, None, "in process, warm (1 first), once each",
            ">= 5,000 events/s", events / export_s >= 5000,
        ),
        Row(
            "hub", "import it at a hub (checked, merged)", events / import_s, "/s",
            method="in process, once, into an empty hub: signature and rows checked, merged, "
            "every device's history re-checked by the rulebook", target=">= 5,000 events/s",
            ok=events / import_s >= 5000,
        ),
        Row("hub", "import it again (nothing new)", events / again_s, "/s", method="once"),
        Row("hub", "bundle size", f"{len(data) / (1 << 20):.1f} MiB", "text"),
    ]  # fmt: skip


def select_count(table: str) -> Any:
    from sqlalchemy import func, select
    from sqlmodel import SQLModel

    return select(func.count()).select_from(SQLModel.metadata.tables[table])


def bench_labels(ctx: Ctx) -> list[Row]:
    import io

    import qrcode
    from qrcode.constants import ERROR_CORRECT_H
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing
    from reportlab.pdfgen.canvas import Canvas

    from refurb.labels import LabelData, load_stocks, render
    from refurb.qr import matrix_rows
    from refurb.tags import new_tag

    n = ctx.labels
    stock = load_stocks()["avery-l7160"]
    data = [
        LabelData(
            tag=new_tag(), model="LENOVO ThinkPad T480",
            cpu="Intel(R) Core(TM) i5-8250U CPU @ 1.60GHz", memory_bytes=8 << 30,
            storage_bytes=512110190592, storage_kind="nvme", battery_pct=73.0,
            disposition="refurbish", grade_functional="F4", grade_cosmetic="C5",
            tested_on=date(2026, 11, 23), tested_by="trainee-07", year=2018,
        )
        for _ in range(n)
    ]  # fmt: skip
    tags = [d.tag for d in data[:300]]

    def codes(_: object) -> None:  # the reference: the QR codes alone, for as many labels
        for d in data:
            code = qrcode.QRCode(error_correction=ERROR_CORRECT_H, border=0)
            code.add_data(d.tag)
            code.make(fit=True)

    render(data[:21], stock)  # warm
    pdf = render(data, stock)
    pdf_ms, codes_ms, pdf_x = paired_ms(lambda _: render(data, stock), codes, [None], 5, 0)
    labels_s, codes_s = n / pdf_ms * 1000, n / codes_ms * 1000

    def ours() -> None:
        for t in tags:
            matrix_rows(t)

    def lib() -> None:
        for t in tags:
            code = qrcode.QRCode(error_correction=ERROR_CORRECT_H, border=0)
            code.add_data(t)
            code.make(fit=True)

    def widget() -> None:
        canvas = Canvas(io.BytesIO())
        for t in tags[:100]:
            drawing = Drawing(50, 50)
            drawing.add(QrCodeWidget(t, barLevel="H"))
            drawing.drawOn(canvas, 0, 0)

    ours_ms = warm_median_ms(ours, 3) / len(tags)
    lib_ms = warm_median_ms(lib, 3) / len(tags)
    widget_ms = warm_median_ms(widget, 3) / 100
    method = f"in process, warm (1 first), median of 3 rounds of {len(tags)} codes"
    return [
        Row(
            "labels", f"{n:,}-label PDF on Avery L7160 (written)", labels_s, "/s",
            "qrcode library alone, codes", codes_s, 1 / pdf_x, None,
            "in process, warm (21 labels, then the whole PDF, first); the PDF and the "
            "reference in the same 5 rounds, first in turn; rates from the medians, ratio "
            "from the rounds' ratios", ">= 1,000 labels/s", labels_s >= 1000,
        ),
        Row(
            "labels", "label PDF size",
            f"{len(pdf) / 1024:,.0f} KiB for {n:,} labels ({len(pdf) / n / 1024:.2f} KiB each)",
            "text",
        ),
        Row(
            "labels", "QR symbol, penalty-rule mask (refurb.qr)", ours_ms, "ms",
            "qrcode library", lib_ms, ours_ms / lib_ms, None, method,
        ),
        Row(
            "labels", "peer: reportlab QrCodeWidget drawn", widget_ms, "ms", "refurb.qr",
            ours_ms, widget_ms / ours_ms, None, method,
        ),
    ]  # fmt: skip


BENCHES: dict[str, Callable[[Ctx], list[Row]]] = {
    "probe": bench_probe,
    "startup": bench_startup,
    "intake": bench_intake,
    "import": bench_import,
    "lookup": bench_lookup,
    "report": bench_report,
    "postgres": bench_postgres,
    "hub": bench_hub,
    "labels": bench_labels,
}


# --- the table ---------------------------------------------------------------------


def _num(v: float, unit: str) -> str:
    if unit == "/s":
        return f"{v:,.0f}/s"
    if unit == "ms":
        return f"{v:,.0f} ms" if v >= 100 else f"{v:.1f} ms" if v >= 1 else f"{v:.3f} ms"
    if unit == "MB":
        return f"{v:,.0f} MB"
    if unit == "s":
        return f"{v:,.1f} s"
    return str(v)


def _span(values: list[Any], show: Callable[[Any], str]) -> str:
    vals = [v for v in values if v is not None]
    if not vals:
        return ""
    if isinstance(vals[0], str) or len(vals) == 1 or min(vals) == max(vals):
        return show(vals[0])
    return f"{show(min(vals))} – {show(max(vals))}"


def by_figure(runs: list[list[Row]]) -> dict[tuple[str, str], list[Row]]:
    """Each figure's rows over the runs, in the order the first run gave them."""
    out: dict[tuple[str, str], list[Row]] = {}
    for rows in runs:
        for r in rows:
            out.setdefault((r.part, r.name), []).append(r)
    return out


def _times(ratio: float) -> str:
    return f"{ratio:.2f}x"


def table(runs: list[list[Row]]) -> list[str]:
    """One line per figure; with several runs, each number is the range over them."""
    lines = [
        "| benchmark | refurb | reference (same run) | ratio | `python -c pass` | method "
        "| target | status |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for (_, name), rs in by_figure(runs).items():
        first = rs[0]
        unit = first.unit
        value = _span([r.value for r in rs], lambda v, u=unit: _num(v, u))
        ref = _span([r.ref_value for r in rs], lambda v, u=unit: _num(v, u))
        ratio = _span([r.ratio for r in rs], _times)
        floor = _span([r.floor_ms for r in rs], lambda v: f"{v:.0f} ms")
        oks = [r.ok for r in rs if r.ok is not None]
        status = ""
        if oks:
            status = ("pass" if all(oks) else "short") + (
                f" ({sum(oks)}/{len(oks)})" if len(oks) > 1 else ""
            )
        reference = f"{first.reference} {ref}".strip()
        lines.append(
            f"| {name} | {value} | {reference} | {ratio} | {floor} | {first.method} "
            f"| {first.target} | {status} |"
        )
    return lines


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}; "
        f"load average at the start {load:.2f}"
    )


def write(runs: list[list[Row]], started: datetime, argv: list[str], ctx: Ctx) -> str:
    how = "an installed refurb" if ctx.installed else "this checkout, byte-compiled"
    lines = [
        "## Results",
        "",
        f"Written by `python bench/run.py {shlex.join(argv)}` on {started:%Y-%m-%d %H:%M} UTC"
        f" ({len(runs)} run(s); with several, each number is the range over them).",
        f"Machine: {machine()}. refurb: {how} (`{shlex.join(ctx.refurb)}`).",
        "",
        "Ratios: refurb's time over the reference's (for rates, refurb's rate over the "
        "reference's), both from the same hyperfine call or the same process. How each "
        "figure was taken is in docs/benchmarks.md.",
        "",
        *table(runs),
        "",
    ]
    return "\n".join(lines)


RESULTS_START = "<!-- results: written by bench/run.py -->"
RESULTS_END = "<!-- /results -->"
RERUN_START = "<!-- rerun: written by bench/run.py --check -->"
RERUN_END = "<!-- /rerun -->"
# A rerun reproduces a figure when it lands inside the earlier runs' range widened by this
# share of the range's middle on each side: the noise docs/benchmarks.md states.
NOISE = 0.15


def save(out: Path, text: str, marks: tuple[str, str] = (RESULTS_START, RESULTS_END)) -> None:
    """Write the results to ``out``; a file that marks a place for them (docs/benchmarks.md)
    keeps the rest of its text, and only what stands between the marks is replaced."""
    start, end = marks
    old = out.read_text() if out.exists() else ""
    if start in old and end in old.split(start, 1)[1]:
        head, rest = old.split(start, 1)
        tail = rest.split(end, 1)[1]
        text = f"{head}{start}\n\n{text.strip()}\n\n{end}{tail}"
    out.write_text(text)


def runs_path(out: Path) -> Path:
    """Where a run keeps its figures for a later ``--check``: beside its results."""
    return out.with_suffix(".runs.json")


def save_runs(path: Path, runs: list[list[Row]], started: datetime, argv: list[str]) -> None:
    doc = {
        "started": started.isoformat(timespec="minutes"),
        "argv": argv,
        "machine": machine(),
        "runs": [[dataclasses.asdict(r) for r in rows] for rows in runs],
    }
    path.write_text(json.dumps(doc, indent=1) + "\n")


def _within(earlier: list[float], value: float) -> bool:
    low, high = min(earlier), max(earlier)
    slack = NOISE * (low + high) / 2
    return low - slack <= value <= high + slack


def check(earlier_doc: dict[str, Any], runs: list[list[Row]], started: datetime) -> str:
    """This run against the earlier one's figures: for each figure (and each ratio), the
    earlier range, this run's, and whether it reproduces within the stated noise."""
    earlier = by_figure([[Row(**r) for r in rows] for rows in earlier_doc["runs"]])
    lines = [
        "## Rerun",
        "",
        f"`python bench/run.py --check` on {started:%Y-%m-%d %H:%M} UTC, against the run of "
        f"{earlier_doc['started']}. Machine: {machine()}.",
        f"A figure reproduces when this run's value (and its ratio) lies in the earlier range "
        f"widened by {NOISE:.0%} of that range's middle on each side.",
        "",
        "| benchmark | earlier | this run | ratio earlier | ratio now | reproduces |",
        "|---|---|---|---|---|---|",
    ]
    same = total = 0
    for key, rows in by_figure(runs).items():
        before = earlier.get(key)
        nums = [r.value for r in rows if isinstance(r.value, int | float)]
        if not before or not nums:
            continue
        unit = rows[0].unit
        old = [r.value for r in before if isinstance(r.value, int | float)]
        old_ratio = [r.ratio for r in before if r.ratio is not None]
        ratios = [r.ratio for r in rows if r.ratio is not None]
        ok = all(_within(old, v) for v in nums) and (
            not ratios or not old_ratio or all(_within(old_ratio, v) for v in ratios)
        )
        total += 1
        same += ok

        def num(v: float, u: str = unit) -> str:
            return _num(v, u)

        lines.append(
            f"| {key[1]} | {_span(old, num)} | {_span(nums, num)} | {_span(old_ratio, _times)} "
            f"| {_span(ratios, _times)} | {'yes' if ok else '**no**'} |"
        )
    lines += ["", f"{same} of {total} figures reproduce within the stated noise.", ""]
    return "\n".join(lines)


def _context(args: argparse.Namespace, tmp: Path) -> Ctx:
    env = dict(os.environ)
    if args.python:
        python = args.python
        script = Path(python).parent / "refurb"
        refurb = [str(script)] if script.exists() else [python, "-m", "refurb"]
        env.pop("PYTHONPATH", None)
        installed = True
    else:
        python = sys.executable
        refurb = [python, "-m", "refurb"]
        env["PYTHONPATH"] = str(ROOT)
        # pip byte-compiles a package it installs; do the same for this checkout (run
        # with PYTHONDONTWRITEBYTECODE it would compile every module at every start)
        compileall.compile_dir(ROOT / "refurb", quiet=2)
        installed = False
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    ctx = Ctx(tmp, python, refurb, env, installed)
    if args.quick:
        ctx.runs, ctx.warmup, ctx.rounds, ctx.report_rounds, ctx.calls = 5, 1, 50, 3, 2
        ctx.devices, ctx.snaps, ctx.hub_devices, ctx.labels = 20_000, 1_000, 2_000, 200
    for name in ("runs", "warmup", "calls", "rounds", "devices", "snaps", "hub_devices", "labels"):
        if getattr(args, name) is not None:
            setattr(ctx, name, getattr(args, name))
    return ctx


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("parts", nargs="*", metavar="PART", help="default: every part")
    parser.add_argument("--out", default=str(DEFAULT_OUT), help=f"default: {DEFAULT_OUT}")
    parser.add_argument("--quick", action="store_true", help="small sizes, few runs")
    parser.add_argument("--repeat", type=int, default=1, help="run the parts N times: ranges")
    parser.add_argument("--python", help="interpreter of an installed refurb (a venv's)")
    parser.add_argument("--runs", type=int, help="hyperfine runs per command (default 10)")
    parser.add_argument("--warmup", type=int, help="hyperfine warm-up runs (default 3)")
    parser.add_argument("--calls", type=int, help="hyperfine calls per comparison (default 3)")
    parser.add_argument("--rounds", type=int, help="in-process look-ups timed (default 200)")
    parser.add_argument("--devices", type=int, help="thick database size (default 1,000,000)")
    parser.add_argument("--snaps", type=int, help="snapshot files to import (default 10,000)")
    parser.add_argument("--hub-devices", type=int, help="devices in the bundle (default 25,000)")
    parser.add_argument("--labels", type=int, help="labels in the PDF (default 1,000)")
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and keep it (else a temp dir)")
    parser.add_argument(
        "--check", metavar="RUNS.json",
        help="rerun and compare with an earlier run's figures (the .runs.json beside its "
        "results); writes a Rerun section instead of the results",
    )  # fmt: skip
    args = parser.parse_args(argv)
    earlier: dict[str, Any] = {}
    if args.check:
        try:
            earlier = json.loads(Path(args.check).read_text())
        except (OSError, ValueError) as exc:
            parser.error(f"--check {args.check}: {exc}")
    unknown = [p for p in args.parts if p not in BENCHES]
    if unknown:
        parser.error(f"unknown part(s) {', '.join(unknown)}; parts: {', '.join(PARTS)}")
    if not shutil.which("hyperfine") and set(args.parts or PARTS) & {"probe", "startup", "intake"}:
        parser.error("hyperfine is not installed (apt-get install hyperfine)")
    parts = args.parts or list(PARTS)
    started = datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="refurb-bench-") as tmp_name:
        tmp = Path(args.keep) if args.keep else Path(tmp_name)
        tmp.mkdir(parents=True, exist_ok=True)
        ctx = _context(args, tmp)
        runs: list[list[Row]] = []
        try:
            for k in range(args.repeat):
                rows: list[Row] = []
                for part in parts:
                    print(f"... {part} (run {k + 1} of {args.repeat})", file=sys.stderr)
                    rows += BENCHES[part](ctx)
                runs.append(rows)
        finally:
            for name in list(_CREATED):
                drop_pg_database(name)
    said = sys.argv[1:] if argv is None else argv
    if args.check:
        text = check(earlier, runs, started)
        save(Path(args.out), text, (RERUN_START, RERUN_END))
    else:
        text = write(runs, started, said, ctx)
        save(Path(args.out), text)
        save_runs(runs_path(Path(args.out)), runs, started, said)
    print(text)
    print(f"written to {args.out}", file=sys.stderr)


# bench/web.py builds its program with this
def build_program(path: Path, n: int) -> float:
    return build_thick(path, n)


if __name__ == "__main__":
    main()
