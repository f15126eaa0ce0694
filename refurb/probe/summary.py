"""A snapshot in plain words for the trainee at the bench (pure: Snapshot -> text)."""

from __future__ import annotations

from refurb.model import Snapshot


def human_bytes(n: int | float | None) -> str:
    if n is None:
        return "unknown"
    value = float(n)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{value:.0f} {unit}" if unit in ("B", "KB") else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} TB"


def human_gib(n: int | None) -> str:
    return "unknown" if n is None else f"{n / (1 << 30):.1f} GiB"


def summarize(snap: Snapshot) -> str:
    i, c, m = snap.identity, snap.cpu, snap.memory
    lines = [
        f"Machine   {i.vendor or '?'} {i.model or '?'}  ({i.chassis or 'chassis unknown'})",
        f"Serial    {i.serial or 'unknown'}",
        f"CPU       {c.model or 'unknown'}  {c.cores or '?'} cores/{c.threads or '?'} threads"
        + (f", x86-64-v{c.x86_64_level}" if c.x86_64_level else ""),
        f"Memory    {human_gib(m.total_bytes)}"
        + (f" in {len(m.modules)} module(s)" if m.modules else ""),
    ]
    if not snap.disks:
        lines.append("Disks     none found")
    for d in snap.disks:
        s = d.smart
        health = "SMART not read"
        if s is not None:
            verdict = {True: "passed", False: "FAILED", None: "unknown"}[s.passed]
            bits = [f"SMART {verdict}"]
            if s.power_on_hours is not None:
                bits.append(f"{s.power_on_hours} h")
            if s.reallocated_sectors:
                bits.append(f"{s.reallocated_sectors} reallocated")
            if s.pending_sectors:
                bits.append(f"{s.pending_sectors} pending")
            if s.percentage_used is not None:
                bits.append(f"{s.percentage_used}% worn")
            health = ", ".join(bits)
        lines.append(
            f"Disk      {d.name}: {d.model or '?'} {human_bytes(d.size_bytes)} "
            f"{d.kind or ''} - {health}"
        )
    if not snap.batteries:
        lines.append("Battery   none found")
    for b in snap.batteries:
        health = f"{b.health_pct:g}% of design" if b.health_pct is not None else "health unknown"
        cycles = f", {b.cycle_count} cycles" if b.cycle_count is not None else ""
        lines.append(f"Battery   {b.name}: {health}{cycles}")
    if snap.gaps:
        lines.append(f"Not read  {len(snap.gaps)} reading(s):")
        for g in snap.gaps:
            where = g.part + (f".{g.field}" if g.field else "")
            lines.append(f"          - {where}: {g.reason} ({g.detail})")
    return "\n".join(lines)
