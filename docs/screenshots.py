"""Regenerate the screenshots of the main pages (docs/screenshots/*.png) with headless
Chromium: a small made-up shop in a temporary SQLite file, served on loopback.

    python3 docs/screenshots.py      (from the repository root; needs the test extra and
                                      apt-get install chromium chromium-driver)
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"


def main() -> None:
    sys.path.insert(0, str(ROOT))
    tmp = Path(tempfile.mkdtemp(prefix="refurb-shots-"))
    os.environ["REFURB_DATA_DIR"] = str(tmp / "data")
    os.environ["REFURB_CONFIG"] = str(tmp / "config.toml")
    from selenium.webdriver.common.by import By

    from refurb.app import lifecycle, open_inventory
    from refurb.lifecycle.sanitization import WipeRecord
    from tests.web_helpers import chromium, running, shop, sign_in, wait_for

    store = open_inventory(f"sqlite:///{tmp / 'shop.db'}", "create")
    tags = shop(store, 6)
    for tag in tags[:3]:
        lifecycle.wipe(
            store,
            tag,
            WipeRecord(
                level="purge",
                method="block-erase",
                performed_by="lead",
                tool="nvme-cli",
                tool_version="2.4",
                verification_method="read-back of a 10 % sample",
                verification_result="pass",
                verified_by="lead-01",
                station="RF",
            ),
        )
    lifecycle.move(store, tags[0], "ready", actor="lead", note=None, station="RF")
    lifecycle.issue(store, tags[0], "P-0042", actor="lead", note=None, station="RF")
    lifecycle.move(store, tags[1], "ready", actor="lead", note=None, station="RF")
    lifecycle.recycle(store, [tags[5]], actor="lead", note="to the recycler", station="RF")
    OUT.mkdir(parents=True, exist_ok=True)
    pages = {
        "dashboard": "/",
        "devices": "/devices",
        "device": f"/devices/{tags[2]}",
        "lot": "/lots/DON-1",
        "reports": "/reports",
        "participant": "/participants/P-0042",
        "trainees": "/trainees",
        "trainee": "/trainees/lead",
        "intake": "/intake",
        "scan": "/scan",
    }
    with running(store) as base, chromium(tmp / "profile") as driver:
        sign_in(driver, base, "lead")
        for name, path in pages.items():
            driver.get(base + path)
            if name == "devices":  # the facet counts arrive by htmx after the page
                wait_for(lambda: driver.find_elements(By.ID, "facet-total"))
            height = driver.execute_script("return document.body.scrollHeight")
            driver.set_window_size(1280, min(max(int(height) + 120, 700), 2400))
            driver.save_screenshot(str(OUT / f"{name}.png"))
            print(f"docs/screenshots/{name}.png")


if __name__ == "__main__":
    main()
