"""Build the USB-stick agent: one file, ``refurb-agent.pyz``, that runs ``refurb probe``
(and ``assess``, ``check``) on a laptop with nothing but Python 3.11+ installed.

    python -m refurb.agent --out /media/stick/refurb-agent.pyz
    python3 /media/stick/refurb-agent.pyz probe --outbox /media/stick/outbox

It is built offline from what this station already has installed: the refurb package
and the pure-Python libraries the probe needs (click, platformdirs). No compiled code
goes in, so one file serves every operating system (the byte-code beside the sources is
an accelerator for the Python version that built it; others compile the sources).
psutil, which the probe only uses as a last resort for the memory total on Windows and
macOS, is left out (the probe records a gap instead). The inventory, labels and reports
stay at the station.
"""

from __future__ import annotations

import argparse
import compileall
import shutil
import sys
import tempfile
import zipapp
from pathlib import Path

BUNDLED = ("click", "platformdirs")
MAIN = "from refurb.entry import main\n\nmain()\n"
# What a probe on the bench needs; the inventory, labels and reports are left out (and the
# scan page's 1 MB WebAssembly barcode reader, the catalogues' sources and their tool: the
# compiled .mo files go in).
LEFT_OUT: tuple[str, ...] = ("store", "labels.py", "qr.py", "reports", "schema.py", "agent.py")
LEFT_OUT += ("barcode-detector", "*.po", "*.pot", "i18n_tools.py")
# the web pages, their static files and TLS need a station with an inventory, not a stick
LEFT_OUT += ("web", "tlscert.py", "scanning.py")


def build(out: Path) -> Path:
    import refurb

    with tempfile.TemporaryDirectory(prefix="refurb-agent-") as tmp:
        root = Path(tmp)
        src = Path(refurb.__file__).parent
        shutil.copytree(
            src, root / "refurb", ignore=shutil.ignore_patterns("__pycache__", "*.pyc", *LEFT_OUT)
        )
        for name in BUNDLED:
            module = __import__(name)
            assert module.__file__ is not None, name
            shutil.copytree(
                Path(module.__file__).parent,
                root / name,
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
            )
        (root / "__main__.py").write_text(MAIN)
        # Byte-code beside each source (the layout zipimport reads), so a laptop running
        # the same Python version skips compiling every module at each start; any other
        # version finds the magic number differs and compiles the source as before.
        compileall.compile_dir(root, quiet=2, legacy=True, optimize=0)
        out.parent.mkdir(parents=True, exist_ok=True)
        zipapp.create_archive(root, out, interpreter="/usr/bin/env python3", compressed=True)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="refurb-agent.pyz", help="where to write the agent")
    args = parser.parse_args(argv)
    path = build(Path(args.out))
    print(f"agent written to {path} ({path.stat().st_size // 1024} KiB)", file=sys.stderr)


if __name__ == "__main__":
    main()
