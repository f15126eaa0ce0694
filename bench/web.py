"""The web pages' benchmarks (issue #13), on their own: server time of the device list
(filtered, one page), its facet counts, the dashboard and a device page, beside Datasette
serving the same SQLite file's devices table; then a bounded load test (N clients on
loopback for S seconds) against ``refurb serve`` on SQLite and on PostgreSQL.

    python bench/web.py                       # a million devices (builds the database)
    python bench/web.py --devices 100000      # smaller
    python bench/web.py --db /tmp/program.db  # reuse a database an earlier run built
    python bench/web.py --out /tmp/web.md     # where the results go (default below)

Every server is a real process on 127.0.0.1 and every request goes over loopback; the
load loop stops itself after --seconds (and after --max-requests in all). Datasette is
found on the PATH or given with --datasette (``pip install datasette``, in a venv of its
own is fine: it is only run as a program). Results are written to --out, not to
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PY = sys.executable
PASSWORD = "bench-password-123"
OUT = ROOT / "bench" / "web-results.md"
PG_URL = os.environ.get("REFURB_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")

# what each timed page asks for (the list: one status in one community, one page of 50)
LIST = "/devices?status=issued&community=Arviat"
FACETS = "/devices/facets?status=issued&community=Arviat"
LIST_ALL = "/devices"
DS_LIST = "/program/devices?status=issued&community=Arviat&_size=50"
DS_ALL = "/program/devices?_size=50"


def build(path: Path, n: int) -> float:
    """The benchmarks' million-device program (bench/run.py), its report tallies, and a
    verdict, grade, model and serial on each device so every facet has values."""
    from bench.run import build_program
    from refurb.store import tallies
    from refurb.store.db import open_store

    start = time.perf_counter()
    build_program(path, n)
    store = open_store(str(path))
    with store.transaction() as s:
        tallies.rebuild(s.connection())
    store.dispose()
    con = sqlite3.connect(path)
    con.execute(
        "UPDATE devices SET disposition = CASE abs(random()) % 4 WHEN 0 THEN 'harvest'"
        " WHEN 1 THEN 'recycle' ELSE 'refurbish' END, grade_functional = CASE"
        " abs(random()) % 3 WHEN 0 THEN 'A' WHEN 1 THEN 'B' ELSE 'C' END,"
        " vendor = 'LENOVO', model = 'ThinkPad T' || (480 + abs(random()) % 20),"
        " serial = 'SER' || substr(id, 2)"
    )
    con.commit()
    con.close()
    return time.perf_counter() - start


def prepare(url: str) -> None:
    """The schema at this refurb's head (migrations run) and one account to sign in."""
    from refurb.app import accounts, open_inventory

    store = open_inventory(url, "create")
    if accounts.account(store, "bench") is None:
        accounts.add_user(store, "bench", "manager", PASSWORD)
    store.dispose()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def process(argv: list[str], probe: str, env: dict[str, str] | None = None) -> Iterator[None]:
    """A server process in its own process group, until it answers ``probe``; stopped
    (SIGTERM, then SIGKILL) at the end."""
    proc = subprocess.Popen(
        argv,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{argv[:3]} exited with {proc.returncode}")
            try:
                with urllib.request.urlopen(probe, timeout=30):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{argv[:3]} did not answer") from None
                time.sleep(0.3)
        yield
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)
        except ProcessLookupError:
            pass


