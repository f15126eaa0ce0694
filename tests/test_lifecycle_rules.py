"""The rulebook on its own: states folded from hand-written steps, every action and
every guard, no database."""

from __future__ import annotations

import pytest

from refurb.lifecycle import rules
from refurb.lifecycle.history import DeviceState, Step, fold

S = Step


def st(seq: int, status: str, participant: str | None = None) -> Step:
    return Step(seq, "status", status=status, participant=participant)


def probed(seq: int, *seen: str, failing: tuple[str, ...] = ()) -> Step:
    return Step(seq, "probed", seen=seen, failing=failing)


def san(seq: int, drive: str, result: str = "pass") -> Step:
    return Step(seq, "sanitized", drive=drive, result=result)


def attested(seq: int, what: str) -> Step:
    return Step(seq, "attest", what=what)


def state(*steps: Step, **facts: object) -> DeviceState:
    return fold("RF-1", steps, **facts)


def intake(*drives: str, failing: tuple[str, ...] = ()) -> list[Step]:
    return [st(1, "received"), probed(2, *drives, failing=failing), st(3, "diagnosed")]


def good(*drives: str) -> list[Step]:
    """Received, probed, each drive purged: ready may follow."""
    steps = intake(*drives)
    steps += [san(4 + i, d) for i, d in enumerate(drives)]
    return steps


def renumber(steps: list[Step]) -> list[Step]:
    from dataclasses import replace

    return [replace(s, seq=i + 1) for i, s in enumerate(steps)]


def rule(decision: rules.Decision) -> str | None:
    return None if decision is None else decision.rule


# --- move ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "new", ["issued", "wiped", "returned", "harvested", "recycled", "received"]
)
def test_move_to_an_own_step_status_is_refused(new: str) -> None:
    d = rules.move(state(*good("D1")), new)
    assert d is not None and d.rule == "own-step"
    assert rules.OWN_STEP[new] in d.reason


def test_move_to_a_non_status_is_refused() -> None:
    assert rule(rules.move(state(*good("D1")), "lost")) == "not-a-status"


@pytest.mark.parametrize(
    ("history", "new"),
    [
        ([st(1, "received"), st(2, "harvested")], "diagnosed"),
        ([st(1, "received"), st(2, "recycled")], "diagnosed"),
        ([st(1, "received")], "ready"),
        ([*good("D1"), st(9, "ready"), st(10, "issued", "P")], "diagnosed"),
    ],
)
def test_illegal_transition_names_the_allowed_moves(history: list[Step], new: str) -> None:
    s = state(*history)
    d = rules.move(s, new)
    assert d is not None and d.rule == "transition"
    allowed = rules.TRANSITIONS[s.status or "received"]
    if allowed:
        assert all(a in d.remedy for a in allowed)
    else:
        assert "none" in d.remedy


@pytest.mark.parametrize("new", ["diagnosed", "repairing"])
def test_plain_moves_need_no_gate(new: str) -> None:
    assert rules.move(state(st(1, "received")), new) is None


READY_CASES = [
    # (id, steps, facts, expected rule)
    ("donor recycle-only", good("D1"), {"recycle_only": True}, "donor-recycle-only"),
    ("never probed", [st(1, "received"), st(2, "diagnosed")], {}, "no-probe"),
    (
        "no probe since return",
        [*good("D1"), st(9, "ready"), st(10, "issued", "P"), st(11, "returned"), san(12, "D1")],
        {},
        "no-probe",
    ),
    (
        "no probe since repair",
        [*good("D1"), st(9, "repairing"), san(10, "D1")],
        {},
        "no-probe",
    ),
    (
        "no probe since part-in",
        [*good("D1"), S(9, "part-in", drive="D2"), san(10, "D1"), san(11, "D2")],
        {},
        "no-probe",
    ),
    ("no drives, no attestation", intake(), {}, "no-storage"),
    ("no drives, no-storage attested", [*intake(), attested(4, "no-storage")], {}, None),
    ("drive without a record", intake("D1"), {}, "unsanitized"),
    ("latest record fails after a pass", [*good("D1"), san(9, "D1", "fail")], {}, "unsanitized"),
    (
        "a record from before the return does not count",
        [*good("D1"), st(9, "ready"), st(10, "issued", "P"), st(11, "returned"), probed(12, "D1")],
        {},
        "unsanitized",
    ),
    (
        "removed drive seen again by a probe",
        [*intake("D1"), san(4, "D1", "removed"), probed(5, "D1")],
        {},
        "unsanitized",
    ),
    (
        "failing drive",
        [*intake("D1", failing=("D1",)), san(4, "D1")],
        {},
        "failing-drive",
    ),
    (
        "failing drive accepted",
        [*intake("D1", failing=("D1",)), san(4, "D1"), attested(5, "drive-accepted")],
        {},
        None,
    ),
    ("removed drive, no drives left", [*intake("D1"), san(4, "D1", "removed")], {}, "no-storage"),
    (
        "destroyed drive, the other passed",
        [*good("D1", "D2")[:-1], san(9, "D2", "destroy")],
        {},
        None,
    ),
    ("all good", good("D1", "D2"), {}, None),
]


