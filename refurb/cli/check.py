"""refurb check"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import Any

import click

from refurb.cli.common import LANG
from refurb.errors import BadInput
from refurb.i18n import N_, NC_, Phrase, gettext_for
from refurb.untrusted import json_text

_UI = {
    "intro": N_("Bench checklist: answer each question after trying it on the machine."),
    "choices": N_("y = works, n = does not work, s = skip"),
    "cosmetic": N_("Cosmetic condition (C1..C6, or s to skip)"),
    "cpu": N_("CPU test"),
    "memory": N_("Memory test"),
    "disk": N_("Disk read test"),
    "smart": N_("SMART short self-test"),
    "stopped": N_("stopped; keeping what was measured"),
    "saved": N_("checklist saved to"),
    "next": N_("next: refurb intake --checklist"),
}
# the one-letter answers, as each language abbreviates its words
_YES_NO = {
    "pass": NC_("answer key", "y"),
    "fail": NC_("answer key", "n"),
    "skip": NC_("answer key", "s"),
}


def _t(key: str, lang: str) -> str:
    return gettext_for(lang)(_UI[key])


def _parse_answers(pairs: tuple[str, ...]) -> dict[str, str]:
    from refurb.assess.checklist import ANSWERS, ITEM_BY_KEY

    answers = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or key not in ITEM_BY_KEY or value not in ANSWERS:
            raise BadInput(
                Phrase(N_("--answer {pair!r}: use ITEM=pass|fail|skip"), pair=pair),
                Phrase(N_("items are: {items}"), items=", ".join(ITEM_BY_KEY)),
            )
        answers[key] = value
    return answers


def _run_timed(
    label: str, lang: str, fn: Callable[..., dict[str, Any]], *args: Any
) -> dict[str, Any]:
    stop = threading.Event()
    with click.progressbar(length=1000, label=label, file=sys.stderr) as bar:
        shown = 0

        def progress(fraction: float) -> None:
            nonlocal shown
            target = int(fraction * 1000)
            if target > shown:
                bar.update(target - shown)
                shown = target

        try:
            result = fn(*args, progress, stop)
        except KeyboardInterrupt:
            stop.set()
            result = {"errors": None, "interrupted": True}
    if result.get("interrupted"):
        click.echo(f"{label}: {_t('stopped', lang)}", err=True)
    return result


@click.command()
@click.option("--lang", type=LANG, help="Language of the questions.")
@click.option(
    "--answer",
    "answer_pairs",
    multiple=True,
    metavar="ITEM=pass|fail|skip",
    help="Answer an item without asking (repeatable), e.g. --answer screen=pass.",
)
@click.option(
    "--answers",
    "answers_file",
    type=click.Path(dir_okay=False),
    help="Start from a checklist JSON file (answers, cosmetic, operator).",
)
@click.option(
    "--cosmetic", type=click.Choice(["C1", "C2", "C3", "C4", "C5", "C6"]), help="R2 cosmetic grade."
)
@click.option("--operator", help="Who did the checks (trainee name or code).")
@click.option(
    "--cpu-burn",
    type=click.FloatRange(min=0.5, max=3600),
    metavar="SECONDS",
    help="Load every core for SECONDS and verify each result.",
)
@click.option(
    "--memory-test",
    type=click.FloatRange(min=0.1, max=90),
    metavar="PCT",
    help="Pattern-test PCT % of the free memory.",
)
@click.option(
    "--memory-seconds",
    type=click.FloatRange(min=1),
    default=120,
    show_default=True,
    help="Time box for the memory test.",
)
@click.option("--disk-read", metavar="DEVICE", help="Read test on DEVICE (e.g. sda); needs root.")
@click.option(
    "--disk-seconds",
    type=click.FloatRange(min=1),
    default=30,
    show_default=True,
    help="Time box for the disk read test.",
)
@click.option("--smart-test", metavar="DEVICE", help="Run a SMART short self-test on DEVICE.")
@click.option("--out", type=click.Path(dir_okay=False), help="Save the checklist JSON to FILE.")
@click.option("--no-input", is_flag=True, help="Never ask; unanswered items are skipped.")
def check(
    lang: str | None,
    answer_pairs: tuple[str, ...],
    answers_file: str | None,
    cosmetic: str | None,
    operator: str | None,
    cpu_burn: float | None,
    memory_test: float | None,
    memory_seconds: float,
    disk_read: str | None,
    disk_seconds: float,
    smart_test: str | None,
    out: str | None,
    no_input: bool,
) -> None:
    """Walk through the manual bench checks (screen, keyboard, touchpad, hinges, ports,
    webcam, audio, Wi-Fi, charger, cosmetic grade) one question at a time, and run the
    optional quick tests. Ctrl-C during a test stops it and keeps what was measured."""
    from refurb import benchtests
    from refurb.assess.checklist import COSMETIC, ITEMS, Checklist
    from refurb.cli.assess import load_checklist_file
    from refurb.config import load_config
    from refurb.fsutil import write_atomic

    cfg = load_config()
    lang = lang or cfg.lang
    sheet: Checklist = load_checklist_file(answers_file) or Checklist()
    sheet.answers.update(_parse_answers(answer_pairs))
    sheet.cosmetic = cosmetic or sheet.cosmetic
    sheet.operator = operator or sheet.operator or cfg.operator
    ask = not no_input and sys.stdin.isatty()
    if ask:
        click.echo(_t("intro", lang))
        click.echo(_t("choices", lang))
        tr = gettext_for(lang)
        keys = {tr(key): answer for answer, key in _YES_NO.items()}
        for item in ITEMS:
            if item.key in sheet.answers:
                continue
            q = tr(item.question)
            name = tr(item.name)
            reply = click.prompt(f"{name} - {q}", type=click.Choice(list(keys)), show_choices=True)
            sheet.answers[item.key] = keys[reply]
        if sheet.cosmetic is None:
            for grade, words in COSMETIC.items():
                click.echo(f"  {grade}  {tr(words)}")
            skip = tr(_YES_NO["skip"])
            reply = click.prompt(
                _t("cosmetic", lang), type=click.Choice([*COSMETIC, skip], case_sensitive=False)
            )
            sheet.cosmetic = None if reply.lower() == skip else reply.upper()
    if cpu_burn:
        sheet.tests["cpu_burn"] = _run_timed(_t("cpu", lang), lang, benchtests.cpu_burn, cpu_burn)
    if memory_test:
        mib = benchtests.memory_share_mib(memory_test)
        sheet.tests["memory"] = _run_timed(
            _t("memory", lang), lang, lambda p, s: benchtests.memory_test(mib, p, s, memory_seconds)
        )
    if disk_read:
        sheet.tests["disk_read"] = _run_timed(
            _t("disk", lang), lang, benchtests.disk_read, disk_read, disk_seconds
        )
    if smart_test:
        sheet.tests["smart_selftest"] = _run_timed(
            _t("smart", lang), lang, benchtests.smart_selftest, smart_test, 240.0
        )
    for name, result in sheet.tests.items():
        if result.get("error"):
            click.echo(f"{name}: {result['error']}", err=True)
    text = json_text(sheet.to_dict(), indent=2) + "\n"
    if out:
        write_atomic(out, text.encode("utf-8"))
        click.echo(f"{_t('saved', lang)} {out}  ({_t('next', lang)} {out})", err=True)
    else:
        click.echo(text, nl=False)
