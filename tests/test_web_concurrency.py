"""Two people issue the same ready laptop at the same moment through the web pages of a
real ``refurb serve --workers 4`` on PostgreSQL, each with their own signed-in session
and CSRF token: exactly one hand-over is recorded, the other person is shown the
rulebook's reason."""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest

pytest.importorskip("starlette", reason="the web extra: pip install -e '.[test]'")
pytest.importorskip("httpx")

import httpx

from refurb.app import accounts, devices, lifecycle, open_inventory, people
from refurb.lifecycle.sanitization import WipeRecord
from tests.web_helpers import PASSWORD, serving, shop


def _signed_in(base: str, name: str) -> Any:
    c = httpx.Client(base_url=base, timeout=30)
    page = c.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token
    done = c.post(
        "/login", data={"csrf": token[1], "name": name, "password": PASSWORD, "next": "/"}
    )
    assert done.status_code == 303, done.text
    return c


def _post(
    start: threading.Barrier, answers: list[Any], i: int, c: Any, form: dict[str, str], tag: str
) -> None:
    start.wait()  # both posts leave together
    answers[i] = c.post(f"/devices/{tag}/issue", data=form)


def _ready(store: Any, tag: str) -> None:
    lifecycle.wipe(
        store,
        tag,
        WipeRecord(
            level="purge",
            method="block-erase",
            tool="nvme-cli",
            tool_version="2.4",
            verification_method="read-back",
            verification_result="pass",
            performed_by="lead",
            verified_by="lead-01",
            destination=None,
            notes=None,
            station="RF",
        ),
    )
    lifecycle.move(store, tag, "ready", actor="lead", note=None, station="RF")


def test_two_sessions_issue_the_same_laptop_at_once(pg_url: str) -> None:
    store = open_inventory(pg_url, "create")
    tags = shop(store, 3)
    people.add_participant(store, "P-0043", "Arviat")
    accounts.add_user(store, "lead-two", "lead", PASSWORD)
    for tag in tags:
        _ready(store, tag)
    store.dispose()
    with serving(pg_url, workers=4) as base:
        one, two = _signed_in(base, "lead"), _signed_in(base, "lead-two")
        for tag in tags:  # three rounds: a race each time, whichever worker takes which
            forms = []
            for c, who in ((one, "P-0042"), (two, "P-0043")):
                page = c.get(f"/devices/{tag}").text
                assert 'id="action-issue"' in page  # both pages offer the hand-over
                token = re.search(r'name="csrf" value="([^"]+)"', page)
                assert token
                forms.append((c, {"csrf": token[1], "participant": who}))
            start = threading.Barrier(2)
            answers: list[Any] = [None, None]
            threads = [
                threading.Thread(target=_post, args=(start, answers, i, *forms[i], tag))
                for i in (0, 1)
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join(60)
            codes = sorted(a.status_code for a in answers)
            assert codes == [303, 409], [a.text[:500] for a in answers]
            loser = next(a for a in answers if a.status_code == 409)
            assert f"{tag} is issued; it cannot become issued" in loser.text
            assert "Traceback" not in loser.text
            winner = next(i for i, a in enumerate(answers) if a.status_code == 303)
            check = open_inventory(pg_url, "read")
            record = devices.show(check, tag)
            issued = [e for e in record["events"] if e["status"] == "issued"]
            check.dispose()
            assert len(issued) == 1 and record["status"] == "issued"
            assert issued[0]["actor"] == ("lead", "lead-two")[winner]
            assert issued[0]["participant"] == ("P-0042", "P-0043")[winner]
        one.close()
        two.close()
