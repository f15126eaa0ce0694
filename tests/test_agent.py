"""The USB-stick agent: one .pyz file, run by a Python that has nothing installed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from refurb.agent import build

T480 = Path(__file__).parent / "captures" / "own-linux-lenovo-t480-handmade"


def run_clean(pyz: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    # -I: ignore the environment and user site; -S: no site-packages at all, so only what
    # the .pyz holds (and the standard library) can be imported
    return subprocess.run(
        [sys.executable, "-I", "-S", str(pyz), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def test_the_agent_probes_with_nothing_installed(tmp_path: Path) -> None:
    pyz = build(tmp_path / "stick" / "refurb-agent.pyz")
    assert pyz.stat().st_size < 2 << 20
    live = run_clean(pyz, "probe", "--json", "--no-smart", cwd=tmp_path)
    assert live.returncode == 0, live.stderr
    doc = json.loads(live.stdout)
    assert doc["format"] == "refurb-snapshot/1" and doc["cpu"]["threads"]
    replay = run_clean(pyz, "probe", "--replay", str(T480), "--json", cwd=tmp_path)
    assert json.loads(replay.stdout)["identity"]["model"] == "ThinkPad T480"
    outbox = tmp_path / "stick" / "outbox"
    saved = run_clean(pyz, "probe", "--replay", str(T480), "--outbox", str(outbox), cwd=tmp_path)
    assert saved.returncode == 0 and len(list(outbox.glob("*.json"))) == 1
    verdict = run_clean(pyz, "assess", "--replay", str(T480), "--json", cwd=tmp_path)
    assert json.loads(verdict.stdout)["disposition"] == "refurbish"
    no_db = run_clean(pyz, "intake", "--replay", str(T480), cwd=tmp_path)
    assert no_db.returncode == 7 and "refurb import" in no_db.stderr
    assert "Traceback" not in no_db.stderr


def test_a_read_only_outbox_gives_a_clear_error_and_no_file(tmp_path: Path) -> None:
    import os

    if os.geteuid() == 0:
        target = "/sys/refurb-outbox"  # sysfs refuses new files, even to root
    else:
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o500)
        target = str(ro)
    proc = subprocess.run(
        [sys.executable, "-m", "refurb", "probe", "--replay", str(T480), "--outbox", target],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 7, proc.stderr
    assert "nothing was written" in proc.stderr and "Traceback" not in proc.stderr
    assert list(tmp_path.rglob("*.part")) == []


def test_the_agent_carries_byte_code_it_actually_uses(tmp_path: Path) -> None:
    """Compiled modules beside the sources: the same Python loads them instead of
    compiling every module at each start (a slow bench laptop feels it)."""
    import zipfile

    pyz = build(tmp_path / "refurb-agent.pyz")
    with zipfile.ZipFile(pyz) as zf:
        names = set(zf.namelist())
    assert {"refurb/cli/__init__.pyc", "click/core.pyc", "refurb/probe/linux.pyc"} <= names
    loaded = subprocess.run(
        [
            sys.executable,
            "-I",
            "-S",
            "-c",
            f"import sys; sys.path.insert(0, {str(pyz)!r}); import refurb.probe.linux as m; "
            "print(m.__file__)",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.strip().endswith("refurb/probe/linux.pyc")  # not compiled again
