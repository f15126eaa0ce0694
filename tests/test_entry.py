"""The entry point's fast path: `refurb probe --json` (what the USB stick runs on every
laptop) gives exactly what the full command gives, without loading click; anything else,
and a probe that fails, goes through the full command and its one error boundary."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from refurb.entry import _fast_probe
from tests.conftest import OWN_CAPTURES

CAPTURE = str(OWN_CAPTURES / "own-linux-lenovo-t480-handmade")
ROOT = Path(__file__).resolve().parent.parent
RUN = (
    "import sys; sys.argv = ['refurb', *sys.argv[1:]]\n"
    "from refurb.entry import main\n"
    "try:\n    main()\nfinally:\n"
    "    print('click loaded' if 'click' in sys.modules else 'no click', file=sys.stderr)\n"
)


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", RUN, *args], capture_output=True, text=True, env=env, timeout=60
    )


def _same(doc: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in doc.items() if k not in ("snapshot_id", "taken_at")}


@pytest.mark.parametrize(
    ("args", "fast"),
    [
        (["probe", "--json"], True),
        (["probe", "--no-smart", "--json"], True),
        (["probe", "--json", "--replay", "D"], True),
        (["probe"], False),
        (["probe", "--json", "--json"], False),
        (["probe", "--json", "--out", "f"], False),
        (["probe", "--json", "--replay"], False),
        (["probe", "--json", "--help"], False),
        (["intake", "--json"], False),
        ([], False),
    ],
)
def test_only_a_plain_probe_takes_the_fast_path(args: list[str], fast: bool) -> None:
    assert (_fast_probe(args) is not None) is fast


def test_the_fast_path_gives_what_the_full_command_gives_without_click() -> None:
    fast = _run("probe", "--json", "--no-smart", "--replay", CAPTURE)
    assert fast.returncode == 0, fast.stderr
    assert fast.stderr.strip() == "no click"
    full = _run("probe", "--json", "--no-smart", "--replay", CAPTURE, "--out", os.devnull)
    assert full.returncode == 0, full.stderr
    assert full.stderr.strip() == "click loaded"
    assert _same(json.loads(fast.stdout)) == _same(json.loads(full.stdout))


def test_a_failing_probe_is_reported_by_the_full_command(tmp_path: Path) -> None:
    missing = str(tmp_path / "no-such-capture")
    got = _run("probe", "--json", "--replay", missing)
    assert got.returncode != 0 and "Traceback" not in got.stderr
    assert "no-such-capture" in got.stderr and "click loaded" in got.stderr
