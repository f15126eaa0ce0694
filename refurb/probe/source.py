"""Where readings come from: the live machine, a recorded capture, or the live machine
while recording a capture.

Every reader goes through a Source, never through ``open`` or ``subprocess`` directly.
That is the seam that lets real captures from other machines (and other operating
systems) stand in for this one, in tests and in bug reports. The Source also keeps every
byte it handed out as evidence, so a snapshot carries its raw readings unchanged.
"""

from __future__ import annotations

import base64
import functools
import json
import os
import re
import subprocess
import sys

from refurb import CAPTURE_FORMAT
from refurb.errors import BadInput, EnvironmentProblem
from refurb.i18n import N_, Phrase
from refurb.record import Record

TYPE_CHECKING = False  # as typing's, without importing typing on the probe's start-up
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any


def _which(name: str) -> str | None:
    """The executable ``name`` on PATH (or ``name`` itself when it holds a slash), as
    shutil.which finds it on POSIX; shutil is not imported at start-up for this alone
    (it loads the bz2, lzma and zlib modules)."""
    if sys.platform == "win32":
        import shutil

        return shutil.which(name)
    if os.sep in name:
        return name if os.access(name, os.X_OK) and not os.path.isdir(name) else None
    for folder in os.environ.get("PATH", os.defpath).split(os.pathsep):
        candidate = os.path.join(folder or os.curdir, name)
        if os.access(candidate, os.X_OK) and not os.path.isdir(candidate):
            return candidate
    return None


class ToolMissing(Exception):
    """The command is not installed (live) or was not recorded (capture)."""


class CommandResult(Record):
    stdout: bytes
    returncode: int


class Source:
    os_name: str
    os_release: str | None
    arch: str | None
    kind = "live"

    def __init__(self) -> None:
        self.files: dict[str, str] = {}
        self.files_b64: dict[str, str] = {}
        self.commands: dict[str, str] = {}
        self._ahead: dict[str, _Ahead] = {}

    # --- what readers call -------------------------------------------------
    def read(self, path: str) -> bytes:
        """Bytes of a file, or FileNotFoundError / PermissionError / OSError."""
        data = self._read(path)
        try:
            self.files[path] = data.decode("utf-8")
        except UnicodeDecodeError:
            self.files_b64[path] = base64.b64encode(data).decode("ascii")
        return data

    def listdir(self, path: str) -> list[str]:
        try:
            return sorted(self._listdir(path))
        except OSError:
            return []

    def readlink(self, path: str) -> str | None:
        return None

    def run(self, name: str, argv: list[str], timeout: float = 60) -> CommandResult:
        ahead = self._ahead.pop(name, None)
        result = ahead.result() if ahead is not None else self._run(name, argv, timeout)
        self.commands[name] = result.stdout.decode("utf-8", errors="replace")
        return result

    def run_ahead(self, name: str, argv: list[str], timeout: float = 60) -> None:
        """Start a command now that ``run(name, ...)`` will ask for later, so a slow tool
        (smartctl) works while the probe reads the rest. Only ``run`` records it: a
        command started ahead and never asked for leaves no trace in the snapshot. A
        source that reads recorded output (a replay) has nothing to start."""

    def recorded_commands(self) -> list[str]:
        return []

    def evidence(self) -> dict[str, Any]:
        raw: dict[str, Any] = {
            "files": dict(sorted(self.files.items())),
            "commands": dict(sorted(self.commands.items())),
        }
        if self.files_b64:
            raw["files_base64"] = dict(sorted(self.files_b64.items()))
        return raw

    # --- what a source implements -----------------------------------------
    def _read(self, path: str) -> bytes:
        raise NotImplementedError

    def _listdir(self, path: str) -> list[str]:
        raise NotImplementedError

    def _run(self, name: str, argv: list[str], timeout: float) -> CommandResult:
        raise NotImplementedError


def _os_name() -> str:
    # sys.platform, not the platform module: that import alone costs ~3 ms at start-up
    if sys.platform.startswith("linux"):
        return "linux"
    return {"win32": "windows", "darwin": "macos"}.get(sys.platform, sys.platform)


class _Ahead:
    """A command running in a thread; ``result()`` waits for it and gives what ``_run``
    gave, or raises what it raised."""

    def __init__(self, work: Any) -> None:
        import threading

        self.box: dict[str, Any] = {}

        def go() -> None:
            try:
                self.box["result"] = work()
            except BaseException as exc:  # handed to the caller of result()
                self.box["error"] = exc

        self.thread = threading.Thread(target=go, daemon=True)
        self.thread.start()

    def result(self) -> CommandResult:
        self.thread.join()
        if "error" in self.box:
            raise self.box["error"]
        return self.box["result"]