@pytest.mark.parametrize(
    ("steps", "facts", "expected"), [c[1:] for c in READY_CASES], ids=[c[0] for c in READY_CASES]
)
def test_move_to_ready(steps: list[Step], facts: dict[str, object], expected: str | None) -> None:
    s = state(*renumber(steps), **facts)
    assert rule(rules.move(s, "ready")) == expected
    # issue asks the same gate from ready (when the device could reach ready at all)
    if expected is None:
        s.status = "ready"
        assert rules.issue(s, "P") is None


def test_unsanitized_names_each_drive_by_its_label() -> None:
    s = state(*intake("D1", "D2"), san(4, "D2", "fail"), labels={"D1": "sda TEST SSD"})
    d = rules.move(s, "ready")
    assert d is not None and d.rule == "unsanitized"
    assert "sda TEST SSD (no record)" in d.reason and "D2 (latest verification failed)" in d.reason


# --- issue, return ---------------------------------------------------------------


def ready(*drives: str) -> list[Step]:
    return [*good(*drives), st(20, "ready")]


@pytest.mark.parametrize("participant", [None, ""])
def test_issue_needs_a_participant(participant: str | None) -> None:
    assert rule(rules.issue(state(*ready("D1")), participant)) == "no-participant"


@pytest.mark.parametrize(
    ("steps", "facts", "expected"),
    [
        (good("D1"), {}, "transition"),  # diagnosed, not ready
        ([st(1, "received")], {}, "transition"),
        ([*ready("D1"), st(21, "issued", "P")], {}, "transition"),
        (ready("D1"), {"recycle_only": True}, "donor-recycle-only"),
        ([*ready("D1"), san(21, "D1", "fail")], {}, "unsanitized"),
        ([*ready("D1"), probed(21, "D1", "D2")], {}, "unsanitized"),
        (ready("D1"), {}, None),
    ],
)
def test_issue(steps: list[Step], facts: dict[str, object], expected: str | None) -> None:
    assert rule(rules.issue(state(*steps, **facts), "P")) == expected


def test_issue_records_the_participant_and_return_clears_it() -> None:
    s = state(*ready("D1"), st(21, "issued", "P-7"))
    assert s.participant == "P-7"
    assert rules.return_(s) is None
    s2 = state(*ready("D1"), st(21, "issued", "P-7"), st(22, "returned"))
    assert s2.participant is None and s2.drives["D1"].latest is None and not s2.probed


@pytest.mark.parametrize("status", ["received", "diagnosed", "ready", "returned", "recycled"])
def test_return_only_from_issued(status: str) -> None:
    s = state(st(1, "received"))
    s.status = status
    assert rule(rules.return_(s)) == "transition"


# --- sanitization records ----------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "expected"),
    [(s, "no-records-here" if s in ("issued", "recycled") else None) for s in rules.STATUSES],
)
def test_record_sanitization(status: str, expected: str | None) -> None:
    s = state(*intake("D1"))
    s.status = status
    assert rule(rules.record_sanitization(s)) == expected


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        (good("D1"), True),
        (good("D1", "D2")[:-1], False),  # D2 has no record
        ([*good("D1"), san(9, "D1", "fail")], False),
        (intake(), False),  # no drive at all
        ([*intake("D1", "D2"), san(4, "D1"), san(5, "D2", "removed")], True),
        ([*good("D1"), st(9, "ready"), st(10, "issued", "P")], False),  # issued: no wiped
        ([*good("D1"), st(9, "harvested")], False),
    ],
)
def test_wiped_now(steps: list[Step], expected: bool) -> None:
    assert rules.wiped_now(state(*steps)) is expected


