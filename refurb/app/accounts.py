"""People who sign in to the web pages: accounts, roles, passwords, the session secret
and the one-time link that creates the first admin.

Passwords are hashed with the standard library's scrypt (memory-hard: n=2**14, r=8,
p=1, 16 MiB), a random 16-byte salt each, compared in constant time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from refurb.errors import BadInput, Refused
from refurb.i18n import N_, Phrase
from refurb.store.db import Store
from refurb.store.users import (
    add_user as store_add_user,
)
from refurb.store.users import (
    drop_setting,
    find_user,
    get_setting,
    put_setting,
    update_user,
    user_count,
    user_rows,
)

# trainee: intake, checklists, view; lead: every lifecycle step, lots, participants;
# manager: read-only plus reports and exports; admin: accounts (and everything else)
ROLES = ("trainee", "lead", "manager", "admin")
MIN_PASSWORD = 10
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
_N, _R, _P = 2**14, 8, 1
SETUP_HOURS = 24


@dataclass(frozen=True)
class Account:
    name: str
    role: str


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${_N}${_R}${_P}${b64(salt).decode()}${b64(digest).decode()}"


def check_password(password: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        want = base64.b64decode(digest)
        got = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(want),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, want)


# A hash to check against when the name is unknown, so a wrong name and a wrong password
# take the same time.
_DUMMY = hash_password(secrets.token_hex(8))


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not NAME.fullmatch(name):
        raise BadInput(
            Phrase(N_("{value!r} cannot be an account name"), value=name[:80]),
            N_("use 1 to 64 letters, digits, dots, dashes, @ or underscores"),
        )
    return name


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise BadInput(
            Phrase(N_("a password needs at least {least} characters"), least=MIN_PASSWORD)
        )
    if len(password) > 1024:
        raise BadInput(N_("a password of more than 1,024 characters is not accepted"))
    try:
        password.encode()
    except UnicodeEncodeError:
        # a lone surrogate: what a terminal in a non-UTF-8 locale, or a broken paste, gives
        raise BadInput(
            N_("the password holds a character that is not text (a broken paste or terminal?)"),
            N_("type it again, in a UTF-8 terminal"),
        ) from None


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise BadInput(
            Phrase(N_("{role!r} is not a role"), role=role),
            Phrase(N_("roles: {roles}"), roles=", ".join(ROLES)),
        )
    return role


def add_user(store: Store, name: str, role: str, password: str) -> Account:
    name, role = check_name(name), _check_role(role)
    check_new_password(password)
    hashed = hash_password(password)
    with store.transaction() as session:
        user = store_add_user(session, name, role, hashed)
        return Account(user.name, user.role)


def set_password(store: Store, name: str, password: str) -> None:
    check_new_password(password)
    hashed = hash_password(password)
    with store.transaction() as session:
        update_user(session, name, password=hashed)


def set_role(store: Store, name: str, role: str, active: bool) -> Account:
    _check_role(role)
    with store.transaction() as session:
        user = update_user(session, name, role=role, active=active)
        if user_count_admins(session) == 0:
            raise Refused(
                N_("that would leave no active admin"),
                N_("keep one admin account"),
                rule="last-admin",
            )
        return Account(user.name, user.role)


def user_count_admins(session: Any) -> int:
    return sum(1 for u in user_rows(session) if u["role"] == "admin" and u["active"])


def users(store: Store) -> list[dict[str, Any]]:
    with store.reading() as session:
        return user_rows(session)


def authenticate(store: Store, name: str, password: str) -> Account | None:
    """The account, when the name and password match an active one; else None."""
    with store.reading() as session:
        user = find_user(session, (name or "").strip())
        stored = user.password if user is not None else _DUMMY
        active = user is not None and user.active
        found = Account(user.name, user.role) if user is not None else None
    ok = check_password(password or "", stored)
    return found if ok and active else None


def _stamp(stored: str) -> str:
    """A short fingerprint of the stored password hash: a session carries it, so a new
    password (a new salt, so a new hash) ends every session signed in with the old one."""
    return hashlib.sha256(stored.encode()).hexdigest()[:24]


def session_stamp(store: Store, name: str) -> str:
    """What a new session for ``name`` keeps, to be given back to :func:`account`."""
    with store.reading() as session:
        user = find_user(session, name)
        return _stamp(user.password) if user is not None else ""


def account(store: Store, name: str, stamp: str | None = None) -> Account | None:
    """The active account ``name`` (a session names one; its role is read each time).

    With ``stamp`` (what :func:`session_stamp` gave at sign-in), None too when the
    password has changed since: a changed password signs out every other session."""
    with store.reading() as session:
        user = find_user(session, name)
        if user is None or not user.active:
            return None
        if stamp is not None and not hmac.compare_digest(stamp, _stamp(user.password)):
            return None
        return Account(user.name, user.role)


def session_secret(store: Store) -> str:
    """The key that signs session cookies: made on first start, kept in the database so
    every worker (and a restart) signs alike."""
    with store.transaction() as session:
        secret = get_setting(session, "session_secret")
        if secret is None:
            secret = secrets.token_urlsafe(48)
            put_setting(session, "session_secret", secret)
        return secret


def has_accounts(store: Store) -> bool:
    with store.reading() as session:
        return user_count(session) > 0


def setup_token(store: Store) -> str | None:
    """With no account yet: a new one-time token for the link that creates the first
    admin (valid 24 hours; a new start makes a new one). None once accounts exist."""
    with store.transaction() as session:
        if user_count(session) > 0:
            drop_setting(session, "setup_token")
            return None
        token = secrets.token_urlsafe(32)
        until = (datetime.now(UTC) + timedelta(hours=SETUP_HOURS)).isoformat()
        put_setting(session, "setup_token", f"{_digest(token)} {until}")
        return token


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def setup_valid(store: Store, token: str) -> bool:
    with store.reading() as session:
        return _setup_ok(get_setting(session, "setup_token"), token) and not user_count(session)


def _setup_ok(stored: str | None, token: str) -> bool:
    if not stored or not token:
        return False
    digest, _, until = stored.partition(" ")
    try:
        fresh = datetime.fromisoformat(until) > datetime.now(UTC)
    except ValueError:
        return False
    return fresh and hmac.compare_digest(digest, _digest(token))


def create_first_admin(store: Store, token: str, name: str, password: str) -> Account:
    """Redeem the one-time link: the first admin account, once."""
    name = check_name(name)
    check_new_password(password)
    hashed = hash_password(password)
    with store.transaction() as session:
        if user_count(session) > 0 or not _setup_ok(get_setting(session, "setup_token"), token):
            raise Refused(
                N_("this set-up link is used or out of date"),
                N_(
                    "sign in, or ask an admin; restarting the server prints a new link while "
                    "there is no account"
                ),
                rule="setup-used",
            )
        user = store_add_user(session, name, "admin", hashed)
        drop_setting(session, "setup_token")
        return Account(user.name, user.role)
