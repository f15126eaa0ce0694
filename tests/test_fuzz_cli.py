"""Every command's arguments, fuzzed through ``refurb.cli.main(argv)`` (issue #16).

For each command and subcommand in refurb.cli.COMMANDS, hypothesis builds argument
lists from the command's own click parameters: text with control, format and
right-to-left characters for text, huge, negative, infinite and non-numeric values for
numbers, impossible dates, every choice and some that are not, files that exist, do
not, are folders, garbage or bundles. Each run ends with an exit code documented in
refurb/errors.py (or click's 2 for usage), never with a traceback.

What the fuzz leaves out, because it would touch this machine rather than refurb's
inputs: the live probe (commands that probe get --replay of a copied capture or a
snapshot file), `check`'s hardware tests (--cpu-burn, --memory-test, --disk-read,
--smart-test) and `label --print/--printer`; --db is always the test's SQLite file.
Text never holds NUL, which no real command line can carry.

REFURB_FUZZ_EXAMPLES=N runs N examples per command (default 40).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from refurb.cli import COMMANDS, cli, main
from tests.store_helpers import laptop

EXAMPLES = int(os.environ.get("REFURB_FUZZ_EXAMPLES", "40"))
DOCUMENTED = {0, 1, 2, 3, 4, 5, 6, 7, 10, 11, 12, 130}  # refurb/errors.py, click's 2
KEY = "a program key of some length"
T480 = Path(__file__).parent / "captures" / "own-linux-lenovo-t480-handmade"
LEFT_OUT = {
    ("check", "cpu_burn"),
    ("check", "memory_test"),
    ("check", "disk_read"),
    ("check", "smart_test"),
    ("label", "to_printer"),
    ("label", "printer"),
}
PROBING = {"probe", "assess", "intake", "check"}
# runs until it is stopped: a valid call would serve forever (its options and errors are
# tested in tests/test_web_access.py)
LONG_RUNNING = {"serve"}
CASES = {"run": 0}


def _commands() -> Iterator[tuple[tuple[str, ...], click.Command]]:
    ctx = click.Context(cli)

    def walk(path: tuple[str, ...], cmd: click.Command) -> Iterator[Any]:
        if isinstance(cmd, click.Group):
            for name, sub in sorted(cmd.commands.items()):
                yield from walk((*path, name), sub)
        else:
            yield path, cmd

    for name in sorted(set(COMMANDS) - LONG_RUNNING):
        cmd = cli.get_command(ctx, name)
        assert cmd is not None
        yield from walk((name,), cmd)


ALL = list(_commands())

# text as a trainee, a scanner or an attacker types it (no NUL: argv cannot hold one;
# lone surrogates: what Python makes of a command line that is not UTF-8)
hostile_chars = st.characters(
    blacklist_categories=("Cs",), blacklist_characters="\x00"
) | st.sampled_from(["\x1b", "\x07", "\u200b", "\u202e", "\ufeff", "%", "_", "\\", "\udcff"])
texts = st.text(hostile_chars, max_size=24)
numbers_int = st.integers(-(10**20), 10**20).map(str) | st.sampled_from(
    ["0", "-1", "1", "99999", "", "abc", "1e3", "0x10"]
)
numbers_float = st.floats(allow_nan=True, allow_infinity=True).map(repr) | st.sampled_from(
    ["inf", "-inf", "nan", "1e308", "0", "-0", "100000", "", "1,5"]
)
dates = st.dates().map(lambda d: d.strftime("%Y-%m-%d")) | st.sampled_from(
    ["0001-01-01", "9999-12-31", "2026-02-30", "2026-11-02", "", "today", "2026-11-02T10:00:00"]
)


class Place:
    """The temp folder's files the path arguments pick from, and the seeded tags."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.db = root / "fuzz.db"
        self.snapshot = root / "snap.json"
        self.capture = root / "capture"
        self.tags: list[str] = []

    def paths(self) -> list[str]:
        r = self.root
        return [
            str(self.snapshot),
            str(self.capture),
            str(r / "garbage.json"),
            str(r / "bundle.refurb"),
            str(r / "new-file.pdf"),
            str(r / "out" / "deeper" / "x.json"),
            str(r),
            str(r / "missing"),
            "",
            " ",
            str(self.db),
            str(r / "caf\udce9.json"),  # a file name that is not UTF-8
        ]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Place]:
    """A program with a lot, a participant and two devices, and files to point at."""
    root = tmp_path_factory.mktemp("fuzz-seed")
    place = Place(root)
    shutil.copytree(T480, place.capture)
    place.snapshot.write_text(json.dumps(laptop(serial="FUZZ0001").to_dict()))
    (root / "garbage.json").write_bytes(b"\x00\xff{not json")
    old = {k: os.environ.get(k) for k in ("REFURB_DATA_DIR", "REFURB_CONFIG")}
    os.environ["REFURB_DATA_DIR"] = str(root / "data")
    os.environ["REFURB_CONFIG"] = str(root / "config.toml")
    os.environ["REFURB_PROGRAM_KEY"] = KEY
    try:
        db = ["--db", str(place.db)]
        for argv in (
            ["lot", "add", "L-1", "--donor", "D", "--date", "2026-11-02", *db],
            ["participant", "add", "P-1", *db],
            ["intake", str(place.snapshot), "--lot", "L-1", *db],
            ["intake", "--replay", str(place.capture), *db],
            ["export", "--out", str(root / "bundle.refurb"), *db],
        ):
            _run(argv)
        _, out = _run(["list", "--json", *db])
        place.tags = [r["tag"] for r in json.loads(out)]
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        os.environ.pop("REFURB_PROGRAM_KEY", None)
    yield place


