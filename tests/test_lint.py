"""ruff and mypy stay clean: part of the one test command, so CI enforces them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


@pytest.mark.parametrize(
    "argv",
    [
        ["ruff", "check", "refurb", "tests", "bench"],
        ["ruff", "format", "--check", "refurb", "tests", "bench"],
        [sys.executable, "-m", "mypy"],
        [str(Path(sys.executable).with_name("lint-imports"))],
    ],
    ids=["ruff-check", "ruff-format", "mypy", "import-linter"],
)
def test_tool_is_clean(argv: list[str]) -> None:
    if argv[0] == "ruff":
        # the ruff of this Python's environment (the README's .venv is not activated)
        beside = Path(sys.executable).with_name("ruff")
        found = str(beside) if beside.exists() else shutil.which("ruff")
        if found is None:
            pytest.skip("ruff is not installed (pip install -e '.[test]')")
        argv = [found, *argv[1:]]
    proc = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
