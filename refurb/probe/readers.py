"""Small helpers every OS reader uses: read one value, or record why it could not."""

from __future__ import annotations

from refurb.model import NEEDS_ROOT, NOT_PRESENT, UNREADABLE, Gap
from refurb.probe.source import Source


class Reader:
    """Reads single values through a Source and records a Gap for each one it cannot."""

    def __init__(self, src: Source, gaps: list[Gap]) -> None:
        self.src = src
        self.gaps = gaps

    def text(self, path: str, part: str, fld: str | None, *, quiet: bool = False) -> str | None:
        """The file's text, stripped; None (and a gap unless quiet) when it can't be read."""
        try:
            data = self.src.read(path)
        except FileNotFoundError:
            if not quiet:
                self.gaps.append(Gap(part, fld, NOT_PRESENT, f"{path} does not exist"))
            return None
        except PermissionError:
            self.gaps.append(Gap(part, fld, NEEDS_ROOT, f"{path} is readable by root only"))
            return None
        except OSError as exc:
            self.gaps.append(Gap(part, fld, UNREADABLE, f"{path}: {exc.strerror or exc}"))
            return None
        try:
            value = data.decode("utf-8")
        except UnicodeDecodeError:
            value = data.decode("utf-8", errors="replace")
            self.gaps.append(
                Gap(
                    part,
                    fld,
                    UNREADABLE,
                    f"{path} is not valid UTF-8; unreadable characters were replaced",
                )
            )
        value = value.replace("\x00", "").strip()
        return value or None

    def number(self, path: str, part: str, fld: str | None, *, quiet: bool = False) -> int | None:
        value = self.text(path, part, fld, quiet=quiet)
        if value is None:
            return None
        try:
            return int(value)
        except ValueError:
            self.gaps.append(
                Gap(part, fld, UNREADABLE, f"{path} holds {value[:40]!r}, not a whole number")
            )
            return None
