"""Records as a shop keeps them, through the command line: paper dates, corrections,
weights, spellings, participants by where they live; bad input refused with nothing
written. A property test keeps the report tallies equal to the events through voids
and back-dated steps."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.store_helpers import laptop
from tests.test_probe_live_and_bad_input import run_cli

PURGE = [
    "--level",
    "purge",
    "--method",
    "block-erase",
    "--tool",
    "nwipe",
    "--verify",
    "full read-back",
    "--result",
    "pass",
]


class Shop:
    def __init__(self, tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.db = ["--db", str(tmp / "shop.db")]
        self.tmp = tmp
        self.capsys = capsys
        self.n = 0

    def run(self, *args: str) -> tuple[int, str, str]:
        return run_cli([*args, *self.db], self.capsys)

    def ok(self, *args: str) -> str:
        code, out, err = self.run(*args)
        assert code == 0, err
        return out

    def fails(self, code: int, *args: str) -> str:
        got, _, err = self.run(*args)
        assert got == code, err
        assert "Traceback" not in err
        return err

    def json(self, *args: str) -> Any:
        return json.loads(self.ok(*args, "--json"))

    def laptop(self, *extra: str, serial: str | None = None) -> str:
        self.n += 1
        path = self.tmp / f"snap{self.n}.json"
        path.write_text(json.dumps(laptop(serial=serial or f"SER-{self.n}", uuid_=None).to_dict()))
        doc = self.json("import", str(path), *extra)
        return str(doc["files"][0]["tag"])

    def ready(self, tag: str, at: str | None = None) -> None:
        when = ["--at", at] if at else []
        self.ok("wipe", tag, *PURGE, *when)
        self.ok("status", tag, "ready", *when)

    def report(self, *period: str) -> dict[str, Any]:
        return dict(self.json("report", *period))


@pytest.fixture
def shop(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Shop:
    return Shop(tmp_path, capsys)


def test_a_back_dated_program_reports_in_the_right_fiscal_years(shop: Shop) -> None:
    shop.ok("lot", "add", "L-MAR", "--donor", "Hamlet office", "--date", "2026-03-10")
    shop.ok("participant", "add", "P-1", "--community", "Kimmirut")
    tag = shop.laptop("--lot", "L-MAR", "--at", "2026-03-20")
    shop.ready(tag, at="2026-03-28")
    shop.ok("issue", tag, "--to", "P-1", "--at", "2026-04-03 10:30")
    before, after = shop.report("--fiscal-year", "2025"), shop.report("--fiscal-year", "2026")
    assert (before["totals"]["received"], before["totals"]["refurbished"]) == (1, 1)
    assert before["totals"]["issued"] == 0
    assert (after["totals"]["received"], after["totals"]["issued"]) == (0, 1)
    assert after["totals"]["issued_laptops"] == 1 and after["totals"]["participants"] == 1
    # the same figures counted from the events (a period that is not whole months)
    exact = shop.report("--since", "2026-04-02", "--until", "2026-04-04")
    assert exact["totals"]["issued"] == 1
    show = shop.ok("show", tag)
    assert "2026-03-20 12:00  received" in show and "[entered " in show
    assert shop.json("db", "verify") == {
        "statuses": [],
        "tallies": [],
        "rulebook": [],
        "repaired": False,
    }


def test_back_dating_is_refused_in_the_future_out_of_order_or_malformed(shop: Shop) -> None:
    tag = shop.laptop("--at", "2026-09-15")
    before = shop.ok("show", tag, "--json")
    err = shop.fails(6, "wipe", tag, *PURGE, "--at", "2026-09-14")
    assert "before its latest recorded step" in err and "received" not in err.split("step")[0]
    assert "2026-09-15" in err  # names the step it conflicts with
    assert "in the future" in shop.fails(6, "status", tag, "repairing", "--at", "2099-01-01")
    assert "is not a date" in shop.fails(2, "status", tag, "repairing", "--at", "15/09/2026")
    assert shop.ok("show", tag, "--json") == before
    path = shop.tmp / "future.json"
    snap = laptop(serial="SER-FUTURE", uuid_=None)
    path.write_text(json.dumps(snap.to_dict()))
    doc = json.loads(
        run_cli(["import", str(path), "--at", "2099-01-01", *shop.db, "--json"], shop.capsys)[1]
    )
    assert doc["files"][0]["outcome"] == "refused"
    assert "future" in doc["files"][0]["reason"]


def test_a_voided_issue_leaves_issued_and_is_not_a_return(shop: Shop) -> None:
    shop.ok("participant", "add", "P-7")
    tag = shop.laptop()
    shop.ready(tag)
    shop.ok("issue", tag, "--to", "P-7")
    issued = next(e for e in shop.json("show", tag)["events"] if e["status"] == "issued")
    everything = ("--since", "2020-01-01", "--until", "2030-01-01")
    assert shop.report(*everything)["totals"]["issued"] == 1
    shop.ok("void", issued["id"][-8:], "--reason", "handed the wrong laptop")
    record = shop.json("show", tag)
    assert record["status"] == "ready"
    assert [e["voided_by"] is not None for e in record["events"] if e["status"] == "issued"] == [
        True
    ]
    for period in (everything, ("--fiscal-year", "2026")):
        totals = shop.report(*period)["totals"]
        assert (totals["issued"], totals["returned"], totals["participants"]) == (0, 0, 0)
    assert "already voided" in shop.fails(6, "void", issued["id"][-8:], "--reason", "twice")
    assert "no event" in shop.fails(5, "void", "deadbeef00", "--reason", "x")
    shop.ok("issue", tag, "--to", "P-7")  # and it can be issued again, rightly
    assert shop.json("db", "verify")["tallies"] == []


def test_only_the_latest_step_is_voided_unless_forced_and_the_rulebook_still_holds(
    shop: Shop,
) -> None:
    tag = shop.laptop()
    shop.ready(tag)
    events = shop.json("show", tag)["events"]
    wipe = next(e for e in events if e["kind"] == "sanitized")
    err = shop.fails(6, "void", wipe["id"][-8:], "--reason", "wrong drive")
    assert "not the device's latest step" in err
    # forced, it would leave a ready device with an unwiped drive: refused, nothing written
    before = shop.ok("show", tag, "--json")
    err = shop.fails(6, "void", wipe["id"][-8:], "--reason", "wrong drive", "--force")
    assert "breaking the rulebook" in err
    assert shop.ok("show", tag, "--json") == before
    probe = next(e for e in events if e["kind"] == "probed")
    assert "cannot be voided" in shop.fails(6, "void", probe["id"][-8:], "--reason", "x", "--force")


def test_weights_measured_after_intake_on_import_and_by_the_lot(shop: Shop) -> None:
    shop.ok("lot", "add", "L-W", "--donor", "Bank", "--date", "2026-10-01", "--weight", "10")
    a = shop.laptop("--lot", "L-W", "--weight", "2.5")
    b = shop.laptop("--lot", "L-W")
    c = shop.laptop("--lot", "L-W")
    shop.ok("weigh", b, "1.5")
    for tag in (a, b, c):
        shop.ok("recycle", tag)
    totals = shop.report("--fiscal-year", "2026")["totals"]
    # a 2.5 and b 1.5 measured; c is the lot's 10 kg less those, so 6: all measured
    assert totals["diverted_kg"] == pytest.approx(10.0)
    assert totals["diverted_kg_estimated"] == 0
    for bad in ("0", "inf", "nan", "250"):
        assert "not plausible" in shop.fails(3, "weigh", a, bad)
    shop.fails(2, "weigh", a, "-1")  # read as an option: click's usage error
    for bad in ("inf", "nan", "1e308"):
        code, _, err = shop.run(
            "lot", "add", "L-BAD", "--donor", "X", "--date", "2026-10-01", "--weight", bad
        )
        assert code in (2, 3) and "Traceback" not in err
    assert "L-BAD" not in shop.ok("lot", "list")


def test_spellings_merge_into_one_row_and_participants_count_where_they_live(
    shop: Shop,
) -> None:
    shop.ok(
        "lot",
        "add",
        "L-A",
        "--donor",
        "Hamlet office",
        "--date",
        "2026-10-01",
        "--community",
        "Iqaluit",
    )
    shop.ok(
        "lot",
        "add",
        "L-B",
        "--donor",
        "hamlet office",
        "--date",
        "2026-10-02",
        "--community",
        "iqaluit ",
    )  # the same place: takes the spelling on record
    shop.ok(
        "lot",
        "add",
        "L-C",
        "--donor",
        "Bank",
        "--date",
        "2026-10-03",
        "--community",
        "Iqaluit Hamlet",
    )
    assert [x["community"] for x in shop.json("lot", "list")] == [
        "Iqaluit",
        "Iqaluit",
        "Iqaluit Hamlet",
    ]
    shop.ok("participant", "add", "P-1", "--community", "Kimmirut")
    shop.ok("participant", "add", "P-2", "--community", "kimmirut")
    shop.ok("participant", "add", "P-3")
    tags = [shop.laptop("--lot", lot) for lot in ("L-A", "L-B", "L-C")]
    for tag, who in zip(tags, ("P-1", "P-2", "P-3"), strict=True):
        shop.ready(tag)
        shop.ok("issue", tag, "--to", who)
    shop.ok("community", "merge", "Iqaluit Hamlet", "Iqaluit", "--reason", "same hamlet")
    for period in (("--fiscal-year", "2026"), ("--since", "2026-10-01", "--until", "2027-01-01")):
        report = shop.report(*period)
        rows = {r["key"]: r for r in report["breakdowns"]["community"]}
        assert set(rows) == {"Iqaluit"} and rows["Iqaluit"]["issued"] == 3
        home = {r["key"]: r["participants"] for r in report["breakdowns"]["participant_community"]}
        assert home == {"Kimmirut": 2, None: 1}
    shop.ok("participant", "edit", "P-3", "--community", "Arviat", "--reason", "moved")
    home = shop.report("--fiscal-year", "2026")["breakdowns"]["participant_community"]
    assert {r["key"]: r["participants"] for r in home} == {"Arviat": 1, "Kimmirut": 2}
    history = shop.json("participant", "history", "P-3")
    assert [(h["old"], h["new"], h["reason"]) for h in history] == [(None, "Arviat", "moved")]
    assert "same hamlet" in shop.ok("lot", "history", "L-C")
    assert shop.json("db", "verify")["tallies"] == []


# --- the report tallies stay equal to the events through voids and back-dated steps ---

ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(("intake", "ready", "issue", "return", "recycle", "void", "weigh")),
        st.integers(0, 2),
        st.integers(0, 40),  # days after the program's start
    ),
    min_size=1,
    max_size=14,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(plan=ACTIONS)
def test_tallies_equal_the_events_after_voids_and_back_dated_steps(
    plan: list[tuple[str, int, int]],
) -> None:
    from datetime import UTC, datetime, timedelta

    from refurb.app import lifecycle
    from refurb.app.intake import intake
    from refurb.app.people import add_participant
    from refurb.errors import RefurbError
    from refurb.lifecycle.sanitization import WipeRecord
    from refurb.reports.periods import resolve_period
    from refurb.store import tallies
    from refurb.store.db import open_store
    from refurb.store.reporting import tally_from_events, tally_from_tallies
    from tests.store_helpers import verdict

    start = datetime(2026, 1, 1, 12, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(str(Path(tmp) / "p.db"))
        add_participant(store, "P-1", "Arviat")
        tags: dict[int, str] = {}
        for action, n, day in plan:
            at = start + timedelta(days=day)
            try:
                if action == "intake":
                    snap = laptop(serial=f"PROP-{n}", uuid_=None)
                    tags[n] = intake(
                        store, snap, verdict(snap), operator="t", station="RF", at=at
                    ).tag
                elif n not in tags:
                    continue
                elif action == "ready":
                    lifecycle.wipe(
                        store,
                        tags[n],
                        WipeRecord(
                            level="purge",
                            method="block-erase",
                            tool="t",
                            tool_version=None,
                            verification_method="v",
                            verification_result="pass",
                            performed_by="t",
                            verified_by=None,
                            destination=None,
                            notes=None,
                            station="RF",
                            at=at,
                        ),
                    )
                    lifecycle.move(
                        store, tags[n], "ready", actor="t", note=None, station="RF", at=at
                    )
                elif action == "issue":
                    lifecycle.issue(
                        store, tags[n], "P-1", actor="t", note=None, station="RF", at=at
                    )
                elif action == "return":
                    lifecycle.return_(store, tags[n], actor="t", note=None, station="RF", at=at)
                elif action == "recycle":
                    lifecycle.recycle(store, [tags[n]], actor="t", note=None, station="RF", at=at)
                elif action == "weigh":
                    lifecycle.weigh(store, tags[n], 1.0 + n, actor="t", station="RF", at=at)
                else:
                    from refurb.app.devices import show

                    events = [e for e in show(store, tags[n])["events"] if not e["voided_by"]]
                    lifecycle.void(
                        store, events[-1]["id"], reason="test", force=False, actor="t", station="RF"
                    )
            except RefurbError:
                continue
        with store.reading() as s:
            assert tallies.differences(s.connection()) == []
            period = resolve_period(fiscal_year=2025)
            weights = {"laptop": 2.0, "other": 2.0}
            emissions = {"kg_co2e_per_reuse": 225.0, "source": "test"}
            a = tally_from_tallies(s, period, weights=weights, emissions=emissions)
            b = tally_from_events(s, period, weights=weights, emissions=emissions)
            assert a.totals == b.totals
            assert a.breakdowns == b.breakdowns
        store.dispose()
