"""refurb label"""

from __future__ import annotations

import shutil
import subprocess
from typing import TYPE_CHECKING, Any

import click

from refurb.cli.common import LANG, db_option, echo_json, json_option, open_db, say, tell
from refurb.errors import BadInput, EnvironmentProblem, NotFound, UsageProblem
from refurb.i18n import N_, Phrase

if TYPE_CHECKING:
    from refurb.app import Inventory
    from refurb.config import Config
    from refurb.labels import Stock


def pick_stock(name: str | None, cfg: Config) -> Stock:
    from refurb.labels import load_stocks

    stocks = load_stocks(cfg.labels_dir)
    name = name or cfg.label_stock
    if name not in stocks:
        raise BadInput(
            Phrase(N_("no label stock {name!r}"), name=name),
            Phrase(
                N_("stocks: {values} (refurb label --list-stocks)"),
                values=", ".join(sorted(stocks)),
            ),
        )
    return stocks[name]


def write_labels(
    store: Inventory,
    tags: list[str],
    out: str,
    stock_name: str | None,
    lang: str,
    skip: int = 0,
    status: str | None = None,
    lot: str | None = None,
    since: Any = None,
) -> int:
    from refurb.app.reports import labels
    from refurb.config import load_config
    from refurb.fsutil import write_atomic
    from refurb.labels import render

    cfg = load_config()
    stock = pick_stock(stock_name, cfg)
    data = labels(store, tags, status, lot, since)
    if not data:
        raise NotFound(
            N_("no devices match: nothing to print"),
            N_("check the tags, --status, --lot or --since"),
        )
    write_atomic(
        out,
        render(data, stock, lang=lang, skip=skip, font=cfg.font, label_url=cfg.label_url),
    )
    return len(data)


def send_to_printer(path: str, printer: str | None) -> None:
    for tool, flag in (("lp", "-d"), ("lpr", "-P")):
        exe = shutil.which(tool)
        if exe:
            argv = [exe] + ([flag, printer] if printer else []) + [path]
            proc = subprocess.run(argv, capture_output=True, text=True, check=False)
            if proc.returncode != 0:
                raise EnvironmentProblem(
                    Phrase(
                        N_("{tool} refused the job: {error}"), tool=tool, error=proc.stderr.strip()
                    ),
                    Phrase(N_("the labels are in {path}; print that PDF by hand"), path=path),
                )
            return
    raise EnvironmentProblem(
        N_("no lp or lpr command on this machine"),
        Phrase(N_("the labels are in {path}; open and print that PDF"), path=path),
    )


@click.command()
@click.argument("tags", nargs=-1)
@click.option("--status", help="Every device in this status.")
@click.option("--lot", help="Every device of this lot.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Devices changed since.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    default="labels.pdf",
    show_default=True,
    help="PDF file to write.",
)
@click.option("--stock", help="Label stock (default from config, else avery-l7160).")
@click.option(
    "--skip",
    type=click.IntRange(min=0),
    default=0,
    help="Used labels to leave blank at the start of a part-used sheet.",
)
@click.option("--print", "to_printer", is_flag=True, help="Send the PDF to the printer (lp/lpr).")
@click.option("--printer", help="Printer name for --print.")
@click.option("--lang", type=LANG, help="Label language.")
@click.option("--list-stocks", is_flag=True, help="List the label stocks and exit.")
@db_option
@json_option
def label(
    tags: tuple[str, ...],
    status: str | None,
    lot: str | None,
    since: Any,
    out: str,
    stock: str | None,
    skip: int,
    to_printer: bool,
    printer: str | None,
    lang: str | None,
    list_stocks: bool,
    db_url: str | None,
    as_json: bool,
) -> None:
    """Asset labels with a QR code for TAGS (or by --status, --lot, --since), as one PDF."""
    from refurb.config import load_config

    if list_stocks:
        from refurb.labels import LONGEST_TAG, load_stocks, module_geometry, qr_modules_for, qr_text

        cfg = load_config()
        modules = qr_modules_for(qr_text(LONGEST_TAG, cfg.label_url))
        for s in load_stocks(cfg.labels_dir).values():
            try:
                _, module = module_geometry(s, modules)
                qr = Phrase(N_("QR module {size:.2f} mm"), size=module)
            except BadInput:  # only a label_url's finer code can miss a stock that loaded
                qr = Phrase(N_("too small for the label_url's QR code"))
            layout = (
                Phrase(N_("{columns}x{rows} per sheet"), columns=s.columns, rows=s.rows)
                if s.is_sheet
                else Phrase(N_("roll"))
            )
            said = Phrase(
                N_("{width:g} x {height:g} mm, {layout}, {dpi} dpi, {qr}"),
                width=s.label_mm[0],
                height=s.label_mm[1],
                layout=layout,
                dpi=s.dpi,
                qr=qr,
            )
            click.echo(f"{s.name:<18} {say(said)}  - {s.description}")
        if cfg.label_url:
            tell(
                N_("QR codes hold {url} ({modules} x {modules} modules)"),
                url=cfg.label_url,
                modules=modules,
            )
        return
    if not (tags or status or lot or since):
        raise UsageProblem(N_("say which labels: TAG..., --status, --lot or --since"))
    n = write_labels(
        open_db(db_url, "read"),
        list(tags),
        out,
        stock,
        lang or load_config().lang,
        skip,
        status,
        lot,
        since.date() if since else None,
    )
    if as_json:
        echo_json({"labels": n, "out": out, "printer": printer if to_printer else None})
    else:
        tell(N_("{n} label(s) written to {out}"), n=n, out=out)
    if to_printer:
        send_to_printer(out, printer)
        tell(N_("sent to the printer"), err=True)
