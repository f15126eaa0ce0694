"""The web pages' accounts and settings: rows in, rows out. Hashing and the rules about
who may do what are the application layer's (refurb.app.accounts)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from refurb.errors import BadInput, NotFound
from refurb.i18n import N_, Phrase
from refurb.ids import new_id
from refurb.store.inventory import now
from refurb.store.tables import User, WebSetting


def user_count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(User)).one()


def find_user(session: Session, name: str) -> User | None:
    return session.exec(select(User).where(User.name == name)).first()


def get_user(session: Session, name: str) -> User:
    user = find_user(session, name)
    if user is None:
        raise NotFound(
            Phrase(N_("no account {name!r}"), name=name),
            N_("list the accounts on the Accounts page"),
        )
    return user


def add_user(session: Session, name: str, role: str, password_hash: str) -> User:
    if find_user(session, name) is not None:
        raise BadInput(
            Phrase(N_("there is already an account {name!r}"), name=name), N_("choose another name")
        )
    at = now()
    user = User(
        id=new_id(),
        name=name,
        role=role,
        password=password_hash,
        active=True,
        created_at=at,
        updated_at=at,
    )
    session.add(user)
    session.flush()
    return user


def update_user(session: Session, name: str, **changes: Any) -> User:
    user = get_user(session, name)
    for key, value in changes.items():
        setattr(user, key, value)
    user.updated_at = now()
    session.add(user)
    session.flush()
    return user


def user_rows(session: Session) -> list[dict[str, Any]]:
    return [
        {"name": u.name, "role": u.role, "active": u.active, "created_at": u.created_at}
        for u in session.exec(select(User).order_by(col(User.name))).all()
    ]


def get_setting(session: Session, key: str) -> str | None:
    row = session.get(WebSetting, key)
    return row.value if row else None


def put_setting(session: Session, key: str, value: str) -> None:
    row = session.get(WebSetting, key)
    if row is None:
        session.add(WebSetting(key=key, value=value))
    else:
        row.value = value
        session.add(row)
    session.flush()


def drop_setting(session: Session, key: str) -> None:
    row = session.get(WebSetting, key)
    if row is not None:
        session.delete(row)
        session.flush()
