"""The probe's start-up path (issue #16): what it must not import (each costs
milliseconds a trainee waits for on every machine), and the two small stand-ins that let
it skip them, checked against the standard library's own."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from refurb.probe.collect import new_snapshot_id
from refurb.probe.source import _which

ROOT = Path(__file__).resolve().parent.parent
# not imported by psutil (which the probe needs anyway), and not needed to probe;
# dataclasses (inspect, ast, dis) and typing were most of the start-up above psutil's
AVOIDED = (
    "uuid", "platform", "shutil", "pathlib", "logging", "string", "click", "sqlalchemy",
    "dataclasses", "inspect", "typing",
)  # fmt: skip


def test_a_plain_probe_imports_none_of_the_avoided_modules(tmp_path: Path) -> None:
    code = (
        "import io, sys, contextlib\n"
        "before = set(sys.modules)  # what Python and this test set-up loaded already\n"
        "import refurb.entry\n"
        "sys.argv = ['refurb', 'probe', '--json', '--no-smart']\n"
        "out = io.StringIO()\n"
        "try:\n"
        "    with contextlib.redirect_stdout(out):\n"
        "        refurb.entry.main()\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "assert out.getvalue().startswith('{'), out.getvalue()[:200]\n"
        f"print(','.join(m for m in {AVOIDED!r} if m in sys.modules and m not in before))\n"
    )
    # -S: no site processing, so no .pth file (an editable install's finder imports
    # pathlib) loads anything first; this checkout, then the packages psutil is in
    import site

    paths = [str(ROOT), *site.getsitepackages()]
    done = subprocess.run(
        [sys.executable, "-S", "-c", f"import sys; sys.path[:0] = {paths!r}\n{code}"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "", f"the probe imported {done.stdout.strip()}"


def test_snapshot_ids_are_random_version_4_uuids() -> None:
    ids = {new_snapshot_id() for _ in range(2000)}
    assert len(ids) == 2000
    for text in list(ids)[:200]:
        parsed = uuid.UUID(text)
        assert str(parsed) == text  # the same text str(uuid.uuid4()) gives
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122


@pytest.mark.skipif(sys.platform == "win32", reason="the POSIX search; Windows uses shutil")
def test_which_finds_what_shutil_which_finds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tool = tmp_path / "bin" / "smartctl"
    tool.parent.mkdir()
    tool.write_text("#!/bin/sh\n")
    tool.chmod(0o755)
    not_exec = tmp_path / "bin" / "lsblk"
    not_exec.write_text("")
    (tmp_path / "bin" / "folder").mkdir()
    monkeypatch.setenv(
        "PATH", os.pathsep.join([str(tmp_path / "nowhere"), str(tool.parent), "/bin"])
    )
    for name in ("smartctl", "lsblk", "folder", "sh", "no-such-tool", str(tool), str(not_exec)):
        assert _which(name) == shutil.which(name), name


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX tools (sh, sleep)")
def test_a_command_started_ahead_is_recorded_only_when_asked_for() -> None:
    import time

    from refurb.probe.source import LiveSource, ToolMissing

    src = LiveSource()
    slow = ["sh", "-c", "sleep 0.4; echo done"]
    start = time.perf_counter()
    src.run_ahead("a.txt", slow)
    src.run_ahead("b.txt", slow)
    src.run_ahead("unused.txt", ["sh", "-c", "echo never asked"])
    src.run_ahead("missing.txt", ["no-such-tool-for-refurb"])
    assert src.run("a.txt", slow).stdout == b"done\n"
    assert src.run("b.txt", slow).stdout == b"done\n"
    took = time.perf_counter() - start
    assert took < 0.75, f"the two started ahead ran one after the other ({took:.2f} s)"
    with pytest.raises(ToolMissing):
        src.run("missing.txt", ["no-such-tool-for-refurb"])
    # a command run without being started ahead still runs, and is recorded the same way
    assert src.run("c.txt", ["sh", "-c", "echo now"]).stdout == b"now\n"
    assert sorted(src.evidence()["commands"]) == ["a.txt", "b.txt", "c.txt"]
