"""`sudo refurb intake` uses the invoking user's inventory: a real unprivileged user runs
sudo (simulated by running as root with SUDO_USER set, as sudo does), and the database,
its folder and the operator on the records are that user's."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
T480 = ROOT / "tests" / "captures" / "own-linux-lenovo-t480-handmade"


@pytest.fixture
def user() -> Iterator[tuple[str, Path]]:
    """A throwaway unprivileged user with a home folder of its own (needs root)."""
    give_up = pytest.fail if os.environ.get("REFURB_REQUIRE_ROOT") else pytest.skip
    if sys.platform != "linux" or os.geteuid() != 0:
        give_up("creating a user and acting as sudo needs root on Linux")
    if shutil.which("useradd") is None:
        give_up("useradd is missing")
    base = Path(tempfile.mkdtemp(prefix="refurb-sudo-"))
    base.chmod(0o755)
    name = f"rft{secrets.token_hex(4)}"
    home = base / name
    made = subprocess.run(
        ["useradd", "-m", "-d", str(home), "-s", "/usr/sbin/nologin", name],
        capture_output=True,
        text=True,
    )
    if made.returncode != 0:
        give_up(f"useradd failed: {made.stderr.strip()}")
    try:
        yield name, home
    finally:
        subprocess.run(["userdel", "-r", name], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def refurb(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "refurb", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )


def test_sudo_intake_lands_in_the_invoking_users_inventory(user: tuple[str, Path]) -> None:
    import pwd

    name, home = user
    entry = pwd.getpwnam(name)
    base = {k: v for k, v in os.environ.items() if not k.startswith("REFURB_") and k != "SUDO_USER"}
    base["PYTHONPATH"] = str(ROOT)
    # What sudo leaves: root's HOME (Debian's default), the caller's name and ids.
    as_sudo = base | {
        "HOME": "/root",
        "USER": "root",
        "LOGNAME": "root",
        "SUDO_USER": name,
        "SUDO_UID": str(entry.pw_uid),
        "SUDO_GID": str(entry.pw_gid),
    }
    done = refurb(["intake", "--replay", str(T480), "--json"], as_sudo)
    assert done.returncode == 0, done.stderr
    tag = json.loads(done.stdout)["intake"]["tag"]

    db = home / ".local" / "share" / "refurb" / "refurb.db"
    assert db.is_file(), "the inventory is not in the invoking user's data folder"
    assert not Path("/root/.local/share/refurb/refurb.db").exists() or (
        Path("/root/.local/share/refurb/refurb.db").stat().st_mtime < db.stat().st_mtime - 60
    ), "sudo wrote root's inventory too"
    for made in (db, db.parent, db.parent.parent):
        st = made.stat()
        assert (st.st_uid, st.st_gid) == (entry.pw_uid, entry.pw_gid), made
    assert db.stat().st_mode & 0o777 == 0o600

    # The records say who ran sudo, not root.
    shown = refurb(["show", tag, "--json"], as_sudo)
    assert shown.returncode == 0, shown.stderr
    actors = {e["actor"] for e in json.loads(shown.stdout)["events"]}
    assert actors == {name}

    # The same inventory without sudo: refurb as the user finds the device there...
    as_user = base | {"HOME": str(home), "USER": name, "LOGNAME": name}
    info = refurb(["db", "info", "--json"], as_user)
    assert info.returncode == 0, info.stderr
    assert json.loads(info.stdout)["url"] == f"sqlite:///{db}"
    # ...and the user (not root) can open and write it: the system Python, as that user.
    script = (
        "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
        "c.execute('CREATE TABLE IF NOT EXISTS t_user_can_write (x)'); c.commit(); "
        "c.execute('DROP TABLE t_user_can_write'); c.commit(); "
        "print(c.execute('SELECT count(*) FROM devices').fetchone()[0])"
    )
    python = "/usr/bin/python3" if Path("/usr/bin/python3").exists() else None
    if python is None or shutil.which("setpriv") is None:
        pytest.skip("no system python3 or setpriv to act as the user")
    as_them = subprocess.run(
        [
            "setpriv",
            f"--reuid={entry.pw_uid}",
            f"--regid={entry.pw_gid}",
            "--clear-groups",
            python,
            "-c",
            script,
            str(db),
        ],
        capture_output=True,
        text=True,
        env={"HOME": str(home), "PATH": "/usr/bin:/bin"},
        cwd="/",
    )
    assert as_them.returncode == 0, as_them.stderr
    assert as_them.stdout.strip() == "1"
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM devices").fetchone()[0] == 1


def test_without_sudo_nothing_changes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """SUDO_USER alone (not root, or sudo by root) changes nothing."""
    from refurb import config

    monkeypatch.delenv("REFURB_DATA_DIR")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("SUDO_USER", "root")
    assert config.sudo_user() is None
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    monkeypatch.setenv("SUDO_USER", "nobody")
    assert config.sudo_user() is None
    assert str(config.data_dir()).startswith(str(tmp_path))
