"""The quick functional tests measure for real, stop when asked and keep what they had."""

from __future__ import annotations

import threading
from pathlib import Path

from refurb import benchtests


def test_cpu_round_gives_the_known_answer() -> None:
    assert benchtests.cpu_round() == benchtests._CPU_EXPECTED


def test_cpu_round_detects_a_wrong_answer() -> None:
    assert benchtests.cpu_round(seed=8) != benchtests._CPU_EXPECTED


def test_cpu_burn_runs_every_worker() -> None:
    result = benchtests.cpu_burn(0.5, lambda f: None, threading.Event(), workers=2)
    assert result["errors"] == 0 and result["rounds"] >= 2 and not result["interrupted"]


def test_cpu_burn_stops_when_asked() -> None:
    stop = threading.Event()
    stop.set()
    result = benchtests.cpu_burn(60, lambda f: None, stop, workers=1)
    assert result["interrupted"] and result["seconds"] < 5


def test_memory_test_checks_every_pattern() -> None:
    seen: list[float] = []
    result = benchtests.memory_test(8, seen.append, threading.Event())
    assert result["errors"] == 0 and result["patterns_done"] == result["patterns_planned"] == 5
    assert seen[-1] == 1.0


def test_memory_test_time_box_keeps_partial_result() -> None:
    result = benchtests.memory_test(64, lambda f: None, threading.Event(), seconds=0.000001)
    assert result["interrupted"] and result["patterns_done"] < 5


def test_disk_read_measures_a_real_file(tmp_path: Path) -> None:
    img = tmp_path / "disk.img"
    img.write_bytes(b"\x01" * (16 << 20))
    result = benchtests.disk_read(str(img), 0.3, lambda f: None, threading.Event())
    assert result["errors"] == 0 and result["bytes"] > 0 and result["mb_per_s"] > 0


def test_disk_read_on_a_missing_device_says_why() -> None:
    result = benchtests.disk_read("/dev/refurb-nope", 1, lambda f: None, threading.Event())
    assert result["errors"] is None and "refurb-nope" in result["error"]
