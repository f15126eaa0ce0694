"""The bench checklist: what software cannot see, asked one question at a time.

Pure data: the items, their questions in English and French, the repair a failure
calls for, and the R2v3 cosmetic grades with short descriptions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from refurb.errors import BadInput


@dataclass(frozen=True)
class Item:
    key: str
    name: tuple[str, str]  # en, fr
    question: tuple[str, str]
    part: str
    action: str
    key_function: bool  # R2 "key functions": if it fails the device is not F3


ITEMS: list[Item] = [
    Item(
        "screen",
        ("Screen", "Écran"),
        (
            "Is the screen free of dead pixels, lines and cracks, with an even backlight?",
            "L'écran est-il sans pixels morts, lignes ni fissures, avec un rétroéclairage égal ?",
        ),
        "screen",
        "replace",
        True,
    ),
    Item(
        "keyboard",
        ("Keyboard", "Clavier"),
        (
            "Does every key type (try each row, Shift, Ctrl, Fn and the arrows)?",
            "Chaque touche fonctionne-t-elle (chaque rangée, Maj, Ctrl, Fn et les flèches) ?",
        ),
        "keyboard",
        "replace",
        True,
    ),
    Item(
        "touchpad",
        ("Touchpad", "Pavé tactile"),
        (
            "Does the touchpad move the pointer smoothly, and do both clicks work?",
            "Le pavé tactile déplace-t-il bien le pointeur, et les deux clics marchent-ils ?",
        ),
        "touchpad",
        "replace",
        True,
    ),
    Item(
        "hinges",
        ("Hinges", "Charnières"),
        (
            "Do the hinges hold the screen at any angle without wobbling or cracking?",
            "Les charnières tiennent-elles l'écran à tout angle, sans jeu ni fissure ?",
        ),
        "hinges",
        "repair",
        False,
    ),
    Item(
        "ports",
        ("Ports", "Ports"),
        (
            "Do the USB ports, video out and headphone jack work?",
            "Les ports USB, la sortie vidéo et la prise casque fonctionnent-ils ?",
        ),
        "ports",
        "repair",
        False,
    ),
    Item(
        "webcam",
        ("Webcam", "Webcam"),
        ("Does the webcam show a clear picture?", "La webcam donne-t-elle une image nette ?"),
        "webcam",
        "replace",
        False,
    ),
    Item(
        "audio",
        ("Speakers and microphone", "Haut-parleurs et micro"),
        (
            "Do the speakers play and does the microphone record?",
            "Les haut-parleurs jouent-ils le son et le micro enregistre-t-il ?",
        ),
        "audio",
        "repair",
        False,
    ),
    Item(
        "wifi",
        ("Wi-Fi", "Wi-Fi"),
        (
            "Does Wi-Fi find networks and connect?",
            "Le Wi-Fi trouve-t-il des réseaux et s'y connecte-t-il ?",
        ),
        "wifi",
        "replace",
        False,
    ),
    Item(
        "charger",
        ("Charger", "Chargeur"),
        (
            "Does the charger charge the machine (charging light or status on)?",
            "Le chargeur charge-t-il la machine (voyant ou état « en charge ») ?",
        ),
        "charger",
        "replace",
        True,
    ),
]
ITEM_BY_KEY = {item.key: item for item in ITEMS}
ANSWERS = ("pass", "fail", "skip")

# R2v3 Equipment Categorization, cosmetic grades (C1 lowest .. C6 best).
COSMETIC: dict[str, tuple[str, str]] = {
    "C6": ("Excellent: like new, no visible marks.", "Excellent : comme neuf, aucune marque."),
    "C5": (
        "Very good: light marks seen only up close.",
        "Très bon : marques légères visibles seulement de près.",
    ),
    "C4": (
        "Good: normal wear, scratches or scuffs, nothing broken.",
        "Bon : usure normale, rayures ou éraflures, rien de cassé.",
    ),
    "C3": (
        "Fair: heavy wear, dents, worn keys or stickers residue.",
        "Passable : forte usure, bosses, touches usées ou traces d'autocollants.",
    ),
    "C2": (
        "Poor: cracked or missing pieces of the case.",
        "Mauvais : boîtier fissuré ou pièces manquantes.",
    ),
    "C1": (
        "Damaged: fit for materials recovery only.",
        "Endommagé : bon seulement pour la récupération des matériaux.",
    ),
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
        raise BadInput(f"{where}: a checklist is a JSON object")
    answers = doc.get("answers", {})
    if not isinstance(answers, dict):
        raise BadInput(f'{where}: \'answers\' must be an object like {{"screen": "pass"}}')
    for key, value in answers.items():
        if key not in ITEM_BY_KEY:
            raise BadInput(
                f"{where}: unknown checklist item {key!r}", f"items are: {', '.join(ITEM_BY_KEY)}"
            )
        if value not in ANSWERS:
            raise BadInput(f"{where}: answers.{key} is {value!r}; use pass, fail or skip")
    cosmetic = doc.get("cosmetic")
    if cosmetic is not None and cosmetic not in COSMETIC:
        raise BadInput(f"{where}: cosmetic grade {cosmetic!r} is not one of C1..C6")
    tests = doc.get("tests", {})
    if not isinstance(tests, dict) or not all(isinstance(v, dict) for v in tests.values()):
        raise BadInput(f"{where}: 'tests' must be an object of test results")
    for key in ("operator", "notes"):
        if doc.get(key) is not None and not isinstance(doc.get(key), str):
            raise BadInput(f"{where}: {key!r} must be text")
    return Checklist(
        answers=dict(answers),
        cosmetic=cosmetic,
        tests=dict(tests),
        operator=doc.get("operator"),
        notes=doc.get("notes"),
    )
