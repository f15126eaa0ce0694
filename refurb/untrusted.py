"""Text from outside (command-line arguments, firmware strings, snapshot files) is made
safe where it enters: no control characters, which could rewrite a trainee's terminal
(ANSI escapes), hide text, or make two codes that look the same on screen differ."""

from __future__ import annotations

import json
import re
from typing import Any

CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
MAX_TEXT = 2000  # characters in one argument (a note, a name, a code)
_C1 = re.compile(r"[\x7f-\x9f]")


def one_line(value: str) -> str:
    """Control characters become spaces; runs of whitespace one space; trimmed."""
    return " ".join(CONTROL.sub(" ", value).split())


def clean_text(value: str) -> str:
    """``one_line``, with a fast path for text that is already clean (most firmware
    strings): printable, no double space, no space at either end."""
    if value.isprintable() and "  " not in value and value[:1] != " " and value[-1:] != " ":
        return value
    return one_line(value)


def json_text(doc: Any, **kwargs: Any) -> str:
    """JSON for a terminal or a file: like ``json.dumps(ensure_ascii=False)``, but the
    C1 control characters (U+007F-U+009F), which JSON leaves as they are and some
    terminals obey as escapes (U+009B is a one-character CSI), are written as \\uXXXX
    too. They can only stand inside strings, so the document means the same."""
    text = json.dumps(doc, ensure_ascii=False, **kwargs)
    return _C1.sub(lambda m: f"\\u{ord(m.group()):04x}", text) if _C1.search(text) else text
