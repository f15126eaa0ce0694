"""The benchmark harness (bench/run.py), run on tiny sizes: its parts run on their own,
write where they are told with the rows they promise, and a PostgreSQL run creates and
drops only its own uniquely named database."""

from __future__ import annotations

import json
import secrets
import shutil
import sqlite3
from pathlib import Path

import pytest

from bench import run
from bench.thick import build_thick
from tests.conftest import postgres_available


def _rows(text: str) -> dict[str, list[str]]:
    """The result table: benchmark name -> its cells."""
    out = {}
    for line in text.splitlines():
        if line.startswith("| ") and not line.startswith("| benchmark"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            out[cells[0]] = cells[1:]
    return out


def test_the_default_output_is_outside_docs() -> None:
    assert run.ROOT / "docs" not in run.DEFAULT_OUT.parents


def test_an_unknown_part_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        run.main(["nosuchpart", "--out", str(tmp_path / "out.md")])
    assert not (tmp_path / "out.md").exists()


@pytest.mark.skipif(not shutil.which("hyperfine"), reason="hyperfine is not installed")
def test_startup_and_labels_parts_write_their_rows(tmp_path: Path) -> None:
    out = tmp_path / "bench.md"
    args = ["startup", "labels", "--quick", "--runs", "2", "--warmup", "0", "--labels", "25"]
    run.main([*args, "--out", str(out)])
    rows = _rows(out.read_text())
    help_ = rows["refurb --help start-up"]
    assert help_[0].endswith(" ms") and help_[1].startswith("python -c pass")
    assert help_[2].endswith("x") and help_[3].endswith(" ms")  # the floor beside the ratio
    assert "hyperfine, 2 calls of 2 runs after 0 warm-up, the commands' order" in help_[4]
    assert "25-label PDF on Avery L7160 (written)" in rows
    assert not any(name.startswith(("probe", "import", "show")) for name in rows)


def test_thick_database_gives_every_device_its_records(tmp_path: Path) -> None:
    path = tmp_path / "thick.db"
    build_thick(path, 60)
    con = sqlite3.connect(path)
    for table in ("snapshots", "assessments", "drives"):
        assert con.execute(f"SELECT count(DISTINCT device_id) FROM {table}").fetchone() == (60,)
    per_device = con.execute(
        "SELECT min(n) FROM (SELECT count(*) n FROM events GROUP BY device_id)"
    )
    assert per_device.fetchone()[0] >= 3  # received, probed, diagnosed at least
    assert con.execute("SELECT count(*) FROM findings").fetchone()[0] >= 60
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    con.close()


def test_lookup_and_report_parts_repeated_give_ranges(tmp_path: Path) -> None:
    out = tmp_path / "bench.md"
    args = ["lookup", "report", "--quick", "--devices", "300", "--rounds", "10", "--repeat", "2"]
    run.main([*args, "--out", str(out)])
    text = out.read_text()
    assert "(2 run(s)" in text
    rows = _rows(text)
    tag = rows["show by tag (300 thick devices, SQLite)"]
    assert tag[1].startswith("raw sqlite3 SELECT by tag") and "same 10 rounds" in tag[4]
    assert tag[-1].startswith(("pass", "short")) and "/2)" in tag[-1]
    report = rows["full report, every breakdown, JSON (300 thick devices, SQLite)"]
    assert report[1].startswith("one GROUP BY") and "same 3 rounds" in report[4]
    assert rows["the same report counted from the events (SQLite)"][-1].startswith("pass")


def _bench_databases() -> set[str]:
    import psycopg

    with psycopg.connect(run.PG_URL, autocommit=True, connect_timeout=3) as conn:
        return {
            r[0]
            for r in conn.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE 'refurb_bench%'"
            )
        }


