"""Server-side decode of a phone photo of a label (issue #14): refurb.scanning.decode_photo
on a 12-megapixel JPEG, beside zxing-cpp's own ``read_barcodes`` on the same image,
already decoded to pixels, in the same run. Goal: a median of 300 ms or less.

    python bench/photo.py                     # 15 timed runs after a warm-up
    python bench/photo.py --runs 31 --out /tmp/photo.md

The photo is synthetic but phone-like: refurb's own label PDF, rendered, warped in
perspective and rotated onto a textured 4000 x 3000 background, blurred, with uneven
light, sensor noise and JPEG compression (``synthetic_photo``, which tests/test_photos.py
uses too). Results go to --out (default /tmp/refurb-bench-photo.md), never to docs/.
"""

from __future__ import annotations

import argparse
import functools
import io
import math
import os
import platform
import random
import statistics
import sys
import time
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TWELVE_MP = (4000, 3000)


def label_image(stock_name: str, tag: str, label_url: str | None = None, scale: float = 6.0) -> Any:
    """One label of ``stock_name`` as a PIL image: refurb's own PDF, rendered by pdfium,
    cropped to the label (``scale`` pixels a PDF point: 6 is 432 dpi)."""
    import pypdfium2 as pdfium

    from refurb.labels import MM, LabelData, load_stocks, render

    stock = load_stocks()[stock_name]
    data = LabelData(
        tag=tag,
        model="HP EliteBook 840 G5 Healthcare Edition",
        cpu="Intel(R) Core(TM) i7-8650U CPU @ 1.90GHz",
        memory_bytes=16_663_232_512,
        storage_bytes=512_110_190_592,
        storage_kind="nvme",
        battery_pct=73.0,
        disposition="refurbish",
        grade_functional="F4",
        grade_cosmetic="C5",
        tested_on=date(2026, 11, 23),
        tested_by="trainee-07",
        year=2018,
    )
    pdf = render([data], stock, label_url=label_url)
    doc = pdfium.PdfDocument(pdf)
    page = doc[0].render(scale=scale).to_pil().convert("RGBA")
    doc.close()
    left = stock.first_mm[0] * MM * scale
    top = stock.first_mm[1] * MM * scale
    w, h = stock.label_mm[0] * MM * scale, stock.label_mm[1] * MM * scale
    return page.crop((round(left), round(top), round(left + w), round(top + h)))


@dataclass(frozen=True)
class Shot:
    """How one synthetic photo was taken (kept for a failure's message)."""

    size: tuple[int, int]
    module_px: float  # a QR module's width in the photo, before perspective
    angle: float
    tilt: float  # corner displacement, as a share of the label's width
    blur: float
    noise: float
    light: tuple[float, float]
    quality: int


def _perspective_coeffs(
    dst: list[tuple[float, float]], src: list[tuple[float, float]]
) -> list[float]:
    """PIL's PERSPECTIVE data mapping output points ``dst`` to input points ``src``: the
    8 x 8 linear system solved by Gaussian elimination with partial pivoting."""
    rows: list[list[float]] = []
    for (x, y), (u, v) in zip(dst, src, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y, u])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y, v])
    n = 8
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(rows[r][col]))
        rows[col], rows[pivot] = rows[pivot], rows[col]
        for r in range(col + 1, n):
            f = rows[r][col] / rows[col][col]
            rows[r] = [a - f * b for a, b in zip(rows[r], rows[col], strict=True)]
    out = [0.0] * n
    for r in range(n - 1, -1, -1):
        out[r] = (rows[r][n] - sum(rows[r][c] * out[c] for c in range(r + 1, n))) / rows[r][r]
    return out


@functools.cache
def _noise_field() -> Any:
    """Gaussian noise (sigma 20 around 128) the size of a 12-megapixel frame, made once;
    each photo takes a random window of it (making noise is slower than using it)."""
    from PIL import Image

    return Image.effect_noise((TWELVE_MP[0] + 256, TWELVE_MP[1] + 256), 20)


def _noise(rng: random.Random, size: tuple[int, int], sigma: float) -> Any:
    from PIL import Image

    field = _noise_field()
    x, y = rng.randrange(field.width - size[0] + 1), rng.randrange(field.height - size[1] + 1)
    window = field.crop((x, y, x + size[0], y + size[1]))
    return Image.blend(Image.new("L", size, 128), window, sigma / 20).convert("RGB")


