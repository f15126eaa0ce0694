"""The web pages under test: a signed-in TestClient, a real uvicorn on a free loopback
port, and a headless Chromium (Debian's chromium and chromium-driver, with selenium)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

CHROMIUM = os.environ.get("REFURB_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("REFURB_CHROMEDRIVER", "/usr/bin/chromedriver")
REQUIRE_BROWSER = os.environ.get("REFURB_REQUIRE_BROWSER") == "1"
PASSWORD = "correct-horse-battery"
ROLES = ("trainee", "lead", "manager", "admin")


def browser_missing() -> str | None:
    """None when a headless Chromium can be driven here; else why not."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    for path in (CHROMIUM, CHROMEDRIVER):
        if not (Path(path).exists() or shutil.which(path)):
            return f"{path} is missing (apt-get install chromium chromium-driver)"
    return None


def shop(store: Any, n: int = 2) -> list[str]:
    """A lot, a participant, ``n`` laptops taken in (each with one drive), and one
    account per role (named after it). Returns the tags."""
    from refurb.app import accounts, people
    from refurb.app.intake import intake
    from tests.store_helpers import laptop, verdict

    people.add_lot(store, "DON-1", "Hamlet office", date(2026, 1, 5), "reuse", "Iqaluit", None, 9)
    people.add_participant(store, "P-0042", "Iqaluit")
    tags = []
    for i in range(n):
        snap = laptop(serial=f"PF{i:06d}", uuid_=None)
        tags.append(
            intake(
                store, snap, verdict(snap), operator="trainee-07", station="RF", lot_code="DON-1"
            ).tag
        )
    for role in ROLES:
        accounts.add_user(store, role, role, PASSWORD)
    return tags


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def client(store: Any, role: str | None = None) -> Any:
    """A TestClient on a new app over ``store``, signed in as the account ``role``."""
    from starlette.testclient import TestClient

    from refurb.web.server import create_app

    c = TestClient(create_app(store=store), raise_server_exceptions=False)
    if role:
        page = c.get("/login")
        done = c.post(
            "/login",
            data={"csrf": csrf_of(page.text), "name": role, "password": PASSWORD, "next": "/"},
            follow_redirects=False,
        )
        assert done.status_code == 303, done.text
    return c


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running(store: Any) -> Iterator[str]:
    """uvicorn serving the pages over ``store`` in a thread; yields the base URL."""
    import uvicorn

    from refurb.web.server import create_app

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(store=store), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@contextmanager
def chromium(
    profile: Path,
    downloads: Path | None = None,
    width: int = 1280,
    extra: list[str] | None = None,
) -> Iterator[Any]:
    from selenium import webdriver

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        f"--window-size={width},1000",
        *(extra or []),
    ):
        opts.add_argument(flag)
    if downloads is not None:
        opts.add_experimental_option(
            "prefs",
            {
                "download.default_directory": str(downloads),
                "download.prompt_for_download": False,
                "plugins.always_open_pdf_externally": True,
            },
        )
    driver = webdriver.Chrome(options=opts, service=webdriver.ChromeService(CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()


def sign_in(driver: Any, base: str, name: str, password: str = PASSWORD) -> None:
    from selenium.webdriver.common.by import By

    driver.get(base + "/login")
    driver.find_element(By.NAME, "name").send_keys(name)
    driver.find_element(By.NAME, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "#login button[type=submit]").click()
    wait_for(lambda: "/login" not in driver.current_url)


def wait_for(check: Any, seconds: float = 15) -> Any:
    """``check()``'s first true value, asked every 0.1 s for up to ``seconds``. While a
    page is being replaced (a click that navigates), its elements can be missing or
    stale for a moment: that counts as not yet, not as a failure."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException

    deadline = time.monotonic() + seconds
    while True:
        try:
            value = check()
        except (NoSuchElementException, StaleElementReferenceException):
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.1)


@contextmanager
def serving(db_url: str, workers: int = 1, env: dict[str, str] | None = None) -> Iterator[str]:
    """``refurb serve`` as a real process (uvicorn, ``workers`` worker processes) on a free
    loopback port; yields the base URL, then stops it (SIGTERM to the process group it
    was started in, SIGKILL if it lingers)."""
    import signal
    import subprocess
    import sys
    import tempfile
    import urllib.request

    root = Path(__file__).resolve().parent.parent
    port = free_port()
    child_env = dict(os.environ, **(env or {}))
    child_env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(root), os.environ.get("PYTHONPATH")])
    )
    argv = [sys.executable, "-m", "refurb", "serve", "--db", db_url, "--port", str(port)]
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            [*argv, "--workers", str(workers)],
            env=child_env,
            stdout=subprocess.DEVNULL,
            stderr=log,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            up = 0
            while up < workers * 3:  # answered often enough that every worker is likely up
                if proc.poll() is not None:
                    log.seek(0)
                    raise RuntimeError(f"refurb serve exited: {log.read().decode()[-2000:]}")
                if time.monotonic() > deadline:
                    raise RuntimeError("refurb serve did not answer in 60 s")
                try:
                    with urllib.request.urlopen(base + "/login", timeout=5) as r:
                        up += r.status == 200
                except OSError:
                    time.sleep(0.2)
            yield base
        finally:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)
            except ProcessLookupError:
                pass
