"""refurb recycler ..., refurb ship ..."""

from __future__ import annotations

from typing import Any

import click

from refurb.cli.common import (
    LANG,
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
from refurb.i18n import N_, Phrase

DAY = click.DateTime(["%Y-%m-%d"])


@click.group()
def recycler() -> None:
    """Downstream recyclers devices are shipped to (name, address, certification)."""


@recycler.command("add")
@click.argument("name")
@click.option("--address", help="The recycler's address, as on the bill of lading.")
@click.option(
    "--certification",
    help="Its certification, e.g. R2v3, e-Stewards, ISO 14001 (as on its certificate).",
)
@db_option
@json_option
def recycler_add(
    name: str, address: str | None, certification: str | None, db_url: str | None, as_json: bool
) -> None:
    """Record recycler NAME. A name already there (in any case) is refused (exit 6)."""
    from refurb.app.shipments import add

    added = add(open_db(db_url, "create"), name, address, certification)
    if as_json:
        echo_json({"recycler": added})
    else:
        tell(N_("recycler {added} recorded"), added=added)


@recycler.command("list")
@db_option
@json_option
def recycler_list(db_url: str | None, as_json: bool) -> None:
    """List recyclers."""
    from refurb.app.shipments import recyclers

    rows = recyclers(open_db(db_url, "read"))
    if as_json:
        echo_json(rows)
        return
    for r in rows:
        click.echo(f"{r['name']:<30} {r['certification'] or '':<12} {r['address'] or ''}")


@click.group()
def ship() -> None:
    """Downstream shipments: devices sent to a recycler, with the bill of lading, the
    recycler's weight and certificate. Exit codes: 3 bad input (a weight that is not
    above 0, infinite, NaN or implausible; a date in the future; received before
    shipped), 5 an unknown recycler, shipment or tag, 6 refused (a device that is
    issued, already shipped or otherwise cannot be recycled; a closed shipment)."""


@ship.command("new")
@click.argument("code")
@click.option("--to", "recycler_name", required=True, help="The recycler (its name).")
@click.option("--date", "shipped_on", type=DAY, required=True, help="Date shipped (YYYY-MM-DD).")
@click.option("--bol", help="Bill of lading number.")
@db_option
@json_option
def ship_new(
    code: str,
    recycler_name: str,
    shipped_on: Any,
    bol: str | None,
    db_url: str | None,
    as_json: bool,
) -> None:
    """Open shipment CODE to a recycler recorded with `refurb recycler add`."""
    from refurb.app.shipments import new

    made = new(open_db(db_url, "write"), code, recycler_name, shipped_on.date(), bol)
    if as_json:
        echo_json({"shipment": made})
    else:
        tell(N_("shipment {made} opened"), made=made)


@ship.command("add")
@click.argument("code")
@click.argument("tags", nargs=-1, required=True)
@operator_option
@db_option
@json_option
def ship_add(
    code: str, tags: tuple[str, ...], operator: str | None, db_url: str | None, as_json: bool
) -> None:
    """Put devices in open shipment CODE: each is recycled with it (the event's note
    names the shipment). All of them, or none if one is issued, already shipped or
    refused by the rules (exit 6, the device and the reason named)."""
    from refurb.app.shipments import add_devices

    done = add_devices(
        open_db(db_url, "write"),
        code,
        list(tags),
        actor=resolve_operator(operator),
        station=station_prefix(),
    )
    if as_json:
        echo_json({"shipment": code, "devices": [d.tag for d in done]})
    else:
        for d in done:
            tell(
                N_("{tag} is now {status} (shipment {code})"),
                tag=d.tag,
                status=Phrase(d.status),
                code=code,
            )


@ship.command("close")
@click.argument("code")
@click.option(
    "--weight",
    "weight_kg",
    type=float,
    required=True,
    help="The recycler's weight of the whole shipment, in kg.",
)
@click.option("--certificate", required=True, help="The recycler's certificate number.")
@click.option(
    "--received", "received_on", type=DAY, required=True, help="Date the recycler received it."
)
@db_option
@json_option
def ship_close(
    code: str,
    weight_kg: float,
    certificate: str,
    received_on: Any,
    db_url: str | None,
    as_json: bool,
) -> None:
    """Close shipment CODE with the recycler's weight and certificate. Its weight, spread
    evenly over its devices, is then their measured weight in the funder report. A
    closed shipment takes no more devices."""
    from refurb.app.shipments import close_shipment

    done = close_shipment(
        open_db(db_url, "write"),
        code,
        weight_kg=weight_kg,
        certificate=certificate,
        received_on=received_on.date(),
    )
    if as_json:
        echo_json(done)
    else:
        tell(
            N_("shipment {code} closed: {weight_kg:g} kg, {devices} device(s)"),
            code=code,
            weight_kg=done["weight_kg"],
            devices=done["devices"],
        )


@ship.command("list")
@db_option
@json_option
def ship_list(db_url: str | None, as_json: bool) -> None:
    """List shipments: code, date, recycler, devices, and the recycler's weight when
    closed."""
    from refurb.app.shipments import shipments

    rows = shipments(open_db(db_url, "read"))
    if as_json:
        echo_json(rows)
        return
    for r in rows:
        weight = f"{r['weight_kg']:g} kg" if r["weight_kg"] is not None else ""
        click.echo(
            f"{r['code']:<14} {r['shipped_on']}  {r['recycler'] or '':<24} "
            f"{r['devices']:>4} device(s)  {r['status']:<6} {weight}"
        )


@ship.command("show")
@click.argument("code")
@click.option("--pdf", "pdf_out", type=click.Path(dir_okay=False), help="Write the PDF here.")
@click.option("--lang", type=LANG, help="Language of the PDF.")
@db_option
@json_option
def ship_show(
    code: str, pdf_out: str | None, lang: str | None, db_url: str | None, as_json: bool
) -> None:
    """Shipment CODE: the recycler, dates, bill of lading, every device (tag, model,
    serial, weight measured or estimated), totals; with --pdf, the shipping document
    with signature lines for the shipper and the receiver."""
    from refurb.app.shipments import document
    from refurb.config import load_config

    config = load_config()
    doc = document(open_db(db_url, "read"), code, config.weights_kg)
    if pdf_out:
        from refurb.fsutil import write_atomic
        from refurb.reports.letterhead import Letterhead
        from refurb.reports.shipment import render_shipment

        write_atomic(
            pdf_out,
            render_shipment(doc, lang or config.lang, config.font, Letterhead.from_config(config)),
        )
        tell(N_("shipment document written to {file}"), file=pdf_out, err=True)
    if as_json:
        echo_json(doc)
    elif not pdf_out:
        _print(doc)


def _print(doc: dict[str, Any]) -> None:
    r = doc["recycler"]
    tell(
        N_("shipment {code} ({status}), shipped {shipped_on}"),
        code=doc["code"],
        status=doc["status"],
        shipped_on=doc["shipped_on"],
    )
    to = r["name"] + (f", {r['address']}" if r["address"] else "")
    to += f" ({r['certification']})" if r["certification"] else ""
    tell(N_("to {recycler}"), recycler=to)
    if doc["bol"]:
        tell(N_("bill of lading {bol}"), bol=doc["bol"])
    for d in doc["items"]:
        model = " ".join(x for x in (d["vendor"], d["model"]) if x) or "?"
        weighed = Phrase(N_("measured")) if d["weight"] == "measured" else Phrase(N_("estimated"))
        click.echo(
            f"  {d['tag']:<12} {model:<32} {d['serial'] or '':<18} "
            f"{d['weight_kg']:>7.2f} kg {say(weighed)}"
        )
    t = doc["totals"]
    tell(
        N_("{devices} device(s), {kg:.2f} kg ({estimated_kg:.2f} kg estimated)"),
        devices=t["devices"],
        kg=t["kg"],
        estimated_kg=t["estimated_kg"],
    )
    if doc["status"] == "closed":
        tell(
            N_(
                "received {received_on}: {weight_kg:g} kg by the recycler's weight, "
                "certificate {certificate}"
            ),
            received_on=doc["received_on"],
            weight_kg=doc["weight_kg"],
            certificate=doc["certificate"],
        )