def _background(rng: random.Random, size: tuple[int, int]) -> Any:
    """A desk or a laptop lid: a colour, with low-frequency blotches and some grain."""
    from PIL import Image, ImageChops

    base = tuple(rng.randint(40, 220) for _ in range(3))
    small = Image.new("RGB", (16, 12))
    small.putdata(
        [tuple(max(0, min(255, c + rng.randint(-40, 40))) for c in base) for _ in range(16 * 12)]
    )
    photo = small.resize(size, Image.Resampling.BILINEAR)
    return ImageChops.add(photo, _noise(rng, size, 14), scale=1.0, offset=-128)


def synthetic_photo(
    rng: random.Random,
    label: Any,
    qr_modules_px: float,
    size: tuple[int, int],
    module_px: float | None = None,
) -> tuple[bytes, Shot]:
    """A JPEG "photo" of ``label`` (a PIL image whose QR is ``qr_modules_px`` pixels a
    module), and how it was taken: random scale, rotation, perspective, blur, lighting,
    noise and JPEG quality, all drawn from ``rng``."""
    from PIL import Image, ImageChops, ImageFilter

    drawn = rng.uniform(3.0, 10.0)
    module_px = module_px or drawn
    shot = Shot(
        size=size,
        module_px=module_px,
        angle=rng.uniform(0, 360),
        tilt=rng.uniform(0.0, 0.15),
        blur=rng.uniform(0.0, 0.3) * module_px,
        noise=rng.uniform(3.0, 18.0),
        light=(rng.uniform(0.45, 0.8), rng.uniform(0.85, 1.0)),
        quality=rng.randint(40, 92),
    )
    w, h = size
    a = math.radians(shot.angle)
    shape = []  # the label's corners around its centre, rotated and tilted, at scale 1
    for x, y in ((-0.5, -0.5), (0.5, -0.5), (0.5, 0.5), (-0.5, 0.5)):
        x, y = x * label.width, y * label.height
        dx = rng.uniform(-1, 1) * shot.tilt * label.width
        dy = rng.uniform(-1, 1) * shot.tilt * label.width
        shape.append(
            (x * math.cos(a) - y * math.sin(a) + dx, x * math.sin(a) + y * math.cos(a) + dy)
        )
    span_x = max(p[0] for p in shape) - min(p[0] for p in shape)
    span_y = max(p[1] for p in shape) - min(p[1] for p in shape)
    # label pixels -> photo pixels; a person frames the whole label, so it stays inside
    k = min(module_px / qr_modules_px, 0.9 * w / span_x, 0.9 * h / span_y)
    if k < module_px / qr_modules_px:
        shot = replace(shot, module_px=k * qr_modules_px)
    left = min(p[0] for p in shape) * k
    top = min(p[1] for p in shape) * k
    cx = rng.uniform(-left + 0.02 * w, w - (left + span_x * k) - 0.02 * w)
    cy = rng.uniform(-top + 0.02 * h, h - (top + span_y * k) - 0.02 * h)
    corners = [(cx + x * k, cy + y * k) for x, y in shape]
    x0 = max(0, math.floor(min(p[0] for p in corners)))
    y0 = max(0, math.floor(min(p[1] for p in corners)))
    x1 = min(w, math.ceil(max(p[0] for p in corners)))
    y1 = min(h, math.ceil(max(p[1] for p in corners)))
    box = (x1 - x0, y1 - y0)
    if label.mode != "RGBA":
        label = label.convert("RGBA")
    shrink = math.floor(1 / k)  # a camera sees the label smaller: average, then warp
    if shrink >= 2:
        label = label.reduce(shrink)
    src = [(0, 0), (label.width, 0), (label.width, label.height), (0, label.height)]
    coeffs = _perspective_coeffs([(x - x0, y - y0) for x, y in corners], src)
    warped = label.transform(
        box, Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BICUBIC, fillcolor=(0, 0, 0, 0)
    )
    photo = _background(rng, size)
    photo.paste(warped, (x0, y0), warped)
    if shot.blur > 0.3:  # out of focus: blur the label and what is around it
        margin = math.ceil(4 * shot.blur) + 2
        around = (
            max(0, x0 - margin),
            max(0, y0 - margin),
            min(w, x1 + margin),
            min(h, y1 + margin),
        )
        photo.paste(photo.crop(around).filter(ImageFilter.GaussianBlur(shot.blur)), around[:2])
    # uneven light: a gradient across the frame at a random angle (its middle, where
    # the turn leaves no empty corners)
    low, high = shot.light
    grad = Image.linear_gradient("L").rotate(rng.uniform(0, 360), Image.Resampling.BILINEAR)
    grad = grad.crop((53, 53, 203, 203))
    grad = grad.point(lambda v: round(255 * (low + (high - low) * v / 255)))
    photo = ImageChops.multiply(photo, grad.resize(size, Image.Resampling.BILINEAR).convert("RGB"))
    photo = ImageChops.add(photo, _noise(rng, size, shot.noise), scale=1.0, offset=-128)
    out = io.BytesIO()
    photo.save(out, format="JPEG", quality=shot.quality)
    return out.getvalue(), shot


