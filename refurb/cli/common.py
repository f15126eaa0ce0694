"""Options and helpers shared by the commands that touch the inventory."""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from refurb.errors import BadInput
from refurb.i18n import N_, Phrase

if TYPE_CHECKING:
    from refurb.app import Access, Inventory

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


def open_db(db_url: str | None, access: Access) -> Inventory:
    """The inventory, for reading, writing to, or creating (see refurb.app.open_inventory)."""
    try:
        from refurb.app import open_inventory

        return open_inventory(db_url, access)
    except ImportError:
        from refurb.errors import EnvironmentProblem

        raise EnvironmentProblem(
            N_(
                "this refurb has no inventory (it is the USB-stick agent, or SQLAlchemy is missing)"
            ),
            N_(
                "save snapshots with `refurb probe --outbox DIR` and run `refurb import "
                "DIR` at the station"
            ),
        ) from None


def resolve_operator(operator: str | None) -> str:
    from refurb.config import load_config, sudo_user

    who = operator or os.environ.get("REFURB_OPERATOR") or load_config().operator
    sudo = sudo_user()
    if not who and sudo is not None:  # under sudo: the person who typed it, not root
        who = sudo.name
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
            Phrase(N_("station prefix {prefix!r} must be 1 to 3 letters or digits"), prefix=prefix),
            N_('set station = "RF" (for example) in the config file'),
        )
    return prefix


def echo_json(doc: Any) -> None:
    from refurb.untrusted import json_text

    click.echo(json_text(doc, indent=2, default=str))


class LangType(click.ParamType):
    """--lang: English or any language whose catalogue is installed (refurb.i18n)."""

    name = "LANG"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from refurb.i18n import available_languages

        langs = available_languages()
        if value not in langs:
            self.fail(f"{value!r} has no catalogue; use one of {', '.join(langs)}", param, ctx)
        return str(value)


LANG = LangType()


class WhenType(click.ParamType):
    """--at: a date, or a date and time, in the station's time zone (config timezone)."""

    name = "WHEN"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from datetime import datetime

        from refurb.config import load_config
        from refurb.when import parse_when, zone

        if isinstance(value, datetime):
            return value
        try:
            return parse_when(value, zone(load_config().timezone))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


def at_option(f: F) -> F:
    return click.option(
        "--at",
        type=WhenType(),
        help="When it happened, for records entered later: YYYY-MM-DD or "
        "'YYYY-MM-DD HH:MM' in the station's time zone (default: now).",
    )(f)


def say(message: str) -> str:
    """A line a command prints, in its reader's language: the command's own --lang when
    it has one, else REFURB_LANG or the config's (``message`` is an ``N_`` text or a
    Phrase; anything else is shown as it is)."""
    from refurb.i18n import gettext_for

    return gettext_for(reader_lang())(message)


def reader_lang() -> str:
    """The language a command speaks in: its own --lang when it has one, else
    REFURB_LANG or the config's; English when that has no catalogue."""
    from refurb.i18n import available_languages

    ctx = click.get_current_context(silent=True)
    lang = ctx.params.get("lang") if ctx is not None else None
    if not lang:
        lang = shop_lang()
    return lang if lang in available_languages() else "en"


def shop_lang() -> str:
    """The shop's language: REFURB_LANG, else the config's (as load_config gives it,
    without reading the config when REFURB_LANG names it), else English. Never fails: an
    error about the config itself must still be shown, in some language."""
    env = os.environ.get("REFURB_LANG")
    if env:
        return env
    try:
        from refurb.config import load_config

        return load_config().lang
    except Exception:
        return "en"  # a broken config says so itself where it is read


def tell(message: str, /, *, err: bool = False, **values: Any) -> None:
    """Print one line in the reader's language: ``tell(N_("lot {code} recorded"),
    code=code)`` (values make it a Phrase); ``err`` prints it on stderr."""
    click.echo(say(Phrase(message, **values) if values else message), err=err)
