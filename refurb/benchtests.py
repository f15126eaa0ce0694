"""Quick functional tests for the bench, each time-boxed, optional and interruptible.

Every test takes a ``progress(fraction)`` callback and a ``stop`` event; when stopped
(Ctrl-C) it returns what it measured so far with ``interrupted: True``. Results are
plain dicts that go into the checklist and become findings (see assess/rules.py).

These are screening tests, not burn-in labs: a user-space memory test only reaches the
memory the OS hands it, so a clean result does not replace MemTest86 on a suspect module.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

Progress = Callable[[float], None]

# The CPU round's correct results (SHA-256 chain, IEEE-754 series, 64-bit LCG), checked
# by tests/test_benchtests.py. A CPU that returns anything else is computing wrongly.
_CPU_EXPECTED = ("51a38710bc787516", 0.7853856633974562, 11690827836036153936)


def cpu_round(seed: int = 7) -> tuple[str, float, int]:
    h = seed.to_bytes(8, "little")
    for _ in range(2000):
        h = hashlib.sha256(h).digest()
    x = 0.0
    for k in range(1, 20001):
        x += (-1.0) ** (k + 1) / (2 * k - 1)
    acc = 0
    for k in range(1, 20001):
        acc = (acc * 6364136223846793005 + k) & 0xFFFFFFFFFFFFFFFF
    return h.hex()[:16], x, acc


def _cpu_batch(seconds: float) -> tuple[int, int]:
    end = time.monotonic() + seconds
    rounds = errors = 0
    while time.monotonic() < end:
        rounds += 1
        if cpu_round() != _CPU_EXPECTED:
            errors += 1
    return rounds, errors


def cpu_burn(
    seconds: float, progress: Progress, stop: threading.Event, workers: int | None = None
) -> dict[str, Any]:
    """Load every core for ``seconds`` and check each result against the known answer."""
    workers = workers or os.cpu_count() or 1
    start = time.monotonic()
    rounds = errors = 0
    interrupted = False
    with ProcessPoolExecutor(max_workers=workers) as pool:
        try:
            while (elapsed := time.monotonic() - start) < seconds and not stop.is_set():
                batch = min(0.5, seconds - elapsed)
                for r, e in pool.map(_cpu_batch, [batch] * workers):
                    rounds, errors = rounds + r, errors + e
                progress(min(1.0, (time.monotonic() - start) / seconds))
        except KeyboardInterrupt:
            interrupted = True
    interrupted = interrupted or stop.is_set()
    return {
        "rounds": rounds,
        "errors": errors,
        "workers": workers,
        "seconds": round(time.monotonic() - start, 2),
        "planned_seconds": seconds,
        "interrupted": interrupted,
    }


_PATTERNS = (b"\x00", b"\xff", b"\x55", b"\xaa")
_CHUNK = 1 << 20


def memory_test(
    mib: int, progress: Progress, stop: threading.Event, seconds: float | None = None
) -> dict[str, Any]:
    """Write and read back fixed and address-dependent patterns over ``mib`` MiB."""
    start = time.monotonic()
    buf = bytearray(mib * _CHUNK)
    view = memoryview(buf)
    errors = 0
    passes = 0
    # An address-dependent block: every 8-byte word holds its own offset.
    addr_block = b"".join(i.to_bytes(8, "little") for i in range(0, _CHUNK, 8))
    blocks = [p * _CHUNK for p in _PATTERNS] + [addr_block]
    total = len(blocks) * mib * 2
    done = 0
    interrupted = False
    try:
        for block in blocks:
            for i in range(mib):
                view[i * _CHUNK : (i + 1) * _CHUNK] = block
                done += 1
            for i in range(mib):
                # a bytearray slice compares with memcmp; a memoryview compares per item
                if buf[i * _CHUNK : (i + 1) * _CHUNK] != block:
                    errors += 1
                done += 1
                if i % 64 == 0:
                    progress(done / total)
                    if stop.is_set() or (seconds and time.monotonic() - start > seconds):
                        raise KeyboardInterrupt
            passes += 1
    except KeyboardInterrupt:
        interrupted = True
    finally:
        view.release()
        del buf
    progress(1.0)
    return {
        "mib": mib,
        "errors": errors,
        "patterns_done": passes,
        "patterns_planned": len(blocks),
        "seconds": round(time.monotonic() - start, 2),
        "planned_seconds": seconds,
        "interrupted": interrupted,
    }


def memory_share_mib(share_pct: float) -> int:
    import psutil

    available = psutil.virtual_memory().available
    return max(1, int(available * share_pct / 100) // _CHUNK)


def disk_read(
    device: str, seconds: float, progress: Progress, stop: threading.Event
) -> dict[str, Any]:
    """Read the disk in 4 MiB blocks spread over its whole surface for ``seconds``;
    count the blocks that fail to read (EIO) and measure the rate."""
    path = device if device.startswith("/") else f"/dev/{device}"
    block = 4 << 20
    read_bytes = errors = 0
    start = time.monotonic()
    interrupted = False
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError as exc:
        return {
            "device": device,
            "errors": None,
            "error": f"{path}: {exc.strerror}",
            "seconds": 0,
            "planned_seconds": seconds,
            "interrupted": False,
        }
    try:
        size = os.lseek(fd, 0, os.SEEK_END)
        # Visit the surface in strides so a short test still touches start, middle and end.
        positions = max(1, size // block)
        stride = max(1, positions // 997)
        index = 0
        while time.monotonic() - start < seconds:
            if stop.is_set():
                interrupted = True
                break
            offset = ((index * stride) % positions) * block
            try:
                read_bytes += len(os.pread(fd, block, offset))
            except OSError:
                errors += 1
            index += 1
            progress(min(1.0, (time.monotonic() - start) / seconds))
    except KeyboardInterrupt:
        interrupted = True
    finally:
        os.close(fd)
    elapsed = max(time.monotonic() - start, 1e-6)
    return {
        "device": device,
        "errors": errors,
        "bytes": read_bytes,
        "mb_per_s": round(read_bytes / elapsed / 1e6, 1),
        "seconds": round(elapsed, 2),
        "planned_seconds": seconds,
        "interrupted": interrupted,
    }


def smart_selftest(
    device: str, timeout: float, progress: Progress, stop: threading.Event
) -> dict[str, Any]:
    """Start a SMART short self-test and wait (up to ``timeout``) for its result."""
    import json
    import subprocess

    from refurb.probe.smart import parse_smartctl

    path = device if device.startswith("/") else f"/dev/{device}"
    start = time.monotonic()
    try:
        subprocess.run(
            ["smartctl", "-t", "short", path], capture_output=True, check=False, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return {"device": device, "errors": None, "error": f"smartctl: {exc}", "interrupted": False}
    result: dict[str, Any] = {
        "device": device,
        "errors": None,
        "result": None,
        "planned_seconds": timeout,
        "interrupted": False,
    }
    while time.monotonic() - start < timeout:
        if stop.wait(5):
            result["interrupted"] = True
            break
        proc = subprocess.run(
            ["smartctl", "-j", "-c", "-l", "selftest", path],
            capture_output=True,
            check=False,
            timeout=30,
        )
        try:
            doc = json.loads(proc.stdout)
            running = doc.get("ata_smart_data", {}).get("self_test", {}).get("status", {})
            remaining = running.get("remaining_percent")
        except (ValueError, AttributeError):
            remaining = None
        progress(min(1.0, (time.monotonic() - start) / timeout))
        if remaining:
            continue
        smart = parse_smartctl(proc.stdout, proc.returncode, f"disk {device}").smart
        if smart is not None and smart.self_test_passed is not None:
            result["result"] = smart.self_test
            result["errors"] = 0 if smart.self_test_passed else 1
            break
    result["seconds"] = round(time.monotonic() - start, 2)
    return result