class LiveSource(Source):
    def run_ahead(self, name: str, argv: list[str], timeout: float = 60) -> None:
        if name not in self._ahead:
            self._ahead[name] = _Ahead(lambda: self._run(name, argv, timeout))

    def __init__(self) -> None:
        super().__init__()
        self.os_name = _os_name()
        if hasattr(os, "uname"):
            uname = os.uname()
            self.os_release, self.arch = uname.release or None, uname.machine or None
        else:  # Windows
            import platform

            self.os_release, self.arch = platform.release() or None, platform.machine() or None

    def _read(self, path: str) -> bytes:
        with open(path, "rb") as fh:
            return fh.read()

    def _listdir(self, path: str) -> list[str]:
        return os.listdir(path)

    def readlink(self, path: str) -> str | None:
        try:
            return os.path.realpath(path) if os.path.islink(path) else None
        except OSError:
            return None

    def _run(self, name: str, argv: list[str], timeout: float) -> CommandResult:
        exe = _which(argv[0])
        if exe is None:
            raise ToolMissing(argv[0])
        try:
            proc = subprocess.run(
                [exe, *argv[1:]], capture_output=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise ToolMissing(f"{argv[0]} did not answer within {timeout:.0f} s") from exc
        except OSError as exc:
            raise ToolMissing(f"{argv[0]}: {exc.strerror}") from exc
        return CommandResult(proc.stdout, proc.returncode)


class CaptureSource(Source):
    """A folder recorded from a machine (``refurb-capture/1``; see docs/captures.md)."""

    kind = "replay"

    def __init__(self, path: str | os.PathLike[str]) -> None:
        super().__init__()
        from pathlib import Path  # here, not at start-up: a live probe needs no Path

        self.path = Path(path)
        meta_file = self.path / "meta.json"
        if not self.path.is_dir():
            raise BadInput(
                Phrase(N_("capture {path}: no such folder"), path=self.path),
                N_("give the folder that holds meta.json"),
            )
        from refurb.untrusted import json_value, one_line, read_file

        if not os.path.lexists(meta_file):
            raise BadInput(
                Phrase(N_("capture {path}: meta.json is missing"), path=one_line(str(self.path))),
                N_("a capture folder holds meta.json, root/ and commands/"),
            )
        try:
            meta = json_value(read_file(meta_file, MAX_CAPTURED))
        except BadInput as exc:
            raise BadInput(
                Phrase(
                    N_("capture {meta_file}: {reason}"),
                    meta_file=one_line(str(meta_file)),
                    reason=exc.message,
                ),
                N_("the capture is damaged; record it again"),
            ) from None
        if not isinstance(meta, dict) or meta.get("format") != CAPTURE_FORMAT:
            fmt = meta.get("format") if isinstance(meta, dict) else None
            raise BadInput(
                Phrase(
                    N_("capture {meta_file}: format is {fmt!r}, expected {expected!r}"),
                    meta_file=meta_file,
                    fmt=fmt,
                    expected=CAPTURE_FORMAT,
                )
            )
        os_name = meta.get("os")
        if os_name not in ("linux", "windows", "macos"):
            raise BadInput(
                Phrase(
                    N_(
                        "capture {meta_file}: 'os' must be linux, windows or macos, found "
                        "{os_name!r}"
                    ),
                    meta_file=meta_file,
                    os_name=os_name,
                )
            )
        self.meta = meta
        self.os_name = os_name
        release = meta.get("release")
        self.os_release = release if isinstance(release, str) else None
        arch = meta.get("arch")
        self.arch = arch if isinstance(arch, str) else None
        links = meta.get("links", {})
        self.links: dict[str, str] = links if isinstance(links, dict) else {}
        dirs = meta.get("dirs", {})
        self.dirs: dict[str, list[str]] = dirs if isinstance(dirs, dict) else {}
        missing = meta.get("missing", {})
        self.missing: dict[str, str] = missing if isinstance(missing, dict) else {}
        self.root = (self.path / "root").resolve()

    def _local(self, path: str) -> Path:
        local = (self.root / path.lstrip("/")).resolve()
        if local != self.root and self.root not in local.parents:
            raise FileNotFoundError(path)
        return local

    def _read(self, path: str) -> bytes:
        return _captured(self._local(path))

    def _listdir(self, path: str) -> list[str]:
        listed = self.dirs.get(path)
        if isinstance(listed, list):  # the live listing, as recorded
            return [n for n in listed if isinstance(n, str)]
        return os.listdir(self._local(path))

    def readlink(self, path: str) -> str | None:
        target = self.links.get(path)
        return target if isinstance(target, str) else None

    def _run(self, name: str, argv: list[str], timeout: float) -> CommandResult:
        out = self.path / "commands" / name
        why = self.missing.get(name)
        if isinstance(why, str):  # the live machine could not run it: the same gap
            raise ToolMissing(why)
        try:
            data = _captured(out)
        except FileNotFoundError:
            raise ToolMissing(f"{argv[0]} (not recorded in this capture)") from None
        except OSError as exc:
            raise ToolMissing(f"{argv[0]}: {exc}") from None
        rc_file = out.with_name(name + ".rc")
        rc = 0
        if rc_file.exists():
            try:
                rc = int(_captured(rc_file).strip())
            except (ValueError, OSError):
                rc = 0
        return CommandResult(data, rc)

    def recorded_commands(self) -> list[str]:
        try:
            return sorted(p.name for p in (self.path / "commands").iterdir())
        except OSError:
            return []


# A recorded file or command output is read only if it is a regular file of at most
# this many bytes: a capture folder from elsewhere may hold a named pipe (which would
# wait for ever) or a link to /dev/zero. A full dmidecode dump is under 200 KB.
MAX_CAPTURED = 16 * 2**20


def _captured(path: Path) -> bytes:
    """A capture's file, through the one gate for files from outside; what is not a
    small regular file is an unreadable one (OSError), as on the machine."""
    from refurb.untrusted import read_file

    try:
        return read_file(path, MAX_CAPTURED)
    except BadInput as exc:
        if not os.path.lexists(path):
            raise FileNotFoundError(str(path)) from None
        raise OSError(str(exc.message)) from None


# Files and JSON keys that hold serial numbers or unique IDs; ``--scrub`` blanks them.
# (The patterns are compiled on first use: the probe itself never scrubs.)
_SERIAL_FILES = {
    "product_serial",
    "board_serial",
    "chassis_serial",
    "product_uuid",
    "serial_number",
    "serial",
    "address",
}


@functools.cache
def _scrub_patterns() -> tuple[re.Pattern[bytes], re.Pattern[bytes], re.Pattern[bytes]]:
    return (
        re.compile(
            rb'("(?:serial_number|wwn|SerialNumber|Serial|platform_UUID|'
            rb'serial|IOPlatformSerialNumber)"\s*[:=]\s*)("[^"]*"|\{[^}]*\})'
        ),
        re.compile(rb"(<SerialNumber>)[^<]*(</SerialNumber>)"),
        re.compile(rb"(Serial Number:|UUID:)[^\n]*"),
    )


def scrub_bytes(name: str, data: bytes) -> bytes:
    """Blank serial numbers and unique IDs in one recorded file or command output."""
    if os.path.basename(name) in _SERIAL_FILES:
        return b"SCRUBBED\n"
    json_keys, xml_tags, text_lines = _scrub_patterns()
    data = json_keys.sub(rb'\1"SCRUBBED"', data)
    data = xml_tags.sub(rb"\1SCRUBBED\2", data)
    return text_lines.sub(rb"\1 SCRUBBED", data)


class RecordingSource(LiveSource):
    """The live machine, writing everything it reads into a new capture folder."""

    def __init__(self, dest: str | os.PathLike[str], scrub: bool = False) -> None:
        super().__init__()
        from pathlib import Path

        self.dest = Path(dest)
        self.scrub = scrub
        self.links_seen: dict[str, str] = {}
        self.dirs_seen: dict[str, list[str]] = {}
        self.missing_seen: dict[str, str] = {}
        if self.dest.exists() and any(self.dest.iterdir()):
            raise BadInput(
                Phrase(N_("capture folder {dest} is not empty"), dest=self.dest),
                N_("record into a new folder"),
            )
        try:
            (self.dest / "root").mkdir(parents=True, exist_ok=True)
            (self.dest / "commands").mkdir(exist_ok=True)
        except OSError as exc:
            raise EnvironmentProblem(
                Phrase(
                    N_("cannot create capture folder {dest}: {error}"),
                    dest=self.dest,
                    error=exc.strerror,
                ),
                N_("choose a writable folder"),
            ) from None

    def _keep(self, rel: Path, data: bytes) -> None:
        if self.scrub:
            data = scrub_bytes(rel.name, data)
        rel.parent.mkdir(parents=True, exist_ok=True)
        rel.write_bytes(data)

    def _read(self, path: str) -> bytes:
        data = super()._read(path)
        self._keep(self.dest / "root" / path.lstrip("/"), data)
        return data

    def _listdir(self, path: str) -> list[str]:
        names = super()._listdir(path)
        self.dirs_seen[path] = sorted(names)
        (self.dest / "root" / path.lstrip("/")).mkdir(parents=True, exist_ok=True)
        return names

    def readlink(self, path: str) -> str | None:
        target = super().readlink(path)
        if target is not None:
            self.links_seen[path] = target
        return target

    def _run(self, name: str, argv: list[str], timeout: float) -> CommandResult:
        try:
            result = super()._run(name, argv, timeout)
        except ToolMissing as exc:
            self.missing_seen[name] = str(exc)
            raise
        self._keep(self.dest / "commands" / name, result.stdout)
        (self.dest / "commands" / f"{name}.rc").write_text(f"{result.returncode}\n")
        return result

    def finish(self, note: str = "") -> None:
        meta = {
            "format": CAPTURE_FORMAT,
            "os": self.os_name,
            "release": self.os_release,
            "arch": self.arch,
            "links": self.links_seen,
            "dirs": self.dirs_seen,
            "missing": self.missing_seen,
            "scrubbed": self.scrub,
            "note": note or "recorded by refurb probe --record",
        }
        (self.dest / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