def _qr_module_px(stock_name: str, scale: float, modules: int = 21) -> float:
    from refurb.labels import MM, load_stocks, module_geometry

    return module_geometry(load_stocks()[stock_name], modules)[1] * MM * scale


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="timed runs (after a warm-up)")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--out", default="/tmp/refurb-bench-photo.md", help="results file")
    args = parser.parse_args()
    if args.runs < 15:
        parser.error("--runs: at least 15, for a median worth reporting")

    import zxingcpp
    from PIL import Image

    from refurb.scanning import decode_photo, tag_from_scan

    tag = "RF-7K2Q9W"
    scale = 6.0
    label = label_image("avery-l7160", tag, scale=scale)
    qr = zxingcpp.barcode_formats_from_str("QRCode")
    med = statistics.median

    def timed(fn: Any) -> list[float]:
        fn()  # warm-up
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            fn()
            times.append((time.perf_counter() - start) * 1000)
        return times

    def cell(times: list[float]) -> str:
        return f"{med(times):.0f} | {min(times):.0f} | {max(times):.0f}"

    rows = []
    verdicts = []
    for what, module_px in (("label near (QR modules 10 px)", 10.0), ("label far (3.5 px)", 3.5)):
        rng = random.Random(args.seed)
        jpeg, shot = synthetic_photo(
            rng, label, _qr_module_px("avery-l7160", scale), TWELVE_MP, module_px
        )
        with Image.open(io.BytesIO(jpeg)) as img:
            pixels = img.convert("L")
        assert [tag_from_scan(t) for t in decode_photo(jpeg)] == [tag], "decode_photo missed"
        assert [r.text for r in zxingcpp.read_barcodes(pixels, formats=qr)] == [tag]
        ours = timed(lambda jpeg=jpeg: decode_photo(jpeg))
        peer = timed(lambda pixels=pixels: zxingcpp.read_barcodes(pixels, formats=qr))

        def jpeg_only(jpeg: bytes = jpeg) -> None:
            with Image.open(io.BytesIO(jpeg)) as img:
                img.draft("L", img.size)
                img.convert("L")

        alone = timed(jpeg_only)
        name = (
            f"{what}: {TWELVE_MP[0]} x {TWELVE_MP[1]} JPEG, {len(jpeg) / 1e6:.1f} MB, "
            f"quality {shot.quality}, turned {shot.angle:.0f} deg"
        )
        rows += [
            f"| {name} | refurb.scanning.decode_photo (JPEG bytes in, texts out) | {cell(ours)} |",
            f"| | zxingcpp.read_barcodes, defaults, on the decoded grey pixels (peer) "
            f"| {cell(peer)} |",
            f"| | for scale: the JPEG decode to grey alone (Pillow) | {cell(alone)} |",
        ]
        verdicts.append(
            f"{what}: decode_photo median {med(ours):.0f} ms, "
            f"{'within' if med(ours) <= 300 else 'OVER'} the 300 ms goal; "
            f"{med(ours) / med(peer):.2f}x the peer's time (which starts from decoded pixels)."
        )
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        "# Photo decode (issue #14)",
        "",
        f"Median of {args.runs} runs after a warm-up (time.perf_counter); "
        f"{platform.machine()}, {os.cpu_count()} CPUs, load average {load:.1f} at the end, "
        f"Python {platform.python_version()}.",
        "",
        "| photo | what | median ms | min ms | max ms |",
        "|---|---|---:|---:|---:|",
        *rows,
        "",
        *[f"- {v}" for v in verdicts],
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    Path(args.out).write_text(text, encoding="utf-8")
    print(f"written to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
