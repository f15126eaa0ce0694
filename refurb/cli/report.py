"""refurb report, refurb certificate"""

from __future__ import annotations

from typing import Any

import click

from refurb.cli.common import LANG, db_option, echo_json, open_db, tell
from refurb.errors import ExitStatus, UsageProblem
from refurb.i18n import N_, Phrase
from refurb.untrusted import json_text


def _period(
    since: Any, until: Any, month: str | None, quarter: str | None, fiscal_year: int | None
) -> Any:
    from refurb.reports.periods import resolve_period

    return resolve_period(
        since=since.date() if since else None,
        until=until.date() if until else None,
        month=month,
        quarter=quarter,
        fiscal_year=fiscal_year,
    )


def period_options(f: Any) -> Any:
    for option in reversed(
        [
            click.option(
                "--since",
                type=click.DateTime(["%Y-%m-%d"]),
                help="First day (YYYY-MM-DD; every period lies in the years 1970 to 2999).",
            ),
            click.option(
                "--until",
                type=click.DateTime(["%Y-%m-%d"]),
                help="Day after the last (YYYY-MM-DD), exclusive.",
            ),
            click.option("--month", help="One month, YYYY-MM (1970-01 to 2999-12)."),
            click.option("--quarter", help="One calendar quarter, YYYY-Qn (1970 to 2999)."),
            click.option(
                "--fiscal-year",
                type=int,
                metavar="YEAR",
                help="Fiscal year starting 1 April YEAR (1970 to 2999).",
            ),
        ]
    ):
        f = option(f)
    return f


@click.command()
@period_options
@click.option("--csv", "as_csv", is_flag=True, help="CSV: section, key, measure, value.")
@click.option("--json", "as_json", is_flag=True, help="JSON.")
@click.option(
    "--pdf",
    "pdf_out",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Write a PDF report with charts to FILE.",
)
@click.option("--lang", type=LANG, help="Language of the report.")
@click.option(
    "--devices",
    "figure",
    metavar="FIGURE",
    help="List the devices behind a figure (received, refurbished, issued, "
    "returned, harvested, recycled, diverted).",
)
@click.option(
    "--community",
    help="Only this community: the whole report (and --pdf, --csv, --json, --devices).",
)
@click.option("--lot", help="With --devices: only this lot.")
@click.option("--donor", help="With --devices: only this donor.")
@click.option("--site", help="With --devices: only this site.")
@click.option("--operators", is_flag=True, help="Trainee activity per operator instead.")
@click.option(
    "--definitions",
    is_flag=True,
    help="Print how every figure is counted (installed with refurb) and stop.",
)
@click.option("--redact-serials", is_flag=True, help="With --devices: hide serial numbers.")
@db_option
def report(
    since: Any,
    until: Any,
    month: str | None,
    quarter: str | None,
    fiscal_year: int | None,
    as_csv: bool,
    as_json: bool,
    pdf_out: str | None,
    lang: str | None,
    figure: str | None,
    community: str | None,
    lot: str | None,
    donor: str | None,
    site: str | None,
    operators: bool,
    definitions: bool,
    redact_serials: bool,
    db_url: str | None,
) -> None:
    """Funder report for a period: devices received, refurbished, issued (and participants
    served), returned, harvested, recycled, still in process; diverted from landfill in
    devices and kg; avoided emissions with the factor and its source. By community, site,
    lot, donor and month; --community gives one community's whole report. How every
    figure is counted: refurb report --definitions."""
    from refurb.app import reports
    from refurb.config import load_config

    if definitions:
        click.echo(definitions_text(), nl=False)
        return
    if operators and community:
        raise UsageProblem(N_("--operators counts every operator; it takes no --community"))
    cfg = load_config()
    lang = lang or cfg.lang
    period = _period(since, until, month, quarter, fiscal_year)
    store = open_db(db_url, "read")
    if operators:
        rows = reports.operators(store, period)
        _rows_out(rows, as_csv, as_json)
        return
    if figure:
        if figure not in reports.FIGURES:
            raise UsageProblem(
                Phrase(
                    N_("--devices {figure!r}: choose one of {figures}"),
                    figure=figure,
                    figures=", ".join(reports.FIGURES),
                )
            )
        filters = {
            k: v
            for k, v in (("community", community), ("lot", lot), ("donor", donor), ("site", site))
            if v
        }
        rows = reports.devices_behind(store, period, figure, filters)
        for r in rows:
            r["at"] = r["at"].isoformat() if hasattr(r["at"], "isoformat") else r["at"]
            if redact_serials:
                r["serial"] = None
        _rows_out(rows, as_csv, as_json)
        if not (as_csv or as_json):
            click.echo(f"{len(rows)} device(s)", err=True)
        return
    stray = [n for n, v in (("--lot", lot), ("--donor", donor), ("--site", site)) if v]
    if stray or redact_serials:
        raise UsageProblem(
            Phrase(
                N_("{options} only works with --devices FIGURE"),
                options=", ".join(stray) or "--redact-serials",
            ),
            N_("a report filters by --community; the devices behind a figure by any of them"),
        )
    result = reports.report(
        store,
        period,
        weights=cfg.weights_kg,
        emissions=cfg.emissions,
        lang=lang,
        community=community,
    )
    from refurb.reports import render

    if pdf_out:
        from refurb.fsutil import write_atomic
        from refurb.reports.letterhead import Letterhead
        from refurb.reports.pdf import render_pdf

        write_atomic(pdf_out, render_pdf(result, cfg.font, Letterhead.from_config(cfg)))
        tell(N_("report written to {file}"), file=pdf_out, err=True)
    if as_json:
        click.echo(render.json_text(result))
    elif as_csv:
        click.echo(render.csv_text(result), nl=False)
    elif not pdf_out:
        click.echo(render.table(result))


