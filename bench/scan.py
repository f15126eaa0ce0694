"""The scan page's benchmark (issue #14): a scan -> list round trip through a real
``refurb serve`` on loopback, and the server-side decode of a 12-megapixel photo of a
label beside zxing-cpp's own decode time in the same run.

    python bench/scan.py                       # 20,000 devices (builds the database)
    python bench/scan.py --devices 1000000     # the million-device program
    python bench/scan.py --db /tmp/program.db  # reuse a database bench/web.py built
    python bench/scan.py --out /tmp/scan.md    # where the results go (default below)

A scan is what the page sends when the camera, a photo or a scanner reads a label: a
POST of the code to /scan/add (htmx), answered with the whole list re-rendered, each
device with its status and what the chosen action (make ready: the rulebook's full
check) would say. Timed over one kept-alive connection, shelves of 50 (the list is
cleared between shelves), so the list is 1 to 50 devices long. Also timed in-process
(Starlette's TestClient, no network): the app's own time.
"""

from __future__ import annotations

import argparse
import io
import platform
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = Path(tempfile.gettempdir()) / "refurb-bench-scan.md"
PASSWORD = "bench-password-123"
SHELF = 50


def prepare(url: str) -> None:
    from refurb.app import accounts, open_inventory

    store = open_inventory(url, "create")
    if accounts.account(store, "scanbench") is None:
        accounts.add_user(store, "scanbench", "lead", PASSWORD)
    store.dispose()


def signed_in(client: Any) -> str:
    page = client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token, "no sign-in form"
    done = client.post(
        "/login",
        data={"csrf": token[1], "name": "scanbench", "password": PASSWORD, "next": "/scan"},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text[:300]
    found = re.search(r'name="csrf" value="([^"]+)"', client.get("/scan").text)
    assert found
    return found[1]


def stats(times: list[float]) -> dict[str, float]:
    times = sorted(times)
    return {
        "median": statistics.median(times),
        "p95": times[max(0, round(0.95 * len(times)) - 1)],
        "n": len(times),
    }


def scans(client: Any, token: str, tags: list[str], warmup: int) -> dict[str, float]:
    """Each tag scanned in turn (shelves of SHELF); ms per round trip."""
    hx = {"hx-request": "true"}
    client.post("/scan/choose", data={"csrf": token, "action": "ready"}, headers=hx)
    times = []
    for i, tag in enumerate(tags):
        if i % SHELF == 0:
            client.post("/scan/clear", data={"csrf": token}, headers=hx)
        start = time.perf_counter()
        got = client.post("/scan/add", data={"csrf": token, "code": tag}, headers=hx)
        elapsed = (time.perf_counter() - start) * 1000
        if got.status_code != 200 or f'data-tag="{tag}"' not in got.text:
            raise RuntimeError(f"{tag}: {got.status_code} {got.text[:300]}")
        if i >= warmup:
            times.append(elapsed)
    return stats(times)


def tags_of(path: Path, k: int) -> list[str]:
    con = sqlite3.connect(path)
    found = [r[0] for r in con.execute("SELECT tag FROM devices ORDER BY random() LIMIT ?", (k,))]
    con.close()
    return found


def photo_decode(url: str, tag: str, runs: int) -> dict[str, dict[str, float]]:
    """A 12-megapixel JPEG of a label (rendered from refurb's own PDF, slightly turned,
    on a grey desk): refurb.scanning.decode_photo vs zxing-cpp on the decoded pixels."""
    from dataclasses import replace

    import pypdfium2 as pdfium
    import zxingcpp
    from PIL import Image, ImageFilter

    from refurb.app import open_inventory, reports
    from refurb.labels import load_stocks, render
    from refurb.scanning import decode_photo

    store = open_inventory(url, "read")
    data = reports.labels(store, [tag])
    store.dispose()
    tag = "RF-7K2Q9W"  # the program's bench tags are longer than a label's QR holds
    pdf = render([replace(data[0], tag=tag)], load_stocks()["avery-l7160"])
    doc = pdfium.PdfDocument(pdf)
    sheet = doc[0].render(scale=6).to_pil().convert("L")
    doc.close()
    photo = Image.new("L", (4000, 3000), 150)
    sheet = sheet.rotate(4, expand=True, fillcolor=150)
    sheet.thumbnail((3800, 2800))
    photo.paste(sheet, (100, 100))
    photo = photo.filter(ImageFilter.GaussianBlur(1.2)).convert("RGB")
    buf = io.BytesIO()
    photo.save(buf, "JPEG", quality=88)
    data = buf.getvalue()
    ours, theirs = [], []
    formats = zxingcpp.barcode_formats_from_str("QRCode")
    for _ in range(runs):
        start = time.perf_counter()
        found = decode_photo(data)
        ours.append((time.perf_counter() - start) * 1000)
        assert any(tag in t for t in found), found
        grey = Image.open(io.BytesIO(data)).convert("L")
        start = time.perf_counter()
        zxingcpp.read_barcodes(grey, formats=formats)
        theirs.append((time.perf_counter() - start) * 1000)
    return {"decode_photo (JPEG bytes -> texts)": stats(ours), "zxing-cpp only": stats(theirs)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--devices", type=int, default=20_000)
    parser.add_argument("--db", help="a program database an earlier run built (kept)")
    parser.add_argument("--keep", help="build the database at this path and keep it")
    parser.add_argument("--scans", type=int, default=300, help="timed scans")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--photos", type=int, default=7, help="timed photo decodes")
    parser.add_argument("--out", default=str(OUT))
    args = parser.parse_args()

    import httpx
    from starlette.testclient import TestClient

    from bench.web import build, refurb_serve
    from refurb.app import open_inventory
    from refurb.web.server import create_app

    if args.db:
        path = Path(args.db)
        built = None
    else:
        path = Path(args.keep) if args.keep else Path(tempfile.mkdtemp()) / "program.db"
        built = build(path, args.devices)
    url = f"sqlite:///{path}"
    prepare(url)
    count = sqlite3.connect(path).execute("SELECT count(*) FROM devices").fetchone()[0]
    tags = tags_of(path, args.scans + args.warmup)
    results: dict[str, dict[str, float]] = {}
    with refurb_serve(url) as base, httpx.Client(base_url=base, timeout=60) as client:
        token = signed_in(client)
        results["scan -> list, refurb serve on loopback"] = scans(client, token, tags, args.warmup)
    store = open_inventory(url, "write")
    with TestClient(create_app(store=store)) as client:
        token = signed_in(client)
        results["scan -> list, in-process (app time)"] = scans(client, token, tags, args.warmup)
    store.dispose()
    results.update(photo_decode(url, tags[0], args.photos))

    lines = [
        "# Scan page benchmark (bench/scan.py)",
        "",
        f"{datetime.now(UTC):%Y-%m-%d %H:%M UTC}, {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}, {count:,} devices"
        + (f" (built in {built:.0f} s)" if built else f" ({path})"),
        "",
        "| what | median ms | p95 ms | n |",
        "|---|---:|---:|---:|",
    ]
    for name, s in results.items():
        lines.append(f"| {name} | {s['median']:.1f} | {s['p95']:.1f} | {s['n']:.0f} |")
    lines += [
        "",
        f"A scan: POST /scan/add with the list re-rendered (shelves of {SHELF}; the chosen "
        "action make ready, so each listed device's rulebook check is in the time). Goals: "
        "scan -> list <= 30 ms median; a 12-megapixel photo <= 300 ms median.",
        "",
    ]
    Path(args.out).write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
