"""An assessment in plain words for the bench (pure)."""

from __future__ import annotations

from refurb.assess.messages import DISPOSITION, STATUS, word
from refurb.assess.verdict import Assessment
from refurb.i18n import N_, gettext_for

_HEAD = {
    "verdict": N_("VERDICT"),
    "todo": N_("To do"),
    "findings": N_("Findings"),
    "grade": N_("Grade"),
    "functional": N_("functional"),
    "cosmetic": N_("cosmetic"),
    "policy": N_("Policy"),
    "none": N_("not graded"),
    "parts": N_("Parts worth keeping"),
}


def render(a: Assessment, verbose: bool = True) -> str:
    lang = a.lang

    colon = gettext_for(lang).colon  # French puts a no-break space before the colon

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