def definitions_text() -> str:
    """docs/reports.md, as installed with refurb (the refurb_docs package), else from a
    source checkout."""
    try:
        from importlib import resources

        return resources.files("refurb_docs").joinpath("reports.md").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError):
        from pathlib import Path

        import refurb

        here = Path(refurb.__file__).resolve().parent.parent / "docs" / "reports.md"
        return here.read_text(encoding="utf-8")


def _rows_out(rows: list[dict[str, Any]], as_csv: bool, as_json: bool) -> None:
    if as_json:
        echo_json(rows)
        return
    if not rows:
        tell(N_("nothing in this period"))
        return
    if as_csv:
        import csv
        import sys

        from refurb.csvsafe import csv_safe

        w = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]))
        w.writeheader()
        for r in rows:
            w.writerow({k: csv_safe(v) for k, v in r.items()})
        return
    keys = list(rows[0])
    click.echo("  ".join(keys))
    for r in rows:
        click.echo("  ".join("" if r[k] is None else str(r[k]) for k in keys))


@click.command()
@click.option("--lot", "lot_code", help="Every drive of this lot's devices.")
@click.argument("tags", nargs=-1)
@click.option(
    "--pdf",
    "pdf_out",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Write the certificate as PDF.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the certificate as JSON.")
@click.option("--lang", type=LANG, help="Language of the PDF.")
@db_option
def certificate(
    lot_code: str | None,
    tags: tuple[str, ...],
    pdf_out: str | None,
    as_json: bool,
    lang: str | None,
    db_url: str | None,
) -> int:
    """Data-sanitization certificate for a lot (or for TAGS): every drive with its NIST
    SP 800-88 Rev. 2 record, operator and verifier. Drives without a record are listed
    as such, and the command exits 6."""
    from refurb.app.reports import certificate
    from refurb.config import load_config

    if not lot_code and not tags:
        raise UsageProblem(N_("say which devices: --lot CODE or TAGS"))
    data = certificate(open_db(db_url, "read"), lot_code, list(tags))
    if pdf_out:
        from refurb.fsutil import write_atomic
        from refurb.reports.certificate import render_certificate
        from refurb.reports.letterhead import Letterhead

        config = load_config()
        write_atomic(
            pdf_out,
            render_certificate(
                data, lang or config.lang, config.font, Letterhead.from_config(config)
            ),
        )
        tell(N_("certificate written to {file}"), file=pdf_out, err=True)
    if as_json or not pdf_out:
        click.echo(json_text(data, indent=2, default=str))
    missing = [d for d in data["drives"] if not d["records"]]
    if missing:
        tell(N_("{n} drive(s) have no sanitization record"), n=len(missing), err=True)
        return ExitStatus.REFUSED
    return 0