def _run(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    real = sys.stdout
    sys.stdout = out
    try:
        main(argv)
    except SystemExit as exc:
        assert exc.code in (0, None), (argv, exc.code)
    finally:
        sys.stdout = real
    return 0, out.getvalue()


def _values(command: str, param: click.Parameter, place: Place) -> st.SearchStrategy[str] | None:
    t = param.type
    name = param.name or ""
    if name in ("tag", "tags", "into"):
        return st.sampled_from([*place.tags, "RF-AAAAAA", "", "rf-" + place.tags[0][3:]]) | texts
    if name in ("lot", "lot_code", "participant", "code"):
        return st.sampled_from(["L-1", "P-1", "", "Ｌ-1", "P-1\u200b"]) | texts
    if isinstance(t, click.Choice):
        return st.sampled_from([str(c) for c in t.choices]) | texts
    if isinstance(t, click.Path | click.File):
        return st.sampled_from(place.paths())
    if isinstance(t, click.types.IntParamType):
        return numbers_int
    if isinstance(t, click.types.FloatParamType):
        return numbers_float
    if isinstance(t, click.DateTime):
        return dates
    if name in ("month", "quarter"):
        return st.sampled_from(["2026-11", "0000-01", "9999-12", "2026-Q4", "9999-Q4"]) | texts
    return texts


def _argv(path: tuple[str, ...], cmd: click.Command, place: Place) -> st.SearchStrategy[list[str]]:
    parts: list[st.SearchStrategy[list[str]]] = []
    for p in cmd.params:
        if p.name in ("db_url", None) or (path[0], p.name) in LEFT_OUT:
            continue
        if isinstance(p, click.Option) and p.is_flag:
            parts.append(st.sampled_from([[], [p.opts[0]]]))
            continue
        values = _values(path[0], p, place)
        assert values is not None
        if isinstance(p, click.Argument):
            n = p.nargs
            parts.append(
                st.lists(values, min_size=0, max_size=3)
                if n == -1
                else st.lists(values, min_size=n if p.required else 0, max_size=n)
            )
        elif p.multiple:
            parts.append(
                st.lists(values, max_size=2).map(
                    lambda vs, o=p.opts[0]: [x for v in vs for x in (o, v)]
                )
            )
        else:
            parts.append(st.one_of(st.just([]), values.map(lambda v, o=p.opts[0]: [o, v])))
    if path[0] in PROBING:  # never the live probe: a capture, unless a snapshot is given
        parts.append(st.just(["--replay", str(place.capture)]))
    return st.tuples(*parts).flatmap(
        lambda chunks: st.permutations(list(chunks)).map(
            lambda order: [*path, *(x for chunk in order for x in chunk), "--db", str(place.db)]
        )
    )


@pytest.mark.parametrize("path", [p for p, _ in ALL], ids=[" ".join(p) for p, _ in ALL])
def test_no_command_ends_in_a_traceback(
    path: tuple[str, ...],
    seeded: Place,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cmd = dict(ALL)[path]
    place = Place(tmp_path)
    shutil.copytree(seeded.root, tmp_path, dirs_exist_ok=True)
    place.tags = seeded.tags
    monkeypatch.chdir(tmp_path)  # relative paths (" ", label's labels.pdf) land here
    monkeypatch.setenv("REFURB_PROGRAM_KEY", KEY)
    monkeypatch.setenv("REFURB_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("REFURB_CONFIG", str(tmp_path / "config.toml"))

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(argv=_argv(path, cmd, place), stdin=st.lists(texts, max_size=4))
    def run(argv: list[str], stdin: list[str]) -> None:
        CASES["run"] += 1
        monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(stdin)))
        try:
            main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 0
        else:  # main() always exits
            raise AssertionError(f"main returned without exiting: {argv!r}")
        _, err = capsys.readouterr()
        assert code in DOCUMENTED, (argv, code, err[-2000:])
        assert "Traceback" not in err, (argv, err[-2000:])

    run()


def test_report_the_number_of_cases(capsys: pytest.CaptureFixture[str]) -> None:
    """Runs last in this file: how many argument lists the fuzz tried (for
    docs/reliability.md)."""
    with capsys.disabled():
        print(f"\nfuzzed command lines: {CASES['run']}")
