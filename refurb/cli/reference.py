"""The command reference (docs/cli.md), generated from the commands' own --help.

Regenerate with ``python -m refurb.cli.reference > docs/cli.md``; a test fails when the
file and the commands disagree.
"""

from __future__ import annotations

import click

from refurb.cli import COMMANDS, cli
from refurb.errors import exit_codes_text

HEADER = """# Command reference

Generated from `refurb --help` by `python -m refurb.cli.reference > docs/cli.md`;
the test suite checks that this file matches the commands.

## Exit codes

From `refurb.errors.ExitStatus`, the one source every error takes its code from.

```
{codes}
```
"""


def _help(cmd: click.Command, path: list[str]) -> str:
    # The same help option names as at run time, so the text never depends on whether a
    # command already ran in this process (click caches the help option per command).
    ctx = click.Context(
        cmd,
        info_name=" ".join(path),
        terminal_width=100,
        max_content_width=100,
        help_option_names=["-h", "--help"],
    )
    return cmd.get_help(ctx)


def render() -> str:
    parts = [
        HEADER.format(codes=exit_codes_text()),
        "## refurb\n",
        "```",
        _help(cli, ["refurb"]),
        "```\n",
    ]
    ctx = click.Context(cli)
    for name in sorted(COMMANDS):
        cmd = cli.get_command(ctx, name)
        assert cmd is not None
        parts += [f"## refurb {name}\n", "```", _help(cmd, ["refurb", name]), "```\n"]
        if isinstance(cmd, click.Group):
            for sub in sorted(cmd.commands):
                parts += [
                    f"### refurb {name} {sub}\n",
                    "```",
                    _help(cmd.commands[sub], ["refurb", name, sub]),
                    "```\n",
                ]
    return "\n".join(parts)


if __name__ == "__main__":
    print(render(), end="")
