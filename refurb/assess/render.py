"""An assessment in plain words for the bench (pure)."""

from __future__ import annotations

from refurb.assess.messages import DISPOSITION, STATUS, word
from refurb.assess.verdict import Assessment

_HEAD = {
    "verdict": ("VERDICT", "VERDICT"),
    "todo": ("To do", "À faire"),
    "findings": ("Findings", "Constats"),
    "grade": ("Grade", "Note"),
    "functional": ("functional", "fonctionnel"),
    "cosmetic": ("cosmetic", "esthétique"),
    "policy": ("Policy", "Politique"),
    "none": ("not graded", "non noté"),
    "parts": ("Parts worth keeping", "Pièces à garder"),
}


def render(a: Assessment, verbose: bool = True) -> str:
    lang = a.lang

    colon = " :" if lang == "fr" else ":"  # French puts a space before the colon

    def h(key: str) -> str:
        return word(_HEAD, key, lang)

    lines = [f"{h('verdict')}{colon} {word(DISPOSITION, a.disposition, lang).upper()}"]
    if a.repairs:
        lines.append(f"{h('todo')}{colon}")
        for n, r in enumerate(a.repairs, 1):
            lines.append(f"  {n}. {r.reason}")
    if a.disposition in ("harvest", "recycle") and a.harvestable:
        lines.append(f"{h('parts')}{colon} {', '.join(a.harvestable)}")
    if verbose:
        lines.append(f"{h('findings')}{colon}")
        order = {"fail": 0, "unknown": 1, "warn": 2, "pass": 3}
        for f in sorted(a.findings, key=lambda f: order[f.status]):
            lines.append(f"  {word(STATUS, f.status, lang):<12} {f.reason}")
    g = a.grade
    lines.append(
        f"{h('grade')}{colon} {h('functional')} {g['functional'] or h('none')}, "
        f"{h('cosmetic')} {g['cosmetic'] or h('none')}"
    )
    lines.append(f"{h('policy')}{colon} {a.policy['name']} {a.policy['version']}")
    return "\n".join(lines)
