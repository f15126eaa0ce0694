"""Docs are part of the change: the command reference, the snapshot schema and the
README's two set-up commands are checked against the code."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
import pytest

from refurb.cli import COMMANDS, cli
from tests.conftest import capture_dirs

ROOT = Path(__file__).parent.parent


def test_cli_reference_is_current() -> None:
    from refurb.cli.reference import render

    assert (ROOT / "docs" / "cli.md").read_text() == render(), (
        "docs/cli.md is stale: run python -m refurb.cli.reference > docs/cli.md"
    )


def test_every_command_has_help() -> None:
    ctx = click.Context(cli)
    for name in COMMANDS:
        cmd = cli.get_command(ctx, name)
        assert cmd is not None and cmd.help and len(cmd.help) > 20, name
        for param in cmd.params:
            if isinstance(param, click.Option):
                assert param.help, f"{name} {param.opts}"


def test_snapshot_schema_is_current_and_every_capture_validates() -> None:
    jsonschema = pytest.importorskip("jsonschema", reason="pip install -e '.[test]'")
    from refurb.probe import collect
    from refurb.probe.source import CaptureSource
    from refurb.schema import snapshot_schema

    schema = json.loads((ROOT / "docs" / "snapshot.schema.json").read_text())
    assert schema == snapshot_schema(), "run python -m refurb.schema > docs/snapshot.schema.json"
    for capture in capture_dirs():
        jsonschema.validate(collect(CaptureSource(capture)).to_dict(), schema)


def _set_up_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```sh\n(.*?)```", readme, re.S)
    return [line for line in blocks[0].splitlines() if line and not line.startswith("#")]


def test_readme_set_up_commands_are_the_ones_ci_runs() -> None:
    install, test_command = _set_up_commands()
    # In a virtual environment (PEP 668), then the command from inside it.
    assert install == "python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/refurb intake"
    assert test_command.startswith("python3 -m venv .venv && .venv/bin/pip install -e '.[test]'")
    assert "python3 -m pip" not in " ".join((install, test_command)), "PEP 668: use the venv"
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert ci[-1] == test_command, "CI must end by running the README's test command exactly"
    assert "python3-venv" in "\n".join(ci), "CI installs python3-venv where it is missing"


def test_readme_says_what_windows_users_type() -> None:
    readme = (ROOT / "README.md").read_text()
    install = _set_up_commands()[0]
    windows = install.replace("python3 -m venv", "py -m venv").replace(
        ".venv/bin/", ".venv\\Scripts\\"
    )
    for part in windows.split(" && "):
        assert part in readme, part
    assert ".venv\\Scripts\\python -m pytest" in readme
    assert "python3-venv" in readme


@pytest.mark.parametrize(
    "doc", ["guide.md", "design.md", "snapshot.md", "captures.md", "benchmarks.md"]
)
def test_docs_named_in_the_readme_exist(doc: str) -> None:
    assert (ROOT / "docs" / doc).stat().st_size > 500
