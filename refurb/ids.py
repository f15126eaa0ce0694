"""Time-ordered unique ids (UUID version 7 layout), so records sort by creation time
and ids made at different stations never collide."""

from __future__ import annotations

import os
import threading
import time

_lock = threading.Lock()
_last = 0


def new_id() -> str:
    global _last
    with _lock:
        ms = time.time_ns() // 1_000_000
        counter = ms << 12
        if counter <= _last:
            counter = _last + 1  # same millisecond: keep ids increasing
        _last = counter
    ts, seq = counter >> 12, counter & 0xFFF
    rand = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
    h = f"{(ts << 80) | (0x7 << 76) | (seq << 64) | (0b10 << 62) | rand:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"  # the UUID text form
