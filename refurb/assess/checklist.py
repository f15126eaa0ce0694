"""The bench checklist: what software cannot see, asked one question at a time.

Pure data: the items, their questions (English, translated by the catalogue), the repair a failure
calls for, and the R2v3 cosmetic grades with short descriptions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from refurb.errors import BadInput
from refurb.i18n import N_, Phrase


@dataclass(frozen=True)
class Item:
    key: str
    name: str  # English; translated when shown (refurb.i18n)
    question: str
    part: str
    action: str
    key_function: bool  # R2 "key functions": if it fails the device is not F3


ITEMS: list[Item] = [
    Item(
        "screen",
        N_("Screen"),
        N_("Is the screen free of dead pixels, lines and cracks, with an even backlight?"),
        "screen",
        "replace",
        True,
    ),
    Item(
        "keyboard",
        N_("Keyboard"),
        N_("Does every key type (try each row, Shift, Ctrl, Fn and the arrows)?"),
        "keyboard",
        "replace",
        True,
    ),
    Item(
        "touchpad",
        N_("Touchpad"),
        N_("Does the touchpad move the pointer smoothly, and do both clicks work?"),
        "touchpad",
        "replace",
        True,
    ),
    Item(
        "hinges",
        N_("Hinges"),
        N_("Do the hinges hold the screen at any angle without wobbling or cracking?"),
        "hinges",
        "repair",
        False,
    ),
    Item(
        "ports",
        N_("Ports"),
        N_("Do the USB ports, video out and headphone jack work?"),
        "ports",
        "repair",
        False,
    ),
    Item(
        "webcam",
        N_("Webcam"),
        N_("Does the webcam show a clear picture?"),
        "webcam",
        "replace",
        False,
    ),
    Item(
        "audio",
        N_("Speakers and microphone"),
        N_("Do the speakers play and does the microphone record?"),
        "audio",
        "repair",
        False,
    ),
    Item(
        "wifi",
        N_("Wi-Fi"),
        N_("Does Wi-Fi find networks and connect?"),
        "wifi",
        "replace",
        False,
    ),
    Item(
        "charger",
        N_("Charger"),
        N_("Does the charger charge the machine (charging light or status on)?"),
        "charger",
        "replace",
        True,
    ),
]
ITEM_BY_KEY = {item.key: item for item in ITEMS}
ANSWERS = ("pass", "fail", "skip")

# R2v3 Equipment Categorization, cosmetic grades (C1 lowest .. C6 best).
COSMETIC: dict[str, str] = {
    "C6": N_("Excellent: like new, no visible marks."),
    "C5": N_("Very good: light marks seen only up close."),
    "C4": N_("Good: normal wear, scratches or scuffs, nothing broken."),
    "C3": N_("Fair: heavy wear, dents, worn keys or stickers residue."),
    "C2": N_("Poor: cracked or missing pieces of the case."),
    "C1": N_("Damaged: fit for materials recovery only."),
}


@dataclass
class Checklist:
    answers: dict[str, str] = field(default_factory=dict)  # item key -> pass | fail | skip
    cosmetic: str | None = None  # C1..C6
    tests: dict[str, dict[str, Any]] = field(default_factory=dict)  # quick test results
    operator: str | None = None
    notes: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "answers": self.answers,
            "cosmetic": self.cosmetic,
            "tests": self.tests,
            "operator": self.operator,
            "notes": self.notes,
        }


def checklist_from_dict(doc: Any, where: str) -> Checklist:
    if not isinstance(doc, dict):
        raise BadInput(Phrase(N_("{where}: a checklist is a JSON object"), where=where))
    answers = doc.get("answers", {})
    if not isinstance(answers, dict):
        raise BadInput(
            Phrase(
                N_('{where}: \'answers\' must be an object like {{"screen": "pass"}}'), where=where
            )
        )
    for key, value in answers.items():
        if key not in ITEM_BY_KEY:
            raise BadInput(
                Phrase(N_("{where}: unknown checklist item {key!r}"), where=where, key=key),
                Phrase(N_("items are: {items}"), items=", ".join(ITEM_BY_KEY)),
            )
        if value not in ANSWERS:
            raise BadInput(
                Phrase(
                    N_("{where}: answers.{key} is {value!r}; use pass, fail or skip"),
                    where=where,
                    key=key,
                    value=value,
                )
            )
    cosmetic = doc.get("cosmetic")
    if cosmetic is not None and cosmetic not in COSMETIC:
        raise BadInput(
            Phrase(
                N_("{where}: cosmetic grade {cosmetic!r} is not one of C1..C6"),
                where=where,
                cosmetic=cosmetic,
            )
        )
    tests = doc.get("tests", {})
    if not isinstance(tests, dict) or not all(isinstance(v, dict) for v in tests.values()):
        raise BadInput(
            Phrase(N_("{where}: 'tests' must be an object of test results"), where=where)
        )
    for key in ("operator", "notes"):
        if doc.get(key) is not None and not isinstance(doc.get(key), str):
            raise BadInput(Phrase(N_("{where}: {key!r} must be text"), where=where, key=key))
    return Checklist(
        answers=dict(answers),
        cosmetic=cosmetic,
        tests=dict(tests),
        operator=doc.get("operator"),
        notes=doc.get("notes"),
    )
