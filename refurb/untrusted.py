"""Text from outside (command-line arguments, firmware strings, snapshot files) is made
safe where it enters: no control characters, which could rewrite a trainee's terminal
(ANSI escapes), hide text, or make two codes that look the same on screen differ."""

from __future__ import annotations

import re

CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
MAX_TEXT = 2000  # characters in one argument (a note, a name, a code)


def one_line(value: str) -> str:
    """Control characters become spaces; runs of whitespace one space; trimmed."""
    return " ".join(CONTROL.sub(" ", value).split())
