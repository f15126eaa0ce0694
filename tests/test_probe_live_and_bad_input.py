"""The live probe, record-then-replay equality, and every kind of bad input."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from refurb.cli import main
from refurb.model import Battery, Gap
from refurb.probe import collect
from refurb.probe.linux import battery_health
from refurb.probe.smart import parse_smartctl
from refurb.probe.source import CaptureSource, LiveSource, RecordingSource

CAPTURES = Path(__file__).parent / "captures"
VOLATILE = ("snapshot_id", "taken_at", "source")


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(args)
    out, err = capsys.readouterr()
    code = exc.value.code
    return (code if isinstance(code, int) else 1), out, err


@pytest.mark.skipif(sys.platform != "linux", reason="the live Linux probe needs Linux")
def test_replay_of_a_recording_equals_the_live_probe(tmp_path: Path) -> None:
    rec = RecordingSource(tmp_path / "cap2")
    live = collect(rec)
    rec.finish()
    replayed = collect(CaptureSource(tmp_path / "cap2"))
    a, b = live.to_dict(), replayed.to_dict()
    for key in VOLATILE:
        a.pop(key), b.pop(key)
    assert a == b


def test_probe_cli_json_and_out(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "snap.json"
    code, stdout, _ = run_cli(
        [
            "probe",
            "--replay",
            str(CAPTURES / "own-linux-lenovo-t480-handmade"),
            "--json",
            "--out",
            str(out),
        ],
        capsys,
    )
    assert code == 0
    assert json.loads(stdout)["identity"]["model"] == "ThinkPad T480"
    assert json.loads(out.read_text())["cpu"]["x86_64_level"] == 3


def test_probe_cli_human_summary(capsys: pytest.CaptureFixture[str]) -> None:
    code, stdout, _ = run_cli(
        ["probe", "--replay", str(CAPTURES / "linux-hdd-seagate-st3500418as-realloc304")], capsys
    )
    assert code == 0
    assert "304 reallocated" in stdout


def test_no_smart_skips_smartctl(capsys: pytest.CaptureFixture[str]) -> None:
    code, stdout, _ = run_cli(
        [
            "probe",
            "--json",
            "--no-smart",
            "--replay",
            str(CAPTURES / "own-linux-lenovo-t480-handmade"),
        ],
        capsys,
    )
    assert code == 0
    doc = json.loads(stdout)
    assert doc["disks"][0]["smart"] is None
    assert "smartctl-nvme0n1.json" not in doc["raw"]["commands"]


def test_outbox_writes_one_uniquely_named_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cap = str(CAPTURES / "own-linux-lenovo-t480-handmade")
    for _ in range(2):
        assert run_cli(["probe", "--replay", cap, "--outbox", str(tmp_path)], capsys)[0] == 0
    files = sorted(tmp_path.iterdir())
    assert len(files) == 2 and all(f.suffix == ".json" for f in files)
    assert "ThinkPad-T480" in files[0].name


@pytest.mark.parametrize(
    "setup, message",
    [
        (lambda p: None, "no such folder"),
        (lambda p: p.mkdir(), "meta.json is missing"),
        (
            lambda p: (p.mkdir(), (p / "meta.json").write_text('{"format": "refurb-capt')),
            "not valid JSON",
        ),
        (lambda p: (p.mkdir(), (p / "meta.json").write_text('{"format": "other"}')), "format is"),
        (
            lambda p: (
                p.mkdir(),
                (p / "meta.json").write_text('{"format": "refurb-capture/1", "os": "beos"}'),
            ),
            "must be linux",
        ),
    ],
)
def test_bad_capture_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], setup, message: str
) -> None:  # type: ignore[no-untyped-def]
    cap = tmp_path / "cap"
    setup(cap)
    code, _, err = run_cli(["probe", "--replay", str(cap)], capsys)
    assert code == 3
    assert message in err and "Traceback" not in err


def test_truncated_capture_files_become_gaps(tmp_path: Path) -> None:
    cap = tmp_path / "cap"
    shutil.copytree(CAPTURES / "own-linux-lenovo-t480-handmade", cap)
    smart = cap / "commands" / "smartctl-nvme0n1.json"
    smart.write_bytes(smart.read_bytes()[:200])
    (cap / "root/proc/cpuinfo").write_bytes(b"")
    (cap / "root/sys/class/power_supply/BAT0/energy_full").write_text("garbage\n")
    (cap / "root/sys/class/dmi/id/chassis_type").unlink()
    snap = collect(CaptureSource(cap))
    reasons = {(g.part, g.field) for g in snap.gaps}
    assert ("disk nvme0n1", "smart") in reasons
    assert ("battery BAT0", "full_capacity") in reasons
    assert snap.batteries[0].health_pct is None
    assert snap.identity.chassis is None


def test_capture_cannot_read_outside_its_root(tmp_path: Path) -> None:
    cap = tmp_path / "cap"
    (cap / "root").mkdir(parents=True)
    (cap / "meta.json").write_text('{"format": "refurb-capture/1", "os": "linux"}')
    (tmp_path / "secret").write_text("x")
    src = CaptureSource(cap)
    with pytest.raises(FileNotFoundError):
        src.read("/../../secret")


def test_missing_smartctl_is_a_gap_on_the_live_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    snap = collect(LiveSource())
    for disk in snap.disks:
        assert disk.smart is None
    assert all(
        g.reason in ("tool missing", "not present", "needs root", "unreadable value")
        for g in snap.gaps
    )


@pytest.mark.parametrize(
    "design, full, health, gap",
    [
        (0.0, 1000.0, None, True),
        (5000.0, 5600.0, 112.0, True),
        (5000.0, 4000.0, 80.0, False),
        (5000.0, -1.0, None, True),
    ],
)
def test_battery_health_edge_values(
    design: float, full: float, health: float | None, gap: bool
) -> None:
    gaps: list[Gap] = []
    assert (
        battery_health(Battery("BAT0", design_capacity=design, full_capacity=full), gaps) == health
    )
    assert bool(gaps) is gap


def test_scrub_blanks_serials(tmp_path: Path) -> None:
    rec = RecordingSource(tmp_path / "cap", scrub=True)
    collect(rec)
    rec.finish()
    for f in (tmp_path / "cap").rglob("*"):
        if f.name in ("product_serial", "product_uuid", "address", "serial"):
            assert f.read_text() == "SCRUBBED\n"


def test_recording_into_a_non_empty_folder_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "x").write_text("keep me")
    code, _, err = run_cli(["probe", "--record", str(tmp_path)], capsys)
    assert code == 3 and "not empty" in err
    assert (tmp_path / "x").read_text() == "keep me"


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600), st.integers(min_value=-5, max_value=300))
def test_smartctl_parser_never_raises_on_garbage(data: bytes, rc: int) -> None:
    reading = parse_smartctl(data, rc, "disk x")
    assert reading.smart is not None or reading.gaps


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(
    st.fixed_dictionaries(
        {},
        optional={
            "smartctl": st.fixed_dictionaries(
                {},
                optional={
                    "exit_status": json_values,
                    "version": json_values,
                    "messages": json_values,
                },
            ),
            "smart_status": json_values,
            "power_on_time": json_values,
            "device": json_values,
            "ata_smart_attributes": st.fixed_dictionaries({}, optional={"table": json_values}),
            "nvme_smart_health_information_log": json_values,
            "ata_smart_self_test_log": json_values,
            "nvme_self_test_log": json_values,
            "user_capacity": json_values,
            "model_name": json_values,
        },
    )
)
def test_smartctl_parser_survives_wrong_types(doc: dict) -> None:  # type: ignore[type-arg]
    reading = parse_smartctl(json.dumps(doc).encode(), 0, "disk x")
    if reading.smart is not None:
        for value in (
            reading.smart.power_on_hours,
            reading.smart.reallocated_sectors,
            reading.smart.percentage_used,
        ):
            assert value is None or isinstance(value, int)
