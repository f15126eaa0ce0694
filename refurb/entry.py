"""The ``refurb`` command's entry point.

``refurb probe --json`` is what the USB-stick agent runs on every laptop, and what the
bench times against ``import psutil``: it takes its fast path here, without loading the
command-line library (click alone costs as much start-up time as the probe's own
readings). Every other command line, and any probe that goes wrong, goes to
``refurb.cli.main``, the one error boundary, which then says what happened.
"""

from __future__ import annotations

import sys

_FLAGS = {"--json", "--no-smart"}


def _fast_probe(args: list[str]) -> dict[str, object] | None:
    """The options of a plain ``probe --json [--no-smart] [--replay DIR]``; None for any
    other command line (help, other options, a repeated flag)."""
    if args[:1] != ["probe"]:
        return None
    rest, replay = args[1:], None
    if "--replay" in rest:
        at = rest.index("--replay")
        if at + 1 >= len(rest) or rest[at + 1].startswith("-"):
            return None
        replay = rest[at + 1]
        rest = rest[:at] + rest[at + 2 :]
    if "--json" not in rest or not set(rest) <= _FLAGS or len(set(rest)) != len(rest):
        return None
    return {"replay": replay, "smart": "--no-smart" not in rest}


def main() -> None:
    options = _fast_probe(sys.argv[1:])
    if options is not None:
        from refurb.errors import RefurbError

        try:
            from refurb.probe.run import snapshot_json, take_snapshot

            replay = options["replay"]
            snap = take_snapshot(
                replay if isinstance(replay, str) else None, bool(options["smart"])
            )
            text = snapshot_json(snap)
        except RefurbError:
            pass  # the full command runs it again and reports it as every command does
        else:
            from refurb.untrusted import printable_output

            printable_output()
            sys.stdout.write(text)
            sys.stdout.flush()
            return
    from refurb.cli import main as cli_main

    cli_main()
