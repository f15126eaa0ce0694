"""The command line's conventions: one exit-code enumeration that the docs list, JSON
errors with --json, --json on every command that changes something, "did you mean",
documented shell completion, help that points to nothing a wheel lacks, and docs whose
examples are true (a valid tag, the agent's real size)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest

from refurb import errors
from refurb.cli import COMMANDS, cli
from refurb.errors import ExitStatus, RefurbError
from tests.test_probe_live_and_bad_input import run_cli

ROOT = Path(__file__).parent.parent

# Every command that changes something (the inventory or a file it writes). `check`
# prints its checklist as JSON already; `scan` is an interactive loop.
CHANGING = [
    "intake",
    "import",
    "status",
    "wipe",
    "issue",
    "return",
    "harvest",
    "recycle",
    "attest",
    "lot add",
    "participant add",
    "export",
    "label",
    "db upgrade",
    "db backup",
    "db restore",
]


def _command(path: str) -> click.Command:
    ctx = click.Context(cli)
    words = path.split()
    cmd = cli.get_command(ctx, words[0])
    assert cmd is not None
    for word in words[1:]:
        assert isinstance(cmd, click.Group)
        cmd = cmd.commands[word]
    return cmd


def test_exit_codes_have_one_source_and_the_docs_list_it() -> None:
    classes = [RefurbError, *RefurbError.__subclasses__()]
    classes += [c for k in list(classes) for c in k.__subclasses__()]
    for cls in classes:
        assert cls.exit_code in set(ExitStatus), cls
        assert isinstance(cls.exit_code, ExitStatus), f"{cls.__name__}: use ExitStatus"
    cli_md = (ROOT / "docs" / "cli.md").read_text()
    for status in ExitStatus:
        assert f"{int(status):>3}  {status.meaning}" in cli_md, status
    assert errors.UsageProblem.exit_code == 2 == click.UsageError.exit_code
    # No bare numbers for exit codes in the commands.
    for path in (ROOT / "refurb" / "cli").glob("*.py"):
        text = path.read_text()
        assert not re.search(r"sys\.exit\(\d", text), path
        assert not re.search(r"return [1-9]\d*\s*$", text, re.M), path


@pytest.mark.parametrize("path", CHANGING)
def test_every_changing_command_accepts_json(path: str) -> None:
    names = {o for p in _command(path).params for o in getattr(p, "opts", [])}
    assert "--json" in names, path


def test_errors_are_json_with_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = ["--db", str(tmp_path / "x.db")]
    args = ["lot", "add", "L1", "--donor", "D", "--date", "2026-01-01", *db]
    assert run_cli(args, capsys)[0] == 0
    cases = [
        (["show", "RF-7K2Q9W", "--json", *db], 5),  # not found
        (["status", "RF-7K2Q9W", "ready", "--json", *db], 5),
        (["wipe", "RF-7K2Q9W", "--level", "purge", "--method", "overwrite", "--json", *db], 2),
        (["show", "--json", *db], 2),  # click's own usage error
        (["list", "--json", "--db", str(tmp_path / "none.db")], 4),
        (["lot", "add", "L1", "--donor", "D", "--date", "2026-01-01", "--json", *db], 6),
    ]
    for argv, want in cases:
        code, out, err = run_cli(argv, capsys)
        assert code == want, (argv, err)
        doc = json.loads(err)
        assert set(doc) == {"error", "hint", "exit"} and doc["exit"] == want, argv
        assert doc["error"] and out == ""
    code, _, err = run_cli(["show", "RF-7K2Q9W", *db], capsys)
    assert code == 5 and err.startswith("error: ")


def test_a_mistyped_command_gets_did_you_mean(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["lst"], capsys)
    assert code == 2 and "Did you mean 'list'" in err
    code, _, err = run_cli(["certifcate"], capsys)
    assert code == 2 and "Did you mean 'certificate'" in err
    code, _, err = run_cli(["zzzz"], capsys)
    assert code == 2 and "No such command 'zzzz'" in err and "Did you mean" not in err


def test_shell_completion_works_as_documented() -> None:
    guide = (ROOT / "docs" / "guide.md").read_text()
    assert 'eval "$(_REFURB_COMPLETE=bash_source refurb)"' in guide
    env = {**os.environ, "PYTHONPATH": str(ROOT), "_REFURB_COMPLETE": "bash_source"}
    script = subprocess.run(
        [sys.executable, "-m", "refurb"], capture_output=True, text=True, env=env
    )
    assert "_refurb_completion()" in script.stdout
    env |= {"_REFURB_COMPLETE": "bash_complete", "COMP_WORDS": "refurb lis", "COMP_CWORD": "1"}
    done = subprocess.run([sys.executable, "-m", "refurb"], capture_output=True, text=True, env=env)
    assert "plain,list" in done.stdout.splitlines()


def test_help_points_to_nothing_a_wheel_lacks(capsys: pytest.CaptureFixture[str]) -> None:
    ctx = click.Context(cli)
    for name in COMMANDS:
        cmd = cli.get_command(ctx, name)
        assert cmd is not None and "docs/" not in (cmd.help or ""), name
    code, out, _ = run_cli(["report", "--definitions"], capsys)
    assert code == 0 and out == (ROOT / "docs" / "reports.md").read_text()
    # shipped in the wheel as the refurb_docs package
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'refurb_docs = "docs"' in pyproject and 'refurb_docs = ["*.md"' in pyproject


def test_the_example_tags_in_the_docs_are_valid() -> None:
    from refurb.tags import is_well_formed

    for doc in ("README.md", "docs/guide.md"):
        tags = re.findall(r"\b[A-Z0-9]{1,3}-[0-9A-Z]{6}\b", (ROOT / doc).read_text())
        tags = [t for t in tags if not t.startswith(("DON-", "FY-"))]
        assert tags or doc != "README.md"
        for tag in tags:
            assert is_well_formed(tag), f"{doc}: {tag} has a wrong check character"


def test_the_guide_says_the_agents_real_size(tmp_path: Path) -> None:
    from refurb.agent import build

    said = re.search(r"about (\d+) KiB", (ROOT / "docs" / "guide.md").read_text())
    assert said, "the guide gives the agent's size"
    size = build(tmp_path / "agent.pyz").stat().st_size / 1024
    assert abs(size - int(said[1])) / size < 0.25, f"the agent is {size:.0f} KiB"
