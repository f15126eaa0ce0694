"""`refurb assess` and `refurb check` as a trainee or a script drives them."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.test_probe_live_and_bad_input import run_cli

CAPTURES = Path(__file__).parent / "captures"
T480 = str(CAPTURES / "own-linux-lenovo-t480-handmade")


def test_assess_json_shape(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["assess", "--replay", T480, "--json"], capsys)
    assert code == 0
    doc = json.loads(out)
    assert doc["disposition"] == "refurbish"
    assert set(doc["grade"]) == {"functional", "cosmetic"}
    assert doc["policy"]["name"] == "refurb-default"
    for f in doc["findings"]:
        assert f["status"] in ("pass", "warn", "fail", "unknown") and f["reason"]


@pytest.mark.parametrize(
    "capture, code",
    [
        ("own-linux-lenovo-t480-handmade", 0),
        ("linux-hdd-seagate-st3500418as-realloc304", 10),
        ("own-linux-whitebox-placeholders-handmade", 12),
    ],
)
def test_check_flag_turns_verdict_into_exit_code(
    capture: str, code: int, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(["assess", "--replay", str(CAPTURES / capture), "--check"], capsys)[0] == code
    # without --check the verdict is information, not failure
    assert run_cli(["assess", "--replay", str(CAPTURES / capture)], capsys)[0] == 0


def test_assess_a_snapshot_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    snap = tmp_path / "s.json"
    assert run_cli(["probe", "--replay", T480, "--out", str(snap)], capsys)[0] == 0
    code, out, _ = run_cli(["assess", str(snap), "--lang", "fr"], capsys)
    assert code == 0 and "VERDICT\u00a0: REMETTRE À NEUF" in out


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "the file is empty"),
        (b'{"format": "refurb-snapshot/1", "snapshot_id": "x"', "not valid JSON"),
        (b"\xff\xfe", "not UTF-8"),
        (b'{"format": "refurb-snapshot/9"}', "newer than this refurb"),
        (b'{"format": "refurb-snapshot/1", "snapshot_id": 5}', "snapshot_id: expected text"),
        (b"[1, 2]", "expected a JSON object"),
    ],
)
def test_bad_snapshot_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, message: str
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    code, _, err = run_cli(["assess", str(bad)], capsys)
    assert code == 3 and message in err and str(bad) in err


def test_malformed_policy_file_exit_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "p.toml"
    bad.write_text("[policy]\nname = 'x'\nversion = '1'\n")
    code, _, err = run_cli(["assess", "--replay", T480, "--policy", str(bad)], capsys)
    assert code == 3 and "[battery] is missing" in err


def test_show_policy_prints_the_shipped_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["assess", "--show-policy"], capsys)
    assert code == 0 and "good_health_pct = 80.0" in out and "Back Market" in out


def test_check_from_flags_then_assess(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sheet = tmp_path / "check.json"
    args = [
        "check",
        "--no-input",
        "--cosmetic",
        "C5",
        "--operator",
        "trainee-07",
        "--cpu-burn",
        "0.5",
        "--memory-test",
        "0.2",
        "--out",
        str(sheet),
    ]
    for item in (
        "screen",
        "keyboard",
        "touchpad",
        "hinges",
        "ports",
        "webcam",
        "audio",
        "wifi",
        "charger",
    ):
        args += ["--answer", f"{item}=pass"]
    assert run_cli(args, capsys)[0] == 0
    doc = json.loads(sheet.read_text())
    assert doc["tests"]["cpu_burn"]["errors"] == 0 and doc["tests"]["cpu_burn"]["rounds"] > 0
    assert doc["tests"]["memory"]["errors"] == 0
    code, out, _ = run_cli(
        ["assess", "--replay", T480, "--checklist", str(sheet), "--json"], capsys
    )
    assert code == 0
    result = json.loads(out)
    assert result["grade"] == {"functional": "F4", "cosmetic": "C5"}


@pytest.mark.parametrize(
    "args, message",
    [
        (["--answer", "screen=maybe"], "use ITEM=pass|fail|skip"),
        (["--answer", "toaster=pass"], "items are"),
    ],
)
def test_check_refuses_bad_answers(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(["check", "--no-input", *args], capsys)
    assert code == 3 and message in err


def _drive_tty(argv: list[str], replies: list[tuple[str, str]], timeout: float = 30) -> str:
    """Run argv on a pseudo-terminal, answer each prompt containing text with reply."""
    main_fd, child_fd = pty.openpty()
    proc = subprocess.Popen(
        argv,
        stdin=child_fd,
        stdout=child_fd,
        stderr=child_fd,
        close_fds=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    os.close(child_fd)
    seen = ""
    deadline = time.monotonic() + timeout
    pending = list(replies)
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([main_fd], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(main_fd, 4096).decode("utf-8", "replace")
                except OSError:
                    break
                if not chunk:
                    break
                seen += chunk
            if pending and pending[0][0] in seen.rsplit("\n", 1)[-1]:
                os.write(main_fd, (pending.pop(0)[1] + "\n").encode())
            if proc.poll() is not None and not ready:
                break
    finally:
        proc.wait(timeout=10)
        os.close(main_fd)
    assert proc.returncode == 0, seen
    return seen


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_check_asks_one_question_at_a_time_in_french(tmp_path: Path) -> None:
    sheet = tmp_path / "c.json"
    replies = [
        ("Écran", "o"),
        ("Clavier", "n"),
        ("Pavé tactile", "o"),
        ("Charnières", "p"),
        ("Ports", "o"),
        ("Webcam", "o"),
        ("micro", "o"),
        ("Wi-Fi", "o"),
        ("Chargeur", "o"),
        ("État esthétique", "C4"),
    ]
    screen = _drive_tty(
        [sys.executable, "-m", "refurb", "check", "--lang", "fr", "--out", str(sheet)], replies
    )
    assert "rétroéclairage" in screen and "Très bon" in screen
    doc = json.loads(sheet.read_text())
    assert doc["answers"]["keyboard"] == "fail" and doc["answers"]["hinges"] == "skip"
    assert doc["cosmetic"] == "C4"