# --- harvest, fit -------------------------------------------------------------------


def test_harvest_unknown_part_kind() -> None:
    assert rule(rules.harvest_from(state(*good("D1")), "gpu", False, False)) == "part-kind"


@pytest.mark.parametrize(
    ("kind", "kinds", "drive_known", "noted", "expected"),
    [
        ("ram", {"ram"}, False, False, None),
        ("ram", set(), False, False, "part-unknown"),
        ("ram", set(), False, True, None),
        ("battery", {"battery"}, False, False, None),
        ("battery", {"ram"}, False, False, "part-unknown"),
        ("ssd", set(), True, False, None),
        ("hdd", {"ram", "battery"}, False, False, "part-unknown"),
        ("nvme", set(), False, True, None),
        ("screen", set(), False, False, None),  # not a probed part: always known
        ("charger", set(), False, False, None),
        ("keyboard", set(), False, False, None),
        ("other", set(), False, False, None),
    ],
)
def test_harvest_known_and_unknown_parts(
    kind: str, kinds: set[str], drive_known: bool, noted: bool, expected: str | None
) -> None:
    s = state(*intake("D1"), kinds=frozenset(kinds))
    assert rule(rules.harvest_from(s, kind, drive_known, noted)) == expected


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("issued", "harvest-source"),
        ("recycled", "harvest-source"),
        ("received", None),
        ("diagnosed", None),
        ("repairing", None),
        ("wiped", None),
        ("ready", None),
        ("returned", None),
        ("harvested", None),  # a second part from a donor already harvested
    ],
)
def test_harvest_source_status(status: str, expected: str | None) -> None:
    s = state(*intake("D1"))
    s.status = status
    assert rule(rules.harvest_from(s, "screen", False, False)) == expected


def test_harvest_from_a_recycle_only_donor_is_refused_even_with_a_note() -> None:
    s = state(*intake("D1"), recycle_only=True)
    assert rule(rules.harvest_from(s, "screen", False, True)) == "donor-recycle-only"


@pytest.mark.parametrize("status", rules.STATUSES)
def test_fit_into(status: str) -> None:
    s = state(*intake("D1"))
    s.status = status
    expected = (
        None if status in ("received", "diagnosed", "repairing", "returned") else "fit-target"
    )
    assert rule(rules.fit_into(s)) == expected


def test_part_in_starts_a_new_custody() -> None:
    s = state(*good("D1"), S(9, "part-in", drive="D2"))
    assert not s.probed and s.drives["D1"].latest is None and s.drives["D2"].latest is None


def test_part_out_of_a_drive_leaves_it_off_the_gate() -> None:
    s = state(*good("D1", "D2")[:-1], S(9, "part-out", drive="D2"))
    assert rules.move(s, "ready") is None


# --- attest -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("steps", "what", "reason", "expected"),
    [
        (intake(), "drive-is-fine", "why", "attest-what"),
        (intake(), "no-storage", None, "attest-reason"),
        (intake(), "no-storage", "", "attest-reason"),
        (intake(), "no-storage", "opened it, no drive bay", None),
        (intake("D1"), "no-storage", "looked", "attest-drives"),
        ([*intake("D1"), san(4, "D1", "removed")], "no-storage", "drive pulled", None),
        (intake("D1"), "drive-accepted", "fine", "attest-drives"),
        (intake("D1", failing=("D1",)), "drive-accepted", "one bad sector", None),
        ([*ready("D1"), st(21, "issued", "P")], "no-storage", "r", "attest-status"),
        ([st(1, "received"), st(2, "recycled")], "no-storage", "r", "attest-status"),
        ([st(1, "received"), st(2, "harvested")], "no-storage", "r", "attest-status"),
    ],
)
def test_attest(steps: list[Step], what: str, reason: str | None, expected: str | None) -> None:
    assert rule(rules.attest(state(*steps), what, reason)) == expected


