"""The web pages' doors: every route × every role (allowed or refused, from the one
route table), sessions, CSRF, sign-in limits, the first-admin link, and the error
boundary (404 with a search box, a form again with its reason, a locked database,
no stack trace in any answer). On SQLite and PostgreSQL where it is cheap."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("starlette", reason="the web extra: pip install -e '.[test]'")

from refurb.app import devices, open_inventory
from refurb.errors import DatabaseError
from refurb.web.pages import ROUTES
from refurb.web.server import PUBLIC
from tests.web_helpers import PASSWORD, ROLES, client, csrf_of, shop


@pytest.fixture
def store(db_url: str) -> Any:
    s = open_inventory(db_url, "create")
    yield s
    s.dispose()


def _url(path: str, tag: str) -> str:
    return (
        path.replace("{tag}", tag)
        .replace("{action}", "ready")
        .replace("{code}", "DON-1")
        .replace("{kind}", "json")
        .replace("{name}", "trainee")
    )


def _opened(response: Any) -> bool:
    """The guard let the request through (whatever the page then said)."""
    if response.status_code == 403:
        return False
    return not (response.status_code == 303 and "/login?next=" in response.headers["location"])


def test_every_route_for_every_role(store: Any) -> None:
    tag = shop(store, 1)[0]
    # logging out ends the session: last
    routes = sorted(ROUTES, key=lambda r: r[1] == "/logout")
    for role in (None, *ROLES):
        c = client(store, role)
        token = csrf_of(c.get("/login").text)
        for method, path, _, roles in routes:
            url = _url(path, tag)
            if method == "GET":
                got = c.get(url, follow_redirects=False)
            else:
                got = c.post(url, data={"csrf": token}, follow_redirects=False)
            want = roles is PUBLIC or (role is not None and role in roles)
            assert _opened(got) == want, f"{role} {method} {url}: {got.status_code}"
            assert "Traceback" not in got.text
            if role is not None and not want:
                assert got.status_code == 403
            if role is None and not want:
                assert got.status_code == 303


def test_the_route_table_gives_each_role_what_the_issue_says() -> None:
    table = {(m, p): roles for m, p, _, roles in ROUTES}
    assert table[("POST", "/devices/{tag}/{action}")] == {"lead", "admin"}
    assert "trainee" in table[("GET", "/devices/{tag}")]
    assert "manager" in table[("GET", "/reports.{kind}")]
    assert "manager" not in table[("POST", "/devices/{tag}/{action}")]
    assert table[("GET", "/users")] == {"admin"}
    assert "trainee" not in table[("GET", "/devices.csv")]


def test_static_files_need_no_session(tmp_path: Path) -> None:
    store = open_inventory(f"sqlite:///{tmp_path / 'a.db'}", "create")
    c = client(store)
    assert c.get("/static/vendor/htmx/htmx.min.js").status_code == 200
    assert c.get("/static/style.css").status_code == 200
    assert c.get("/", follow_redirects=False).status_code == 303


def test_session_cookie_flags(tmp_path: Path) -> None:
    from starlette.testclient import TestClient

    from refurb.web.server import create_app

    store = open_inventory(f"sqlite:///{tmp_path / 'a.db'}", "create")
    cookie = client(store).get("/login").headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    tls = TestClient(create_app(store=store, tls=True), base_url="https://testserver")
    assert "secure" in tls.get("/login").headers["set-cookie"].lower()


def test_csrf_and_cross_site_posts_are_refused(store: Any) -> None:
    tag = shop(store, 1)[0]
    c = client(store, "lead")
    token = csrf_of(c.get(f"/devices/{tag}").text)
    url = f"/devices/{tag}/repairing"
    assert c.post(url, data={}).status_code == 403
    assert c.post(url, data={"csrf": "forged"}).status_code == 403
    evil = {"Origin": "http://evil.example"}
    assert c.post(url, data={"csrf": token}, headers=evil).status_code == 403
    cross = {"Sec-Fetch-Site": "cross-site"}
    assert c.post(url, data={"csrf": token}, headers=cross).status_code == 403
    assert devices.show(store, tag)["status"] == "diagnosed"  # nothing written
    same = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}
    done = c.post(url, data={"csrf": token}, headers=same, follow_redirects=False)
    assert done.status_code == 303
    assert devices.show(store, tag)["status"] == "repairing"
    # another session's token is not this session's
    other = client(store, "lead")
    assert other.post(url, data={"csrf": token}).status_code == 403


def test_the_operator_is_the_signed_in_person(store: Any) -> None:
    tag = shop(store, 1)[0]
    c = client(store, "lead")
    token = csrf_of(c.get(f"/devices/{tag}").text)
    c.post(f"/devices/{tag}/repairing", data={"csrf": token, "note": "fan", "operator": "x"})
    last = devices.show(store, tag)["events"][-1]
    assert (last["status"], last["actor"], last["note"]) == ("repairing", "lead", "fan")


def test_a_refused_action_shows_the_rulebook_reason_and_writes_nothing(store: Any) -> None:
    tag = shop(store, 1)[0]
    c = client(store, "lead")
    page = c.get(f"/devices/{tag}").text
    assert 'id="action-ready"' not in page  # not offered: no sanitization record yet
    assert "lack a passing sanitization record" in page
    before = len(devices.show(store, tag)["events"])
    got = c.post(f"/devices/{tag}/ready", data={"csrf": csrf_of(page)})
    assert got.status_code == 409
    assert "lack a passing sanitization record" in got.text
    assert len(devices.show(store, tag)["events"]) == before


def test_bad_form_values_come_back_with_the_reason(store: Any) -> None:
    tag = shop(store, 1)[0]
    c = client(store, "lead")
    token = csrf_of(c.get(f"/devices/{tag}").text)
    got = c.post(
        f"/devices/{tag}/wipe",
        data={"csrf": token, "level": "purge", "method": "overwrite", "tool": "nwipe <b>"},
    )
    assert got.status_code == 400
    assert "needs how it was verified" in got.text and 'value="nwipe &lt;b&gt;"' in got.text
    assert devices.show(store, tag)["drives"][0]["sanitization"] == []
    got = c.post("/lots", data={"csrf": token, "code": "L-2", "donor": "d", "received_on": "x"})
    assert got.status_code == 400 and "YYYY-MM-DD" in got.text and 'value="L-2"' in got.text
    got = c.post(f"/devices/{tag}/issue", data={"csrf": token, "participant": "P-NOBODY"})
    assert got.status_code in (400, 409) and "Traceback" not in got.text


def test_unknown_pages_and_tags_are_a_404_with_a_search_box(store: Any) -> None:
    shop(store, 1)
    c = client(store, "trainee")
    for url in ("/devices/RF-ZZZZZZ", "/no/such/page", "/lots/NOPE", "/devices/%3Cb%3E"):
        got = c.get(url)
        assert got.status_code == 404, url
        assert 'type="search" name="q"' in got.text
        assert "<b>" not in got.text
    got = c.get("/devices?limit=abc")
    assert got.status_code == 400 and "whole number" in got.text
    got = c.get("/devices?lot=NOPE")
    assert got.status_code == 400 and "NOPE" in got.text


def test_sign_in_is_rate_limited_per_name_and_address(tmp_path: Path) -> None:
    store = open_inventory(f"sqlite:///{tmp_path / 'a.db'}", "create")
    shop(store, 0)
    c = client(store)
    token = csrf_of(c.get("/login").text)
    for _ in range(5):
        bad = c.post("/login", data={"csrf": token, "name": "lead", "password": "wrong"})
        assert bad.status_code == 401
    good = {"csrf": token, "name": "lead", "password": PASSWORD}
    assert c.post("/login", data=good).status_code == 429
    # another name from the same address is not blocked
    other = {"csrf": token, "name": "manager", "password": PASSWORD}
    assert c.post("/login", data=other, follow_redirects=False).status_code == 303


def test_the_first_admin_link_works_once(tmp_path: Path) -> None:
    from refurb.app import accounts

    store = open_inventory(f"sqlite:///{tmp_path / 'a.db'}", "create")
    token = accounts.setup_token(store)
    assert token
    c = client(store)
    assert c.get("/setup?token=wrong").status_code == 404
    page = c.get(f"/setup?token={token}")
    assert page.status_code == 200
    form = {"csrf": csrf_of(page.text), "token": token, "name": "boss"}
    short = c.post("/setup", data={**form, "password": "short", "password2": "short"})
    assert short.status_code == 400 and "at least 10" in short.text
    done = c.post(
        "/setup",
        data={**form, "password": PASSWORD, "password2": PASSWORD},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert c.get("/users").status_code == 200  # signed in as the new admin
    again = client(store).get(f"/setup?token={token}")
    assert again.status_code == 404
    assert accounts.setup_token(store) is None  # accounts exist: no new link


def test_a_locked_database_is_a_clear_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REFURB_SQLITE_BUSY_MS", "200")
    db = tmp_path / "a.db"
    store = open_inventory(f"sqlite:///{db}", "create")
    tag = shop(store, 1)[0]
    c = client(store, "lead")
    token = csrf_of(c.get(f"/devices/{tag}").text)
    other = sqlite3.connect(db)
    other.execute("BEGIN EXCLUSIVE")
    try:
        got = c.post(f"/devices/{tag}/repairing", data={"csrf": token})
    finally:
        other.rollback()
        other.close()
    assert got.status_code == 503
    assert "not answering" in got.text and "Traceback" not in got.text


def test_no_stack_trace_reaches_the_browser(store: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from refurb.app import overview

    shop(store, 0)
    c = client(store, "lead")

    def broken(*_: Any, **__: Any) -> Any:
        raise ZeroDivisionError("secret internals")

    monkeypatch.setattr(overview, "dashboard", broken)
    got = c.get("/")
    assert got.status_code == 500
    assert "secret internals" not in got.text and "Traceback" not in got.text

    def down(*_: Any, **__: Any) -> Any:
        raise DatabaseError("cannot reach the database server at postgresql://x")

    monkeypatch.setattr(overview, "dashboard", down)
    got = c.get("/")
    assert got.status_code == 503 and "postgresql://" not in got.text


def test_devices_twins_are_exactly_the_filtered_view(store: Any) -> None:
    import csv
    import io

    tags = shop(store, 3)
    c = client(store, "manager")
    query = "?community=Iqaluit&limit=2"  # the screen shows two a page; the twins every page
    page = c.get("/devices" + query).text
    assert all(t in page for t in tags[:2]) and tags[2] not in page
    rows = c.get("/devices.json" + query).json()
    assert [r["tag"] for r in rows] == tags
    table = list(csv.DictReader(io.StringIO(c.get("/devices.csv" + query).text)))
    assert [r["tag"] for r in table] == tags
    assert c.get("/devices.json?q=PF000001").json()[0]["tag"] == tags[1]
    assert c.get("/devices.json?status=ready").json() == []


def test_the_language_switch_is_remembered(store: Any) -> None:
    shop(store, 0)
    c = client(store, "lead")
    token = csrf_of(c.get("/").text)
    c.post("/lang", data={"csrf": token, "lang": "fr", "next": "/devices"})
    assert "Tableau de bord" in c.get("/").text
    assert "Appareils" in c.get("/devices").text


def test_user_commands(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from refurb.app import accounts
    from refurb.cli import cli

    db = str(tmp_path / "a.db")
    run = CliRunner().invoke
    done = run(cli, ["user", "add", "ana", "--role", "lead", "--db", db], input=f"{PASSWORD}\n" * 2)
    assert done.exit_code == 0, done.output
    store = open_inventory(db, "create")
    assert accounts.authenticate(store, "ana", PASSWORD) == accounts.Account("ana", "lead")
    new = "another-long-password"
    done = run(cli, ["user", "passwd", "ana", "--db", db, "--password-stdin"], input=new + "\n")
    assert done.exit_code == 0, done.output
    assert accounts.authenticate(store, "ana", PASSWORD) is None
    assert accounts.authenticate(store, "ana", new) is not None
    bad = run(
        cli, ["user", "add", "bo", "--role", "lead", "--db", db, "--password-stdin"], input="x\n"
    )
    assert bad.exit_code != 0
    # a lone surrogate (a broken paste) is named, not a traceback, and changes nothing
    odd = run(cli, ["user", "passwd", "ana", "--db", db, "--password-stdin"], input="x" * 12 + "\n")
    assert odd.exit_code == 0
    from refurb.errors import BadInput

    with pytest.raises(BadInput, match="not text"):
        accounts.set_password(store, "ana", "long-enough-\udc80-password")
    assert accounts.authenticate(store, "ana", "x" * 12) is not None


def test_serve_prints_the_first_admin_link_and_warns_off_loopback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn
    from click.testing import CliRunner

    from refurb.cli import cli

    monkeypatch.setenv("REFURB_WEB_DB", "")  # serve sets these for its workers: restored after
    monkeypatch.setenv("REFURB_WEB_TLS", "")
    started: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: started.append({"app": app, **kw}))
    db = str(tmp_path / "a.db")
    local = CliRunner().invoke(cli, ["serve", "--db", db, "--port", "8123"])
    assert local.exit_code == 0, local.output
    assert "http://127.0.0.1:8123/setup?token=" in local.output
    assert "warning" not in local.output
    assert started[0]["app"] == "refurb.web.server:app_from_env" and started[0]["factory"]
    wide = CliRunner().invoke(cli, ["serve", "--db", db, "--host", "0.0.0.0", "--workers", "4"])
    assert wide.exit_code == 0, wide.output
    assert "without TLS" in wide.output and started[1]["workers"] == 4


def test_a_new_password_ends_the_sessions_signed_in_with_the_old_one(store: Any) -> None:
    from refurb.app import accounts

    shop(store)
    lead, other = client(store, "lead"), client(store, "admin")
    assert lead.get("/devices", follow_redirects=False).status_code == 200
    accounts.set_password(store, "lead", "a-brand-new-password")
    gone = lead.get("/devices", follow_redirects=False)
    assert gone.status_code == 303 and gone.headers["location"].startswith("/login")
    # the old cookie stays out even when sent again; other accounts' sessions are untouched
    assert lead.get("/devices", follow_redirects=False).status_code == 303
    assert other.get("/devices", follow_redirects=False).status_code == 200
    # signing in with the new password works
    page = lead.get("/login")
    done = lead.post(
        "/login",
        data={"csrf": csrf_of(page.text), "name": "lead", "password": "a-brand-new-password"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert lead.get("/devices", follow_redirects=False).status_code == 200