@pytest.mark.postgres
def test_postgres_part_drops_only_its_own_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reason = postgres_available()
    if reason:
        pytest.skip(reason)
    import psycopg

    decoy = f"refurb_bench_decoy_{secrets.token_hex(4)}"  # another run's database
    with psycopg.connect(run.PG_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{decoy}"')
    made: list[str] = []
    real = run.pg_database

    def spy(prefix: str = "refurb_bench") -> tuple[str, str] | None:
        result = real(prefix)
        if result is not None:
            made.append(result[0])
            assert result[0] in _bench_databases()  # it exists while the part runs
        return result

    monkeypatch.setattr(run, "pg_database", spy)
    try:
        before = _bench_databases()
        out = tmp_path / "bench.md"
        run.main(["postgres", "--quick", "--devices", "200", "--rounds", "5", "--out", str(out)])
        assert len(made) == 1 and made[0].startswith("refurb_bench_")
        assert made[0] not in before
        after = _bench_databases()
        assert made[0] not in after and decoy in after
        run.drop_pg_database(decoy)  # not this run's: left alone
        assert decoy in _bench_databases()
        rows = _rows(out.read_text())
        assert rows["search by serial (200 thick devices, PostgreSQL)"][1].startswith(
            "raw psycopg SELECT by serial"
        )
    finally:
        with psycopg.connect(run.PG_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{decoy}"')


def test_ranges_over_runs() -> None:
    def one(v: float, ok: bool) -> list[run.Row]:
        return [run.Row("p", "figure", v, "ms", "ref", 10.0, v / 10, 12.0, "m", "t", ok)]

    (line,) = [x for x in run.table([one(20, True), one(30, False)]) if x.startswith("| figure")]
    cells = [c.strip() for c in line.strip("|").split("|")]
    assert cells[1] == "20.0 ms – 30.0 ms" and cells[3] == "2.00x – 3.00x"
    assert cells[4] == "12 ms" and cells[-1] == "short (1/2)"


def test_results_replace_only_the_marked_place(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text(
        f"# Method\n\nprose\n\n{run.RESULTS_START}\nold table\n{run.RESULTS_END}\n\nafter\n"
    )
    run.save(doc, "## Results\n\n| new | table |\n")
    text = doc.read_text()
    assert text.startswith("# Method\n\nprose\n\n") and text.endswith(
        f"{run.RESULTS_END}\n\nafter\n"
    )
    assert "| new | table |" in text and "old table" not in text
    plain = tmp_path / "plain.md"
    run.save(plain, "## Results\n")
    assert plain.read_text() == "## Results\n"


def test_a_rerun_is_checked_against_the_earlier_ranges(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    def one(v: float, ratio: float) -> list[run.Row]:
        return [
            run.Row("p", "steady", v, "ms", "ref", 10.0, ratio, None, "m"),
            run.Row("p", "moved", v, "/s", "ref", 10.0, ratio, None, "m"),
        ]

    started = datetime(2026, 12, 4, tzinfo=UTC)
    runs_file = tmp_path / "b.runs.json"
    run.save_runs(runs_file, [one(20, 1.5), one(24, 1.6)], started, ["probe"])
    earlier = json.loads(runs_file.read_text())
    # 20-24 widened by 15 % of 22 (3.3): 16.7-27.3; ratios 1.5-1.6 widen to 1.31-1.79
    rerun = [
        [
            run.Row("p", "steady", 27.0, "ms", "ref", 10.0, 1.75, None, "m"),
            run.Row("p", "moved", 28.0, "/s", "ref", 10.0, 1.55, None, "m"),
        ]
    ]
    text = run.check(earlier, rerun, started)
    cells = [[x.strip() for x in ln.strip("|").split("|")] for ln in text.splitlines()]
    lines = {c[0]: c for c in cells if c[0] in ("steady", "moved")}
    assert lines["steady"][-1] == "yes" and lines["moved"][-1] == "**no**"
    assert lines["steady"][1] == "20.0 ms – 24.0 ms" and lines["steady"][2] == "27.0 ms"
    assert "1 of 2 figures reproduce" in text
    doc = tmp_path / "benchmarks.md"
    doc.write_text(
        f"{run.RESULTS_START}\nresults\n{run.RESULTS_END}\n{run.RERUN_START}\n{run.RERUN_END}\n"
    )
    run.save(doc, text, (run.RERUN_START, run.RERUN_END))
    assert "results" in doc.read_text() and "1 of 2 figures" in doc.read_text()


def test_a_kept_thick_database_is_used_again_when_whole(tmp_path: Path) -> None:
    keep, out = tmp_path / "keep", tmp_path / "bench.md"
    args = ["lookup", "--quick", "--devices", "200", "--rounds", "5", "--keep", str(keep)]
    built = "build the thick 200-device database and its tallies"
    run.main([*args, "--out", str(out)])
    assert built in _rows(out.read_text())
    run.main([*args, "--out", str(out)])  # the same database, not built again
    assert built not in _rows(out.read_text())
    assert "show by tag (200 thick devices, SQLite)" in _rows(out.read_text())
    with sqlite3.connect(keep / "thick-200.db") as con:  # a build cut short is built again
        con.execute("DELETE FROM tally_marks")
    run.main([*args, "--out", str(out)])
    assert built in _rows(out.read_text())


def test_process_ratios_are_taken_call_by_call_with_the_order_alternating(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    orders: list[list[str]] = []
    slow = iter([(30.0, 10.0), (10.0, 10.0), (12.0, 20.0)])  # (mine, reference) per call

    def fake_run(argv: list[str], **_: object) -> None:
        names = [argv[i + 1] for i, a in enumerate(argv) if a == "--command-name"]
        orders.append(names)
        mine, ref = next(slow)
        times = {"mine": mine, "ref": ref, run.FLOOR: 5.0}
        out = Path(argv[argv.index("--export-json") + 1])
        out.write_text(json.dumps({"results": [
            {"command": n, "times": [times[n] / 1000] * 3} for n in names
        ]}))  # fmt: skip

    monkeypatch.setattr(run.subprocess, "run", fake_run)
    ctx = run.Ctx(tmp_path, "python", ["refurb"], {}, True, runs=3, warmup=0, calls=3)
    t = run.hyperfine(ctx, {"mine": ["a"], "ref": ["b"]})
    assert orders[0] == ["mine", "ref", run.FLOOR] and orders[1] == [run.FLOOR, "ref", "mine"]
    assert orders[2] == orders[0]
    row = run.process_row("p", "figure", t, "mine", "ref", "<= 1.6x", 1.6, ctx)
    # ratios 3.0, 1.0, 0.6: their median, not the ratio of the medians (12 / 10)
    assert row.ratio == 1.0 and row.value == 12.0 and row.ref_value == 10.0 and row.ok
    assert row.floor_ms == 5.0 and "3 calls of 3 runs" in row.method


def test_in_process_ratios_pair_each_round_with_the_order_alternating(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[tuple[str, str]] = []
    # a call takes this many ms, one after the other
    spent = {"mine": iter([3, 1, 4]), "ref": iter([1, 2, 2])}
    now = [0.0]

    def perf_counter() -> float:
        return now[0]

    def timed(name: str) -> object:
        def fn(key: str) -> None:
            calls.append((name, key))
            now[0] += next(spent[name]) / 1000  # in ms, once converted

        return fn

    monkeypatch.setattr(run.time, "perf_counter", perf_counter)
    mine, ref, ratio = run.paired_ms(timed("mine"), timed("ref"), ["k1", "k2"], 3, warmup=0)
    # the same key for both in a round, the one called first alternating
    assert calls == [
        ("mine", "k1"),
        ("ref", "k1"),
        ("ref", "k2"),
        ("mine", "k2"),
        ("mine", "k1"),
        ("ref", "k1"),
    ]
    # rounds' ratios 3.0, 0.5, 2.0: their median, not the ratio of the medians (3 / 2)
    assert (mine, ref, ratio) == pytest.approx((3.0, 2.0, 2.0))
    calls.clear()
    spent = {"mine": iter([9, 9, 2, 2, 2]), "ref": iter([9, 9, 1, 1, 1])}
    mine, ref, ratio = run.paired_ms(timed("mine"), timed("ref"), ["k1", "k2"], 3, warmup=2)
    assert calls[:4] == [("mine", "k1"), ("ref", "k1"), ("mine", "k2"), ("ref", "k2")]
    assert (mine, ref, ratio) == pytest.approx((2.0, 1.0, 2.0))  # the warm-up is not timed
