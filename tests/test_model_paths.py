"""A refused snapshot names the exact field at fault, at every depth: the path is put
together only on the way out of a refusal (refurb.model's converters), so these pin it."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from refurb.errors import BadInput
from refurb.model import snapshot_from_dict
from tests.store_helpers import laptop

BASE = laptop(serial="PATH0001").to_dict()
# two memory modules, so that a path names the second
BASE["memory"]["modules"] = [{"locator": "DIMM A", "size_bytes": 4 << 30}, {"locator": "DIMM B"}]


def _with(path: list[Any], value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(BASE)
    at = doc
    for step in path[:-1]:
        at = at[step]
    if value is KeyError:
        del at[path[-1]]
    else:
        at[path[-1]] = value
    return doc


RANGE = "(a number from 0 to 9223372036854775807)"


@pytest.mark.parametrize(
    "path, value, said",
    [
        (["snapshot_id"], 5, "x.json.snapshot_id: expected text, found a number"),
        (["cpu", "cores"], "4", "x.json.cpu.cores: expected a whole number, found text"),
        (["cpu", "max_mhz"], "fast", "x.json.cpu.max_mhz: expected a number, found text"),
        # too large for a float: said so, not "expected a number, found a number"
        (["cpu", "max_mhz"], 10**400,
         f"x.json.cpu.max_mhz: {'1' + '0' * 19}... is out of range {RANGE}"),
        (["cpu", "max_mhz"], float("nan"), f"x.json.cpu.max_mhz: nan is out of range {RANGE}"),
        (["cpu", "cores"], -3, f"x.json.cpu.cores: -3 is out of range {RANGE}"),
        (["memory", "total_bytes"], 2**63,
         f"x.json.memory.total_bytes: {2**63} is out of range {RANGE}"),
        (["cpu", "is_64bit"], 1, "x.json.cpu.is_64bit: expected true/false, found a number"),
        (["cpu", "can_run"], "x", "x.json.cpu.can_run: expected a list, found text"),
        (["cpu", "can_run", 0], 3, "x.json.cpu.can_run[0]: expected text, found a number"),
        (["disks", 0, "smart", "passed"], "yes",
         "x.json.disks[0].smart.passed: expected true/false, found text"),
        (["disks", 0, "name"], KeyError, "x.json.disks[0]: the required field 'name' is missing"),
        (["disks", 0, "smart"], [], "x.json.disks[0].smart: expected an object, found a list"),
        (["memory", "modules", 1, "size_bytes"], True,
         "x.json.memory.modules[1].size_bytes: expected a whole number, found true/false"),
        (["raw"], None, "x.json.raw: expected an object, found null"),
        (["os"], KeyError, "x.json: the required field 'os' is missing"),
    ],
)  # fmt: skip
def test_a_refused_value_is_named_by_its_full_path(path: list[Any], value: Any, said: str) -> None:
    doc = _with(path, value)
    with pytest.raises(BadInput) as caught:
        snapshot_from_dict(doc, "x.json")
    assert caught.value.message == said


def test_a_good_snapshot_reads_back_as_it_was_written() -> None:
    snap = snapshot_from_dict(copy.deepcopy(BASE), "x.json")
    assert snap.memory.modules[1].locator == "DIMM B"
    assert snap.to_dict()["memory"]["modules"][0]["size_bytes"] == 4 << 30
    assert {k: v for k, v in snap.to_dict().items() if k != "memory"} == {
        k: v for k, v in BASE.items() if k != "memory"
    }
