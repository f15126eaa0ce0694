"""refurb.record: the model's records behave as the dataclasses they replaced."""

from __future__ import annotations

import pickle

import pytest

from refurb.model import Cpu, Disk, Gap, OsInfo, Smart, Snapshot
from refurb.record import Record, field, fields, replace, to_dict


def test_an_init_from_the_annotations_with_defaults_and_factories() -> None:
    gap = Gap("cpu", None, "needs root")
    assert (gap.part, gap.field, gap.reason, gap.detail) == ("cpu", None, "needs root", "")
    assert Disk(name="sda", kind="ssd").kind == "ssd"
    a, b = Cpu(), Cpu()
    a.can_run.append("Windows 11")
    assert b.can_run == []  # each record its own list
    snap = Snapshot("id", "2026-12-04T00:00:00Z", "1", OsInfo("linux"))
    assert snap.cpu == Cpu() and snap.cpu is not Snapshot("i", "t", "v", OsInfo("x")).cpu
    with pytest.raises(TypeError):
        Disk()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Disk(name="sda", size=3)  # type: ignore[call-arg]


def test_equality_repr_replace_pickle() -> None:
    disk = Disk("sda", model="X", smart=Smart(passed=True))
    assert disk == Disk("sda", model="X", smart=Smart(passed=True))
    assert disk != Disk("sda", model="Y", smart=Smart(passed=True))
    assert disk != ("sda",)
    assert repr(Gap("a", "b", "c")) == "Gap(part='a', field='b', reason='c', detail='')"
    changed = replace(disk, model="Y")
    assert changed.model == "Y" and disk.model == "X" and changed.smart is disk.smart
    with pytest.raises(TypeError, match="no field 'modle'"):
        replace(disk, modle="Y")
    assert pickle.loads(pickle.dumps(disk)) == disk
    with pytest.raises(TypeError):
        hash(disk)  # mutable, as a dataclass with eq


def test_to_dict_shares_nothing_with_the_record() -> None:
    snap = Snapshot("id", "t", "v", OsInfo("linux"), raw={"files": {"a": ["x"]}})
    snap.disks.append(Disk("sda", smart=Smart(exit_status_bits=["bit 2"])))
    doc = to_dict(snap)
    assert doc["disks"][0]["smart"]["exit_status_bits"] == ["bit 2"]
    assert list(doc) == list(fields(Snapshot))
    doc["raw"]["files"]["a"].append("y")
    doc["disks"][0]["smart"]["exit_status_bits"].clear()
    assert snap.raw == {"files": {"a": ["x"]}}
    assert snap.disks[0].smart is not None and snap.disks[0].smart.exit_status_bits == ["bit 2"]


def test_a_record_class_is_checked_where_it_is_written() -> None:
    class Pair(Record):
        left: int
        right: list[int] = field(default_factory=list)

    assert fields(Pair) == ("left", "right") and Pair(1).right == []
    with pytest.raises(TypeError, match=r"Bad\.second"):  # no default after a default

        class Bad(Record):
            first: int = 0
            second: int
