"""refurb import"""

from __future__ import annotations

from collections import Counter
from typing import Any

import click

from refurb.cli.common import (
    at_option,
    db_option,
    echo_json,
    json_option,
    open_db,
    operator_option,
    resolve_operator,
    say,
    station_prefix,
    tell,
)
from refurb.i18n import N_, NC_
from refurb.untrusted import one_line

# what became of each file, at the start of its line
OUTCOME_WORDS = {
    "new": NC_("a file imported", "new"),
    "updated": NC_("a file imported", "updated"),
    "refused": N_("refused"),
}


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--lot", "lot_code", help="Put new devices in this intake lot.")
@click.option(
    "--policy", "policy_path", type=click.Path(dir_okay=False), help="Assessment thresholds (TOML)."
)
@click.option(
    "--weight",
    "weight_kg",
    type=click.FloatRange(min=0, min_open=True, max=200),
    help="Every device in these files was weighed at this many kg.",
)
@click.option(
    "--received-at-taken",
    "taken_at_as_received",
    is_flag=True,
    help="Each device was received when its snapshot was taken (the snapshot's taken_at), "
    "not now: for USB sticks brought in later.",
)
@at_option
@operator_option
@db_option
@json_option
def import_(
    paths: tuple[str, ...],
    lot_code: str | None,
    policy_path: str | None,
    weight_kg: float | None,
    taken_at_as_received: bool,
    at: Any,
    operator: str | None,
    db_url: str | None,
    as_json: bool,
) -> int:
    """Import snapshot files, or folders of them (a USB stick's outbox), or bundles from
    `refurb export`. Safe to run again: what is already recorded is skipped. Files that
    are refused are listed with the reason and left where they are; the others go in. A
    bundle (at most 2 GiB; its size and zip directory are checked before it is read) is
    checked whole (signature, checksums, every row naming a device, drive, lot or
    participant the bundle or this database has) before anything is written. An empty
    path is refused (exit 3): it would mean the current folder."""
    from refurb.app.intake import check_paths, import_files
    from refurb.cli.assess import resolve_policy
    from refurb.cli.sync import import_bundle, is_bundle

    check_paths(paths)  # before any bundle is merged
    bundles = [p for p in paths if is_bundle(p)]
    paths = tuple(p for p in paths if p not in bundles)
    merged = {b: import_bundle(b, db_url) for b in bundles}
    if merged and not paths:
        if as_json:
            echo_json({"bundles": merged})
        else:
            for b, added in merged.items():
                new = ", ".join(f"{n} {t}" for t, n in added.items() if n) or "nothing new"
                click.echo(f"bundle {b}: {new}")
        return 0
    policy = resolve_policy(policy_path)
    store = open_db(db_url, "create")
    if at is not None and taken_at_as_received:
        raise click.UsageError("--at and --received-at-taken cannot both be given")
    rows = import_files(
        store,
        paths,
        policy,
        at=at,
        taken_at_as_received=taken_at_as_received,
        weight_kg=weight_kg,
        operator=resolve_operator(operator),
        station=station_prefix(),
        lot_code=lot_code,
    )
    counts = Counter(r.outcome for r in rows)
    if as_json:
        echo_json({"counts": dict(counts), "files": [r.to_dict() for r in rows]})
    else:
        for r in rows:
            name = one_line(r.path)  # a file name can hold terminal escapes
            word = say(OUTCOME_WORDS.get(r.outcome, r.outcome))
            if r.outcome == "refused":
                reason = one_line(say(r.reason or ""))
                # a reason about a field names it under the file ("x.json.cpu.cores")
                shown = reason if reason.startswith(name) else f"{name}: {reason}"
                click.echo(f"{word:<8} {shown}")
            elif r.outcome != "known":
                click.echo(f"{word:<8} {r.tag}  {name}")
        tell(
            N_(
                "{new} new, {updated} updated, {known} already recorded, {refused} "
                "refused ({n} file(s))"
            ),
            new=counts["new"],
            updated=counts["updated"],
            known=counts["known"],
            refused=counts["refused"],
            n=len(rows),
        )
    return 3 if counts["refused"] else 0
