"""The photo path of the scan page: refurb.scanning.decode_photo reads phone photos of
printed labels. The labels are refurb's own PDFs (bare tag and label_url, small and
large stocks), rendered by pdfium and "photographed" with Pillow (bench/photo.py's
synthetic_photo): random scale (QR modules 3 to 10 pixels), any rotation, perspective,
blur, uneven light, sensor noise and JPEG compression, some on a 12-megapixel frame.
At least 99 % of 200 such photos must decode to the right device (seeded, repeatable)."""

from __future__ import annotations

import random
import time

import pytest

from refurb.labels import MM, load_stocks, module_geometry, qr_modules_for, qr_text
from refurb.scanning import decode_photo, tag_from_scan

pytest.importorskip("pypdfium2", reason="pypdfium2 renders PDFs")
pytest.importorskip("zxingcpp", reason="zxing-cpp decodes QR codes")

from bench.photo import TWELVE_MP, label_image, synthetic_photo

URL = "https://refurb.shop.local:8443/d/{tag}"
# (stock, tag, label_url): small and large stocks, a version-1 QR and a version-5 one
LABELS = [
    ("avery-l7160", "RF-7K2Q9W", None),
    ("zebra-2x1in", "IQA-3M8XR0", None),
    ("dymo-30334", "RF-Q4T7ZB", URL),
    ("avery-l7651", "7-KX2P9M", URL),
]
PHOTOS = 200
TWELVE_MP_PHOTOS = 8  # the rest are 1.2 to 1.6 megapixels, to keep the test quick
SIZES = [(1280, 960), (1440, 1080), (960, 1280)]


def prepared() -> list[tuple[str, object, float]]:
    """(tag, label image, QR module in image pixels) for each label."""
    out = []
    stocks = load_stocks()
    for name, tag, url in LABELS:
        modules = qr_modules_for(qr_text(tag, url))
        module_pt = module_geometry(stocks[name], modules)[1] * MM
        scale = max(4.0, 8.0 / module_pt)  # at least 8 pixels a module before the photo
        out.append((tag, label_image(name, tag, url, scale=scale), module_pt * scale))
    return out


def test_photos_of_printed_labels_decode() -> None:
    rng = random.Random(20261204)
    labels = prepared()
    decoded = 0
    missed = []
    started = time.perf_counter()
    for i in range(PHOTOS):
        tag, image, module_px = labels[i % len(labels)]
        size = TWELVE_MP if i % (PHOTOS // TWELVE_MP_PHOTOS) == 0 else rng.choice(SIZES)
        jpeg, shot = synthetic_photo(rng, image, module_px, size)
        found = [tag_from_scan(t) for t in decode_photo(jpeg)]
        if found == [tag]:
            decoded += 1
        else:
            missed.append((i, tag, found, shot))
    rate = decoded / PHOTOS
    took = time.perf_counter() - started
    detail = "; ".join(f"#{i} {shot}" for i, _, _, shot in missed[:5])
    assert rate >= 0.99, (
        f"decoded {decoded} of {PHOTOS} photos ({rate:.1%}) in {took:.0f} s; missed: {detail}"
    )
    # nothing else is ever read as a label: each photo decoded to its own tag or nothing
    assert all(found in ([], [tag]) for _, tag, found, _ in missed), missed
    print(f"photo decode rate: {decoded}/{PHOTOS} ({rate:.1%}) in {took:.0f} s")
