"""The one rule every English/French text in refurb follows: texts are (en, fr) pairs."""

from __future__ import annotations

from typing import TypeVar

T = TypeVar("T")


def pick(pair: tuple[T, T], lang: str) -> T:
    """The French text for ``fr``, else the English one."""
    return pair[1] if lang == "fr" else pair[0]
