"""One guard for every CSV refurb writes: spreadsheets run a cell that starts with
= + - @ (or a tab or carriage return) as a formula, so such cells are quoted."""

from __future__ import annotations

from typing import Any

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in _FORMULA_STARTS:
        return "'" + value
    return value
