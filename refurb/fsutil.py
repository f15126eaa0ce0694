"""Writing files so that a full or read-only disk never leaves half a file behind."""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path

from refurb.errors import EnvironmentProblem
from refurb.i18n import N_, Phrase


def write_atomic(path: str | os.PathLike[str], data: bytes, mode: int = 0o644) -> Path:
    """Write to a temporary file beside ``path``, fsync, then rename over it. ``mode``
    0o600 for what only its owner should read (bundles); under sudo the file goes to
    the user who ran sudo."""
    from refurb.config import give_to_invoking_user, make_dirs

    target = Path(path)
    tmp_name = None
    try:
        make_dirs(target.parent)
        tmp_name = str(target.parent / f".{target.name}.{os.getpid()}.{os.urandom(4).hex()}.part")
        fd = os.open(tmp_name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        give_to_invoking_user(tmp_name)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp_name, target)
        tmp_name = None
    except OSError as exc:
        raise _explain(exc, target) from None
    finally:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
    return target


def _explain(exc: OSError, target: Path) -> EnvironmentProblem:
    if exc.errno == errno.ENOSPC:
        return EnvironmentProblem(
            Phrase(N_("cannot write {target}: the disk is full"), target=target),
            N_("free some space or use another drive; nothing was written"),
        )
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return EnvironmentProblem(
            Phrase(N_("cannot write {target}: {error}"), target=target, error=exc.strerror),
            N_("the drive may be read-only or locked; nothing was written"),
        )
    return EnvironmentProblem(
        Phrase(N_("cannot write {target}: {error}"), target=target, error=exc.strerror or exc),
        N_("nothing was written"),
    )