@contextmanager
def refurb_serve(url: str, workers: int = 1) -> Iterator[str]:
    port = free_port()
    env = {"PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    argv = [PY, "-m", "refurb", "serve", "--db", url, "--port", str(port)]
    base = f"http://127.0.0.1:{port}"
    with process([*argv, "--workers", str(workers)], base + "/login", env):
        yield base


@contextmanager
def datasette(exe: str, path: Path, *settings: str) -> Iterator[str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    argv = [exe, "serve", str(path), "--host", "127.0.0.1", "--port", str(port), *settings]
    with process(argv, base + "/-/versions.json"):
        yield base


def signed_in(base: str) -> Any:
    import httpx

    c = httpx.Client(base_url=base, timeout=60)
    page = c.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token, "no sign-in form"
    done = c.post(
        "/login", data={"csrf": token[1], "name": "bench", "password": PASSWORD, "next": "/"}
    )
    assert done.status_code == 303, done.text[:300]
    return c


def timed(client: Any, urls: list[str], warmup: int) -> dict[str, float]:
    """Median and p95 ms of GETs over one kept-alive connection (each url in turn), after
    ``warmup`` untimed requests."""
    for url in urls[:warmup]:
        client.get(url)
    times = []
    for url in urls:
        start = time.perf_counter()
        got = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        if got.status_code != 200:
            raise RuntimeError(f"{url}: {got.status_code} {got.text[:300]}")
    return stats(times)


def stats(times: list[float]) -> dict[str, float]:
    times = sorted(times)
    return {
        "median": statistics.median(times),
        "p95": times[max(0, round(0.95 * len(times)) - 1)],
        "n": len(times),
    }


def tags_of(path: Path, k: int) -> list[str]:
    con = sqlite3.connect(path)
    found = [r[0] for r in con.execute("SELECT tag FROM devices ORDER BY random() LIMIT ?", (k,))]
    con.close()
    return found


def in_process(url: str, tags: list[str], n: int, warmup: int) -> dict[str, dict[str, float]]:
    """The same pages through Starlette's TestClient (no network): the app's own time."""
    from starlette.testclient import TestClient

    from refurb.app import open_inventory
    from refurb.web.server import create_app

    store = open_inventory(url, "read")
    c = TestClient(create_app(store=store))
    token = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").text)
    assert token
    c.post("/login", data={"csrf": token[1], "name": "bench", "password": PASSWORD, "next": "/"})
    out = {
        "list": timed(c, [LIST] * n, warmup),
        "facets": timed(c, [FACETS] * n, warmup),
        "dashboard": timed(c, ["/"] * n, warmup),
        "device": timed(c, [f"/devices/{t}" for t in tags[:n]], warmup),
    }
    store.dispose()
    return out


async def _load(base: str, tags: list[str], clients: int, seconds: float, cap: int) -> dict:
    import httpx

    mix = [LIST, "/", None, None, LIST_ALL]  # None: a device page
    times: list[float] = []
    errors = 0
    count = 0
    stop = time.monotonic() + seconds
    rnd = random.Random(7)

    async def one() -> None:
        nonlocal errors, count
        async with httpx.AsyncClient(base_url=base, timeout=60) as c:
            page = await c.get("/login")
            token = re.search(r'name="csrf" value="([^"]+)"', page.text)
            assert token
            await c.post(
                "/login",
                data={"csrf": token[1], "name": "bench", "password": PASSWORD, "next": "/"},
            )
            while time.monotonic() < stop and count < cap:
                url = rnd.choice(mix) or f"/devices/{rnd.choice(tags)}"
                count += 1
                start = time.perf_counter()
                try:
                    got = await c.get(url)
                    if got.status_code != 200:
                        errors += 1
                except httpx.HTTPError:
                    errors += 1
                times.append((time.perf_counter() - start) * 1000)

    began = time.monotonic()
    await asyncio.gather(*(one() for _ in range(clients)))
    took = time.monotonic() - began
    s = stats(times) if times else {"median": 0.0, "p95": 0.0, "n": 0}
    return {"rps": len(times) / took, "errors": errors, **s, "seconds": took}


def load(base: str, tags: list[str], clients: int, seconds: float, cap: int) -> dict:
    return asyncio.run(_load(base, tags, clients, seconds, cap))


def pg_copy(sqlite_path: Path) -> str | None:
    """The same program in a fresh PostgreSQL database (None: no server here)."""
    from bench.run import TALLY_TABLES, copy_to_pg, pg_database

    made = pg_database("refurb_bench_web")
    if made is None:
        return None
    _, url = made
    copy_to_pg(sqlite_path, url, ["lots", "participants", "devices", "events", *TALLY_TABLES])
    return url


def machine() -> str:
    load1, load5, _ = os.getloadavg()
    return (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}; "
        f"load average {load1:.2f} (1 min), {load5:.2f} (5 min)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--devices", type=int, default=1_000_000)
    parser.add_argument("--db", help="a program database an earlier run built (kept)")
    parser.add_argument("--requests", type=int, default=60, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--max-requests", type=int, default=200_000)
    parser.add_argument("--datasette", default=shutil.which("datasette"))
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--out", default=str(OUT))
    parser.add_argument(
        "--parts", default="pages,peer,load", help="which to run: pages, peer, load (commas)"
    )
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    started = datetime.now(UTC)
    lines: list[str] = []

    def say(text: str) -> None:
        print(text, flush=True)
        lines.append(text)

    with tempfile.TemporaryDirectory(prefix="refurb-bench-web-") as tmp_name:
        tmp = Path(tmp_name)
        if args.db:
            path = Path(args.db)
            built = None
        else:
            path = tmp / "program.db"
            built = build(path, args.devices)
        url = f"sqlite:///{path}"
        prepare(url)
        n = sqlite3.connect(path).execute("SELECT count(*) FROM devices").fetchone()[0]
        tags = tags_of(path, max(args.requests * 3, 500))
        say(f"# Web pages: measured ({started:%Y-%m-%d %H:%M} UTC)\n")
        say(f"- machine: {machine()}")
        say(f"- database: {n:,} devices (bench/run.py's program), SQLite file")
        if built is not None:
            say(f"- built in {built:.0f} s")
        say(
            f"- timings: {args.requests} requests per page after {args.warmup} warm-up, one "
            "kept-alive connection, median / p95 ms\n"
        )
        wire: dict[str, dict[str, float]] = {}
        with refurb_serve(url) as base:
            c = signed_in(base)
            wire = {
                "list": timed(c, [LIST] * args.requests, args.warmup),
                "list_all": timed(c, [LIST_ALL] * args.requests, args.warmup),
            }
            if "pages" in parts:
                wire |= {
                    "facets": timed(c, [FACETS] * args.requests, args.warmup),
                    "dashboard": timed(c, ["/"] * args.requests, args.warmup),
                    "device": timed(
                        c, [f"/devices/{t}" for t in tags[-args.requests :]], args.warmup
                    ),
                }
            c.close()
        if "pages" in parts:
            say("| page | refurb in process | refurb serve on loopback | target |")
            say("|---|---|---|---|")
            own = in_process(url, tags, args.requests, args.warmup)
            targets = {"list": 50, "dashboard": 100, "device": 20, "facets": None}
            names = {
                "list": f"device list `{LIST}` (one page of 50)",
                "facets": f"its facet counts `{FACETS}`",
                "dashboard": "dashboard `/`",
                "device": "device page `/devices/TAG` (random tags)",
            }
            for key, name in names.items():
                a, b, t = own[key], wire[key], targets[key]
                ok = "" if t is None else (" pass" if a["median"] <= t else " **short**")
                say(
                    f"| {name} | {a['median']:.1f} / {a['p95']:.1f} | {b['median']:.1f} / "
                    f"{b['p95']:.1f} | {'' if t is None else f'≤ {t} ms{ok}'} |"
                )
            w = wire["list_all"]
            say(f"| device list, no filter `/devices` | | {w['median']:.1f} / {w['p95']:.1f} | |")
        if args.datasette and "peer" in parts:
            import httpx

            version = subprocess.run(
                [args.datasette, "--version"], capture_output=True, text=True
            ).stdout.strip()
            say(
                f"\nPeer, the same file on loopback, the same counts ({version}). Its table "
                "page counts the filtered rows and, by default, tries a facet on each column "
                "(each with its own time limit); the second row of each pair is with "
                "`--setting suggest_facets off`:\n"
            )
            say("| page | Datasette | refurb serve | refurb / Datasette |")
            say("|---|---|---|---|")
            for settings, how in (
                ((), "defaults"),
                (("--setting", "suggest_facets", "off"), "no suggested facets"),
            ):
                with (
                    datasette(args.datasette, path, *settings) as ds,
                    httpx.Client(base_url=ds, timeout=120) as dc,
                ):
                    peer = timed(dc, [DS_LIST] * args.requests, args.warmup)
                    peer_all = timed(dc, [DS_ALL] * args.requests, args.warmup)
                for name, p, o in (
                    (f"filtered list `{DS_LIST}` ({how})", peer, wire.get("list")),
                    (f"whole table `{DS_ALL}` ({how})", peer_all, wire.get("list_all")),
                ):
                    ours = f"{o['median']:.1f} / {o['p95']:.1f}" if o else "not run"
                    ratio = f"{o['median'] / p['median']:.3f}x" if o else ""
                    say(f"| {name} | {p['median']:.1f} / {p['p95']:.1f} | {ours} | {ratio} |")
        elif "peer" in parts:
            say("\nPeer: Datasette not found (--datasette PATH); not measured.")
        if "load" in parts:
            say(
                f"\nLoad: {args.clients} clients on 127.0.0.1 for {args.seconds:.0f} s (a bounded "
                "loop), each signed in, mixing the filtered list, the whole list, the dashboard "
                "and device pages; the clients run on the same two cores as the server.\n"
            )
            say("| server | requests/s | median ms | p95 ms | errors | requests |")
            say("|---|---|---|---|---|---|")
            for workers in (1, 2):
                with refurb_serve(url, workers) as base:
                    r = load(base, tags, args.clients, args.seconds, args.max_requests)
                say(
                    f"| refurb serve, SQLite, {workers} worker(s) | {r['rps']:.0f} | "
                    f"{r['median']:.0f} | {r['p95']:.0f} | {r['errors']} | {r['n']:,} |"
                )
            if not args.no_postgres:
                pg = pg_copy(path)
                if pg is None:
                    say("| refurb serve, PostgreSQL | no server | | | | |")
                else:
                    prepare(pg)
                    with refurb_serve(pg, workers=2) as base:
                        r = load(base, tags, args.clients, args.seconds, args.max_requests)
                    say(
                        f"| refurb serve, PostgreSQL, 2 workers | {r['rps']:.0f} | "
                        f"{r['median']:.0f} | {r['p95']:.0f} | {r['errors']} | {r['n']:,} |"
                    )
                    from bench.run import drop_pg_database

                    drop_pg_database(pg.rsplit("/", 1)[1])  # only this run's own
        say(f"\n- machine at the end: {machine()}")
    Path(args.out).write_text("\n".join(lines) + "\n")
    print(f"written to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
