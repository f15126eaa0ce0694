"""A snapshot in plain words for the trainee at the bench (pure: Snapshot -> text)."""

from __future__ import annotations

from refurb.model import Snapshot


def human_bytes(n: int | float | None) -> str:
    """A size as sold ("256.1 GB"): a Phrase, so a reader sees their own units and
    decimal mark ("256,1 Go")."""
    from refurb.i18n import N_, Phrase

    if n is None:
        return Phrase(N_("unknown"))
    value = float(n)
    units = (N_("{n:.0f} B"), N_("{n:.0f} KB"), N_("{n:.1f} MB"), N_("{n:.1f} GB"))
    for unit in units:
        if value < 1000:
            return Phrase(unit, n=value)
        value /= 1000
    return Phrase(N_("{n:.1f} TB"), n=value)


def human_gib(n: int | None, unknown: str = "unknown") -> str:
    from refurb.i18n import N_, Phrase

    return unknown if n is None else Phrase(N_("{n:.1f} GiB"), n=n / (1 << 30))


def summarize(snap: Snapshot, lang: str | None = None) -> str:
    """The snapshot for the bench, each line headed by its part, in ``lang``."""
    from refurb.i18n import N_, Phrase, gettext_for
    from refurb.words import KINDS as KIND_WORDS

    tr = gettext_for(lang)
    unknown = tr(N_("unknown"))
    i, c, m = snap.identity, snap.cpu, snap.memory
    rows: list[tuple[str, str]] = []

    def add(head: str, said: str) -> None:
        rows.append((tr(head), tr(said)))

    machine = Phrase(
        N_("{vendor} {model}  ({chassis})"),
        vendor=i.vendor or "?",
        model=i.model or "?",
        chassis=Phrase(KIND_WORDS[i.chassis])
        if i.chassis in KIND_WORDS
        else (i.chassis or Phrase(N_("chassis unknown"))),
    )
    add(N_("Machine"), machine)
    add(N_("Serial"), i.serial or unknown)
    cpu = Phrase(
        N_("{model}  {cores} cores/{threads} threads"),
        model=c.model or unknown,
        cores=c.cores or "?",
        threads=c.threads or "?",
    )
    rows.append(
        (tr(N_("CPU")), tr(cpu) + (f", x86-64-v{c.x86_64_level}" if c.x86_64_level else ""))
    )
    memory = tr(human_gib(m.total_bytes, unknown))
    if m.modules:
        memory = tr(Phrase(N_("{size} in {n} module(s)"), size=memory, n=len(m.modules)))
    rows.append((tr(N_("Memory")), memory))
    if not snap.disks:
        add(N_("Disks"), N_("none found"))
    for d in snap.disks:
        s = d.smart
        health = tr(N_("SMART not read"))
        if s is not None:
            verdict = {True: N_("passed"), False: N_("FAILED"), None: N_("unknown")}[s.passed]
            bits = [tr(Phrase(N_("SMART {verdict}"), verdict=Phrase(verdict)))]
            if s.power_on_hours is not None:
                bits.append(f"{s.power_on_hours} h")
            if s.reallocated_sectors:
                bits.append(tr(Phrase(N_("{n} reallocated"), n=s.reallocated_sectors)))
            if s.pending_sectors:
                bits.append(tr(Phrase(N_("{n} pending"), n=s.pending_sectors)))
            if s.percentage_used is not None:
                bits.append(tr(Phrase(N_("{n}% worn"), n=s.percentage_used)))
            health = ", ".join(bits)
        size = tr(human_bytes(d.size_bytes))
        said = f"{d.name}{tr.colon} {d.model or '?'} {size} {d.kind or ''} - {health}"
        rows.append((tr(N_("Disk")), said))
    if not snap.batteries:
        add(N_("Battery"), N_("none found"))
    for b in snap.batteries:
        health = (
            tr(Phrase(N_("{pct:g}% of design"), pct=b.health_pct))
            if b.health_pct is not None
            else tr(N_("health unknown"))
        )
        cycles = (
            tr(Phrase(N_(", {n} cycles"), n=b.cycle_count)) if b.cycle_count is not None else ""
        )
        rows.append((tr(N_("Battery")), f"{b.name}{tr.colon} {health}{cycles}"))
    if snap.gaps:
        add(N_("Not read"), Phrase(N_("{n} reading(s):"), n=len(snap.gaps)))
        for g in snap.gaps:
            where = g.part + (f".{g.field}" if g.field else "")
            rows.append(("", f"- {where}: {g.reason} ({g.detail})"))
    width = max(len(head) for head, _ in rows) + 2
    return "\n".join(f"{head:<{width}}{text}".rstrip() for head, text in rows)
