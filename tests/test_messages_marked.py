"""Every message a person reads from an error goes through the catalogue: a refurb error,
raised or returned, gives its message and hint as ``N_("...")`` (a constant text) or
``Phrase(N_("... {value} ..."), value=...)``, never a bare literal or f-string, which the
extraction would miss and a French reader would get in English."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

import pytest

import refurb

PACKAGE = Path(refurb.__file__).parent
ERRORS = {
    "RefurbError", "BadInput", "DatabaseError", "Conflict", "MissingReference", "NotFound",
    "Refused", "EnvironmentProblem", "UsageProblem",
}  # fmt: skip
MARKS = {"N_", "NC_", "Phrase"}


def _unmarked(node: ast.expr | None) -> bool:
    """A text built in place that the catalogue cannot know."""
    if node is None:
        return False
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and node.value != ""
    if isinstance(node, ast.BinOp):
        return _unmarked(node.left) or _unmarked(node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr in {"format", "join"} and _unmarked(node.func.value)
    if isinstance(node, ast.IfExp):
        return _unmarked(node.body) or _unmarked(node.orelse)
    return False


def unmarked_raises(source: str, where: str) -> list[str]:
    found = []
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name not in ERRORS:
            continue
        texts = list(node.args[:2]) + [
            k.value for k in node.keywords if k.arg in {"message", "hint"}
        ]
        if any(_unmarked(t) for t in texts):
            found.append(f"{where}:{node.lineno}")
    return found


def across_the_package(check: Callable[[str, str], list[str]]) -> list[str]:
    """What ``check(source, where)`` finds in every module of refurb."""
    return [
        hit
        for path in sorted(PACKAGE.rglob("*.py"))
        for hit in check(path.read_text(encoding="utf-8"), str(path.relative_to(PACKAGE.parent)))
    ]


def test_every_error_message_is_marked_for_translation() -> None:
    found = across_the_package(unmarked_raises)
    assert not found, "error messages not marked for the catalogue:\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("source", "unmarked"),
    [
        ('raise BadInput(f"{x} is wrong")', True),
        ('raise NotFound("no such device", hint="run refurb list")', True),
        ('raise BadInput(N_("no such device"), hint=N_("run refurb list"))', False),
        ('raise BadInput(Phrase(N_("{x} is wrong"), x=x))', False),
        ('raise BadInput("a " + name)', True),
        ('raise ValueError(f"{x}")', False),  # not shown to a person through refurb's frame
        ("raise BadInput(message)", False),  # made (and checked) where it was written
        ('return DatabaseError(f"cannot open {where}")', True),  # made here, raised elsewhere
    ],
)
def test_the_check_itself(source: str, unmarked: bool) -> None:
    assert bool(unmarked_raises(source, "example")) is unmarked


# Phrase(N_("..."), values), and the CLI's tell(N_("..."), values), which makes one
PHRASES = {"Phrase", "tell"}


def _phrase_faults(source: str, where: str) -> list[str]:
    """Phrases whose text names a value the call does not give, or gives one the text
    does not use (a KeyError, or a value silently dropped, when shown)."""
    import string

    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) in PHRASES):
            continue
        if not node.args or not isinstance(node.args[0], ast.Call) or not node.args[0].args:
            continue
        text = node.args[0].args[0]
        if not (isinstance(text, ast.Constant) and isinstance(text.value, str)):
            continue
        if any(k.arg is None for k in node.keywords):
            continue  # **values: checked where they are made
        given = {k.arg for k in node.keywords if k.arg and k.arg != "err"}
        if getattr(node.func, "id", None) == "tell" and not given:
            continue  # a constant line
        named = {
            f.split(".")[0].split("[")[0]
            for _, f, _, _ in string.Formatter().parse(text.value)
            if f
        }
        if named != given:
            found.append(f"{where}:{node.lineno} names {sorted(named)}, gives {sorted(given)}")
    return found


def test_every_phrase_gives_the_values_its_text_names() -> None:
    found = across_the_package(_phrase_faults)
    assert not found, "\n".join(found)


def test_the_phrase_check_itself() -> None:
    assert _phrase_faults('Phrase(N_("{a} and {b}"), a=1)', "x") == [
        "x:1 names ['a', 'b'], gives ['a']"
    ]
    assert _phrase_faults('tell(N_("{a}"), b=1, err=True)', "x") == ["x:1 names ['a'], gives ['b']"]
    assert _phrase_faults('Phrase(N_("{a:,} of {b!r}"), a=1, b=2)', "x") == []