def test_a_probe_clears_attestations() -> None:
    s = state(*intake(), attested(4, "no-storage"), probed(5))
    assert not s.no_storage
    assert rule(rules.move(s, "ready")) == "no-storage"
    s = state(*intake("D1", failing=("D1",)), san(4, "D1"), attested(5, "drive-accepted"))
    assert rules.move(s, "ready") is None
    s = state(
        *intake("D1", failing=("D1",)),
        san(4, "D1"),
        attested(5, "drive-accepted"),
        probed(6, "D1", failing=("D1",)),
    )
    assert rule(rules.move(s, "ready")) == "failing-drive"


# --- check_step, replay, final_problems ---------------------------------------------


def test_replay_reports_a_forged_ready_without_a_wipe() -> None:
    steps = [(s, True) for s in intake("D1")] + [(st(4, "ready"), True)]
    found = rules.replay(DeviceState(tag="RF-1"), steps)
    assert [(s.seq, r.rule) for s, r in found] == [(4, "unsanitized")]


def test_replay_reports_a_forged_issue_and_wiped() -> None:
    steps = [(s, True) for s in intake("D1")]
    steps += [(st(4, "wiped"), True), (st(5, "issued", None), True)]
    found = rules.replay(DeviceState(tag="RF-1"), steps)
    assert [(s.seq, r.rule) for s, r in found] == [(4, "unsanitized"), (5, "no-participant")]


def test_replay_an_honest_history_reports_nothing() -> None:
    steps = [(s, True) for s in good("D1")]
    steps += [(st(9, "wiped"), True), (st(10, "ready"), True), (st(11, "issued", "P"), True)]
    steps += [(st(12, "returned"), True), (probed(13, "D1"), True), (st(14, "diagnosed"), True)]
    s = DeviceState(tag="RF-1")
    assert rules.replay(s, steps) == []
    assert s.status == "diagnosed" and rules.final_problems(s) == []


def test_replay_folds_legacy_steps_without_judging_them() -> None:
    steps = [(st(1, "received"), False), (st(2, "ready"), False), (st(3, "issued", "P"), False)]
    s = DeviceState(tag="RF-1")
    assert rules.replay(s, steps) == []
    assert s.status == "issued" and s.participant == "P"
    # but where it stands now is still judged
    assert [p.rule for p in rules.final_problems(s)] == ["no-storage"]


@pytest.mark.parametrize(
    ("before", "step", "expected"),
    [
        ([], st(1, "received"), None),
        ([st(1, "received")], st(2, "received"), "transition"),
        ([], st(1, "diagnosed"), "no-intake"),
        (intake("D1"), st(4, "wiped"), "unsanitized"),
        # the writer (wiped_now) never makes a device with no drive wiped, so a recorded
        # "wiped" on one is forged and must be reported like a forged ready
        pytest.param(intake(), st(4, "wiped"), "no-storage", id="wiped-with-no-drive"),
        (good("D1"), st(9, "wiped"), None),
        (good("D1"), st(9, "harvested"), None),
        (good("D1"), st(9, "issued", "P"), "transition"),
        (good("D1"), probed(9, "D1"), None),  # not a status step
    ],
)
def test_check_step(before: list[Step], step: Step, expected: str | None) -> None:
    assert rule(rules.check_step(state(*before), step)) == expected


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        ([*good("D1"), st(20, "ready")], []),
        ([*intake("D1"), st(20, "ready")], ["unsanitized"]),
        ([*intake(), st(20, "ready")], ["no-storage"]),
        ([*good("D1"), st(20, "ready"), st(21, "issued", None)], ["no-participant"]),
        ([*intake("D1"), st(20, "ready"), st(21, "issued")], ["unsanitized", "no-participant"]),
        (intake("D1"), []),  # diagnosed: no gate
        ([*good("D1"), st(20, "ready"), st(21, "issued", "P"), st(22, "returned")], []),
    ],
)
def test_final_problems(steps: list[Step], expected: list[str]) -> None:
    assert [p.rule for p in rules.final_problems(state(*steps))] == expected


@pytest.mark.parametrize("status", [None, *rules.STATUSES])
def test_a_probe_is_refused_only_for_a_device_out_of_the_shop(status: str | None) -> None:
    decision = rules.probe_of("RF-0000000", status)
    if status in ("issued", "recycled"):
        assert decision is not None and decision.rule == "probe-out"
        assert "RF-0000000" in decision.reason and decision.remedy
    else:
        assert decision is None
