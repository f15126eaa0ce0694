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
# not imported by psutil (which the probe needs anyway), and not needed to probe
AVOIDED = ("uuid", "platform", "shutil", "pathlib", "logging", "string", "click", "sqlalchemy")


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
