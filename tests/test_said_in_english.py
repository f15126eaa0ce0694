"""A finding's reason in English is the phrase's own text (refurb.assess.messages.say
skips rendering it a second time): the same words as rendering it would give, for every
finding the rules make from the recorded captures."""

from __future__ import annotations

from pathlib import Path

from refurb.assess import default_policy, evaluate
from refurb.assess.messages import CATALOG
from refurb.i18n import Phrase, gettext_for
from refurb.probe import collect
from refurb.probe.source import CaptureSource

CAPTURES = sorted(p.parent for p in (Path(__file__).parent / "captures").glob("*/meta.json"))


def test_english_reasons_read_as_a_rendering_would_give_them() -> None:
    english, french, seen = gettext_for("en"), gettext_for("fr"), set()
    for capture in CAPTURES:
        for lang in ("en", "fr"):
            verdict = evaluate(collect(CaptureSource(str(capture))), None, default_policy(), lang)
            for finding in verdict.findings:
                key, params = finding.reason.key, finding.reason.params  # type: ignore[attr-defined]
                phrase = Phrase(CATALOG[key], **params)
                said = phrase.render(english if lang == "en" else french)
                assert finding.reason == said, (capture.name, key)
                seen.add(key)
    assert len(seen) >= 15  # the captures reach most of the rules' messages
