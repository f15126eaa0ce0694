"""Options and helpers shared by the commands that touch the inventory."""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from refurb.errors import BadInput

if TYPE_CHECKING:
    from refurb.app import Inventory

F = TypeVar("F", bound=Callable[..., Any])


def db_option(f: F) -> F:
    return click.option(
        "--db",
        "db_url",
        metavar="URL",
        help="Database: a SQLite file path or SQLAlchemy URL (default: REFURB_DATABASE_URL, "
        "the config file, else a SQLite file in the user data folder).",
    )(f)


def operator_option(f: F) -> F:
    return click.option(
        "--operator",
        help="Who is doing this (trainee name or code); "
        "default: REFURB_OPERATOR, the config file, else the login name.",
    )(f)


def json_option(f: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON.")(f)


def open_db(db_url: str | None) -> Inventory:
    try:
        from refurb.app import open_inventory

        return open_inventory(db_url)
    except ImportError:
        from refurb.errors import EnvironmentProblem

        raise EnvironmentProblem(
            "this refurb has no inventory (it is the USB-stick agent, or SQLAlchemy is missing)",
            "save snapshots with `refurb probe --outbox DIR` and run "
            "`refurb import DIR` at the station",
        ) from None


def resolve_operator(operator: str | None) -> str:
    from refurb.config import load_config

    who = operator or os.environ.get("REFURB_OPERATOR") or load_config().operator
    if not who:
        try:
            who = getpass.getuser()
        except (KeyError, OSError):
            who = "unknown"
    return who.strip()


def station_prefix() -> str:
    from refurb.config import load_config
    from refurb.tags import valid_prefix

    prefix = load_config().station.upper()
    if not valid_prefix(prefix):
        raise BadInput(
            f"station prefix {prefix!r} must be 1 to 3 letters or digits",
            'set station = "RF" (for example) in the config file',
        )
    return prefix


def echo_json(doc: Any) -> None:
    from refurb.untrusted import json_text

    click.echo(json_text(doc, indent=2, default=str))
