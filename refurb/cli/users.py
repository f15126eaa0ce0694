"""refurb user add, refurb user passwd, refurb user list"""

from __future__ import annotations

import click

from refurb.cli.common import db_option, echo_json, json_option, open_db, tell
from refurb.i18n import N_

ROLES = ("trainee", "lead", "manager", "admin")


def _password(password_stdin: bool) -> str:
    import sys

    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    # asked twice; hidden on a terminal (with no terminal there is nothing to hide from,
    # and getpass would fail looking for one)
    value: str = click.prompt("password", hide_input=sys.stdin.isatty(), confirmation_prompt=True)
    return value


@click.group()
def user() -> None:
    """Accounts for the web pages (refurb serve): trainee, lead, manager or admin."""


@user.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True, help="What the account may do.")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin (scripts).")
@db_option
def user_add(name: str, role: str, password_stdin: bool, db_url: str | None) -> None:
    """Create account NAME with a role (asks for the password twice)."""
    from refurb.app.accounts import add_user

    made = add_user(open_db(db_url, "create"), name, role, _password(password_stdin))
    tell(N_("account {name} ({role}) created"), name=made.name, role=made.role)


@user.command("passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin (scripts).")
@db_option
def user_passwd(name: str, password_stdin: bool, db_url: str | None) -> None:
    """Set account NAME's password (asks for it twice)."""
    from refurb.app.accounts import set_password

    set_password(open_db(db_url, "write"), name, _password(password_stdin))
    tell(N_("password of {name} changed"), name=name)


@user.command("list")
@db_option
@json_option
def user_list(db_url: str | None, as_json: bool) -> None:
    """List the accounts and their roles."""
    from refurb.app.accounts import users

    rows = users(open_db(db_url, "read"))
    if as_json:
        echo_json(rows)
        return
    for r in rows:
        click.echo(f"{r['name']:<24} {r['role']:<8} {'' if r['active'] else 'inactive'}")
