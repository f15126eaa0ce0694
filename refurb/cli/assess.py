"""refurb assess"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from refurb.cli.common import LANG
from refurb.errors import BadInput, ExitStatus, UsageProblem
from refurb.i18n import N_, Phrase
from refurb.untrusted import MAX_SNAPSHOT, json_text, json_value, one_line, read_file

if TYPE_CHECKING:
    from refurb.assess.checklist import Checklist
    from refurb.assess.policy import Policy
    from refurb.assess.verdict import Assessment
    from refurb.model import Snapshot

CHECK_EXIT = {
    "refurbish": ExitStatus.OK,
    "repair": ExitStatus.REPAIR,
    "harvest": ExitStatus.HARVEST,
    "recycle": ExitStatus.RECYCLE,
}


def read_json_file(path: str, what: str) -> object:
    """A snapshot or checklist file's document (a regular file, at most MAX_SNAPSHOT
    bytes), or BadInput naming the file and what is wrong with it."""
    try:
        return json_value(read_file(path, MAX_SNAPSHOT))
    except BadInput as exc:
        raise BadInput(
            Phrase(
                N_("{what} {path}: {reason}"), what=what, path=one_line(path), reason=exc.message
            ),
            exc.hint,
        ) from None


def load_snapshot_file(path: str) -> Snapshot:
    from refurb.model import snapshot_from_dict

    return snapshot_from_dict(
        read_json_file(path, Phrase(N_("snapshot"))),
        Phrase(N_("snapshot {path}"), path=one_line(path)),
    )


def load_checklist_file(path: str | None) -> Checklist | None:
    if path is None:
        return None
    from refurb.assess.checklist import checklist_from_dict

    return checklist_from_dict(
        read_json_file(path, Phrase(N_("checklist"))),
        Phrase(N_("checklist {path}"), path=one_line(path)),
    )


def resolve_policy(path: str | None) -> Policy:
    from refurb.assess import policy_for
    from refurb.config import load_config

    return policy_for(path or load_config().policy)


def verdict_inputs(f: Any) -> Any:
    """The options of every command that judges a machine: what to judge and how."""
    for option in reversed(
        [
            click.argument("snapshot", required=False, type=click.Path(dir_okay=False)),
            click.option(
                "--replay",
                type=click.Path(),
                metavar="CAPTURE",
                help="Use a recorded capture instead of probing this machine.",
            ),
            click.option(
                "--checklist",
                type=click.Path(dir_okay=False),
                help="Bench checklist answers (JSON, as written by `refurb check --out`).",
            ),
            click.option(
                "--policy",
                "policy_path",
                type=click.Path(dir_okay=False),
                help="Thresholds to use (TOML); default: the shipped policy or config.",
            ),
            click.option("--no-smart", is_flag=True, help="Probe without smartctl (faster)."),
            click.option("--lang", type=LANG, help="Language of the reasons."),
        ]
    ):
        f = option(f)
    return f


def judge(
    snapshot: str | None,
    replay: str | None,
    checklist: str | None,
    policy_path: str | None,
    no_smart: bool,
    lang: str,
    operator: str | None = None,
) -> tuple[Snapshot, Checklist | None, Assessment]:
    """The snapshot (file, capture or live probe), the checklist and the verdict."""
    from refurb.assess import evaluate
    from refurb.cli.probe import take_snapshot

    if snapshot and replay:
        raise UsageProblem(N_("give a SNAPSHOT file or --replay, not both"))
    policy = resolve_policy(policy_path)
    sheet = load_checklist_file(checklist)
    if sheet is not None and sheet.operator is None:
        sheet.operator = operator
    snap = load_snapshot_file(snapshot) if snapshot else take_snapshot(replay, not no_smart)
    return snap, sheet, evaluate(snap, sheet, policy, lang)


@click.command()
@verdict_inputs
@click.option("--json", "as_json", is_flag=True, help="Print the assessment as JSON.")
@click.option(
    "--check", is_flag=True, help="Exit 0 only for refurbish (10 repair, 11 harvest, 12 recycle)."
)
@click.option("--show-policy", is_flag=True, help="Print the policy in force and exit.")
def assess(
    snapshot: str | None,
    replay: str | None,
    checklist: str | None,
    policy_path: str | None,
    as_json: bool,
    check: bool,
    lang: str | None,
    no_smart: bool,
    show_policy: bool,
) -> int:
    """Decide: refurbish, repair, harvest or recycle, with a plain reason for every
    finding. Probes this machine unless SNAPSHOT (a snapshot JSON file) or --replay is
    given. Missing data is reported as unknown, never as a pass."""
    from refurb.assess.render import render
    from refurb.config import load_config

    if show_policy:
        from refurb.assess.policy import default_policy_text

        path = policy_path or load_config().policy
        if path:
            resolve_policy(path)  # refuse a malformed one here too
            with open(path, encoding="utf-8") as fh:
                click.echo(fh.read(), nl=False)
        else:
            click.echo(default_policy_text(), nl=False)
        return 0
    _, _, result = judge(
        snapshot, replay, checklist, policy_path, no_smart, lang or load_config().lang
    )
    if as_json:
        click.echo(json_text(result.to_dict(), indent=2))
    else:
        click.echo(render(result))
    return int(CHECK_EXIT[result.disposition] if check else ExitStatus.OK)
