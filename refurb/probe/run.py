"""Taking a snapshot and writing it as JSON, with no command-line library: shared by
``refurb probe`` and the entry point's fast path (refurb.entry), which a USB stick runs
on every laptop and which must start quickly."""

from __future__ import annotations

from refurb.errors import UsageProblem
from refurb.i18n import N_

TYPE_CHECKING = False  # as typing's, without importing typing on the probe's start-up

if TYPE_CHECKING:
    from refurb.model import Snapshot
    from refurb.probe.source import Source


def make_source(replay: str | None, record: str | None = None, scrub: bool = False) -> Source:
    from refurb.probe.source import CaptureSource, LiveSource, RecordingSource

    if replay and record:
        raise UsageProblem(N_("--replay and --record cannot be used together"))
    if replay:
        return CaptureSource(replay)
    if record:
        return RecordingSource(record, scrub=scrub)
    return LiveSource()


def take_snapshot(
    replay: str | None, smart: bool, record: str | None = None, scrub: bool = False
) -> Snapshot:
    from refurb.probe import collect
    from refurb.probe.source import RecordingSource

    src = make_source(replay, record, scrub)
    snap = collect(src, smart=smart)
    if isinstance(src, RecordingSource):
        src.finish()
    return snap


def snapshot_json(snap: Snapshot) -> str:
    from refurb.untrusted import json_text

    return json_text(snap.to_dict(), indent=2) + "\n"
