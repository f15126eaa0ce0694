from __future__ import annotations

import os
from pathlib import Path

import pytest

HERE = Path(__file__).parent
OWN_CAPTURES = HERE / "captures"
SHARED = Path(os.environ.get("REFURB_SHARED", HERE.parent.parent / "shared"))
SHARED_CAPTURES = SHARED / "fixtures" / "real"


def capture_dirs() -> list[Path]:
    """Every capture with an expected.json: ours (always) and the shared set (when present)."""
    dirs = {p.parent.name: p.parent for p in OWN_CAPTURES.glob("*/meta.json")}
    if SHARED_CAPTURES.is_dir():
        for p in SHARED_CAPTURES.glob("*/meta.json"):
            dirs.setdefault(p.parent.name, p.parent)
    return [dirs[k] for k in sorted(dirs)]


def shared_or_skip(name: str) -> Path:
    path = SHARED_CAPTURES / name
    if not path.is_dir():
        pytest.skip(
            f"the shared capture {name} (AGPL, not copied here) needs ../shared; "
            f"set REFURB_SHARED to the shared folder"
        )
    return path


@pytest.fixture(autouse=True)
def _isolated_user_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test touches the real user's data or config folders."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("REFURB_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("REFURB_CONFIG", str(home / "config.toml"))
    monkeypatch.delenv("REFURB_DATABASE_URL", raising=False)
