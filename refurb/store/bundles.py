"""Bundles: what a station holds, as one signed file, merged exactly once at a hub.

A bundle is a zip with one JSON-lines member per table, a manifest (format, station,
row counts and SHA-256 of every member) and the manifest's HMAC-SHA256 under the
program's shared key. Import checks everything — signature, format, checksums, every
row parses — before it writes anything, then merges in one transaction:

- rows are keyed by their UUIDs, so a row already at the hub is skipped: importing a
  bundle twice, overlapping bundles, or bundles in any order give the same database;
- the same physical laptop seen by two shops (same identity key) becomes one device:
  the second shop's device id is mapped onto the first, with all its history;
- lots and participants are program-wide records matched by their codes: the same code
  with different facts (donor, date, community, choice) is refused whole, both versions
  named, never folded;
- a folded laptop keeps the tag the other shop printed as an alias;
- drives are matched by device and serial;
- every row that names another (a device, drive, lot, participant, assessment: the
  tables' foreign keys) must find it in the bundle or at the hub, or the bundle is
  refused whole, naming what is missing (not as a write conflict to retry);
- recyclers are matched by name and shipments by code: a field one side lacks is
  filled in (a shipment closed after an earlier export), the same code with other
  facts is refused whole, both versions named; a device is in one shipment at most;
- events dated in the future (beyond FUTURE_TOLERANCE of the hub's clock) refuse the
  bundle whole: a station whose clock runs ahead must be fixed first;
- every device the bundle touches is re-checked against the rulebook, each station's
  record in its own order (refurb.app.hub does that, and recomputes the status).
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import math
import struct
import zipfile
import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import IO, Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    Integer,
    TypeDecorator,
    bindparam,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlmodel import Session, SQLModel

from refurb.errors import BadInput, Conflict, Refused
from refurb.i18n import N_, Listed, Phrase
from refurb.store import tallies
from refurb.store.history import derived_site, derived_status, histories, live, weight_of
from refurb.untrusted import (
    DEPTH,
    MAX_SNAPSHOT,
    MAX_TEXT,
    clean_text,
    has_surrogate,
    json_value,
    shallow,
)

FORMAT = "refurb-bundle/2"
OLDER_FORMATS = ("refurb-bundle/1",)
FUTURE_TOLERANCE = timedelta(minutes=15)
# parents before children, so foreign keys hold while merging
TABLES = (
    "lots",
    "participants",
    "recyclers",
    "shipments",
    "devices",
    "device_aliases",
    "snapshots",
    "drives",
    "assessments",
    "findings",
    "events",
    "sanitizations",
    "parts",
    "shipment_items",
)
# members a bundle from a station without shipments (an older refurb) does not have
OPTIONAL = ("recyclers", "shipments", "shipment_items")
_T = SQLModel.metadata.tables


@dataclass
class _Seen:
    """A device this merge has just written, as the identity look-up returns it."""

    id: str
    created_at: datetime


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def export_bundle(
    session: Session, key: bytes, station: str, since: datetime | None = None
) -> tuple[bytes, dict[str, int]]:
    """Every row (or, with ``since``, every row made or changed since then, with the
    parents it refers to) as one signed bundle."""
    conn = session.connection()
    rows: dict[str, list[dict[str, Any]]] = {}
    stamp = {
        "devices": "updated_at",
        "snapshots": "imported_at",
        "drives": "first_seen",
        "assessments": "created_at",
        "events": "recorded_at",  # entered since: back-dated records travel too
        "sanitizations": "recorded_at",
        "parts": "harvested_at",
        "device_aliases": "created_at",
        "recyclers": "created_at",
        "shipment_items": "added_at",
    }
    for name in TABLES:
        table = _T[name]
        q = select(table)
        if name == "shipment_items":
            q = q.order_by(table.c.shipment_id, table.c.device_id)
        if since is not None and name in stamp:
            q = q.where(table.c[stamp[name]] >= since)
        if since is not None and name == "shipments":  # opened, or closed, since
            q = q.where(or_(table.c.created_at >= since, table.c.closed_at >= since))
        if name == "findings" and since is not None:
            a = _T["assessments"]
            q = q.where(table.c.assessment_id.in_(select(a.c.id).where(a.c.created_at >= since)))
        rows[name] = [dict(r._mapping) for r in conn.execute(q)]
    if since is not None:  # the parents every exported row points at
        device_ids = {
            r["device_id"]
            for n in ("snapshots", "drives", "assessments", "events", "sanitizations")
            for r in rows[n]
        }
        device_ids |= {
            r[k] for r in rows["parts"] for k in ("from_device_id", "into_device_id") if r[k]
        }
        device_ids |= {r["device_id"] for r in rows["shipment_items"]}
        have = {r["id"] for r in rows["devices"]}
        d = _T["devices"]
        missing = list(device_ids - have)
        for i in range(0, len(missing), 500):
            rows["devices"] += [
                dict(r._mapping)
                for r in conn.execute(select(d).where(d.c.id.in_(missing[i : i + 500])))
            ]
        drive_ids = {r["drive_id"] for r in rows["sanitizations"]} | {
            r["drive_id"] for r in rows["parts"] if r["drive_id"]
        }
        have = {r["id"] for r in rows["drives"]}
        dr = _T["drives"]
        rows["drives"] += [
            dict(r._mapping)
            for r in conn.execute(select(dr).where(dr.c.id.in_(list(drive_ids - have))))
        ]
        # a shipped device's shipment, and a shipment's recycler
        missing = list(
            {r["shipment_id"] for r in rows["shipment_items"]}
            - {r["id"] for r in rows["shipments"]}
        )
        sh = _T["shipments"]
        rows["shipments"] += [
            dict(r._mapping) for r in conn.execute(select(sh).where(sh.c.id.in_(missing)))
        ]
        missing = list(
            {r["recycler_id"] for r in rows["shipments"]} - {r["id"] for r in rows["recyclers"]}
        )
        rc = _T["recyclers"]
        rows["recyclers"] += [
            dict(r._mapping) for r in conn.execute(select(rc).where(rc.c.id.in_(missing)))
        ]
    for r in rows["findings"]:
        r.pop("id", None)  # findings are keyed by their assessment; local ids differ
    members = {
        f"{n}.jsonl": "".join(
            json.dumps(r, default=_default, ensure_ascii=False) + "\n" for r in rows[n]
        ).encode("utf-8")
        for n in TABLES
    }
    manifest = {
        "format": FORMAT,
        "station": station,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "since": since.isoformat() if since else None,
        "members": {
            m: {
                "rows": rows[m[:-6]].__len__(),
                "bytes": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
            }
            for m, data in members.items()
        },
    }
    manifest_bytes = json.dumps(manifest, sort_keys=True, indent=1).encode("utf-8")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", manifest_bytes)
        z.writestr("manifest.sig", hmac.new(key, manifest_bytes, "sha256").hexdigest())
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue(), {n: len(rows[n]) for n in TABLES}


# What reading a zip can raise when its bytes are damaged (a flipped bit in compressed
# data is a zlib error; a cut one an EOFError), besides a missing member.
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    KeyError,
    UnicodeDecodeError,
    OSError,
    EOFError,
    zlib.error,
    NotImplementedError,
    RuntimeError,
    ValueError,
)
MAX_MANIFEST = 1 << 20
# A bundle file is at most 2 GiB (a station's whole history is a few hundred MB); its
# zip directory lists the manifest, the signature and one member per table, so a few
# dozen entries at most. Both are checked from the file's size and its last 64 KB,
# before anything else is read: a 3 GB file that starts with PK costs nothing to refuse.
MAX_BUNDLE = 2 << 30
MAX_MEMBERS = 64
_END = struct.Struct("<4s4H2LH")  # the zip's end-of-central-directory record


def _check_outline(fh: IO[bytes], where: str) -> None:
    try:
        _outline(fh, where)
    except OSError as exc:
        raise BadInput(
            Phrase(
                N_("bundle {where} cannot be read ({why})"), where=where, why=exc.strerror or exc
            ),
            N_("nothing was imported"),
        ) from None


def _outline(fh: IO[bytes], where: str) -> None:
    size = fh.seek(0, io.SEEK_END)
    if size > MAX_BUNDLE:
        raise BadInput(
            Phrase(
                N_("bundle {where} is {size:.1f} GiB; a bundle is at most 2 GiB"),
                where=where,
                size=size / (1 << 30),
            ),
            Phrase(
                N_(
                    "is it the right file? a larger station exports in parts ({option}); "
                    "nothing was imported"
                ),
                option="--since",
            ),
        )
    tail_size = min(size, _END.size + 0xFFFF)  # the record, then a comment of up to 64 KB
    fh.seek(size - tail_size)
    tail = fh.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < _END.size:
        raise BadInput(
            Phrase(
                N_("bundle {where} is damaged or truncated (no zip directory at its end)"),
                where=where,
            ),
            N_("copy it again from the station; nothing was imported"),
        )
    members, directory_bytes = _END.unpack_from(tail, at)[4:6]
    if members > MAX_MEMBERS or directory_bytes > MAX_MANIFEST:
        raise BadInput(
            Phrase(
                N_(
                    "bundle {where} lists {members:,} files ({size:,} bytes of zip "
                    "directory); a refurb bundle has at most {most}"
                ),
                where=where,
                members=members,
                size=directory_bytes,
                most=MAX_MEMBERS,
            ),
            N_("is it the right file? nothing was imported"),
        )
    fh.seek(0)


def _member(z: zipfile.ZipFile, name: str, size: int | None, limit: int) -> bytes:
    """One member, never inflated past what the manifest says (or ``limit``), so a
    tampered member cannot be a zip bomb."""
    info = z.getinfo(name)
    if size is not None and info.file_size != size:
        raise ValueError(f"{name} is {info.file_size} bytes, the manifest says {size}")
    cap = limit if size is None else size
    if info.file_size > cap:
        raise ValueError(f"{name} is {info.file_size} bytes, more than {cap}")
    with z.open(info) as fh:
        data = fh.read(cap + 1)
    if len(data) > cap:
        raise ValueError(f"{name} inflates past {cap} bytes")
    return data


def read_bundle(data: bytes | IO[bytes], key: bytes, where: str) -> dict[str, list[dict[str, Any]]]:
    """Check a bundle (its bytes, or a file open for reading) whole and return its
    rows; refuse it (BadInput) otherwise. A file is never read whole: its size and zip
    directory are checked first, then each member is read up to its signed size."""
    fh = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
    _check_outline(fh, where)
    try:
        z = zipfile.ZipFile(fh)
        manifest_bytes = _member(z, "manifest.json", None, MAX_MANIFEST)
        signature = _member(z, "manifest.sig", None, 256).decode("ascii").strip()
    except _ZIP_ERRORS as exc:
        raise BadInput(
            Phrase(N_("bundle {where} is damaged or truncated ({why})"), where=where, why=exc),
            N_("copy it again from the station; nothing was imported"),
        ) from None
    expected = hmac.new(key, manifest_bytes, "sha256").hexdigest()
    if not hmac.compare_digest(expected, signature):
        raise BadInput(
            Phrase(N_("bundle {where}: the signature does not match the program key"), where=where),
            N_("it was changed after export, or signed with another key; nothing was imported"),
        )
    try:
        manifest = json.loads(manifest_bytes)
    except ValueError:
        raise BadInput(
            Phrase(N_("bundle {where}: the manifest is not JSON"), where=where)
        ) from None
    fmt = manifest.get("format")
    if fmt in OLDER_FORMATS:
        raise BadInput(
            Phrase(
                N_(
                    "bundle {where}: format {fmt!r} was made by an older refurb, which kept "
                    "no event order for the rulebook to check"
                ),
                where=where,
                fmt=fmt,
            ),
            N_("upgrade refurb at that station and export again; nothing was imported"),
        )
    if fmt != FORMAT:
        raise BadInput(
            Phrase(
                N_("bundle {where}: format {fmt!r}; this refurb reads {known}"),
                where=where,
                fmt=fmt,
                known=FORMAT,
            ),
            N_("upgrade refurb at the hub; nothing was imported"),
        )
    rows: dict[str, list[dict[str, Any]]] = {}
    for name in TABLES:
        member = f"{name}.jsonl"
        info = manifest.get("members", {}).get(member)
        if info is None and name in OPTIONAL:
            rows[name] = []
            continue
        if info is None:
            raise BadInput(
                Phrase(
                    N_("bundle {where}: the manifest does not list {member}"),
                    where=where,
                    member=member,
                )
            )
        size = info.get("bytes")  # bundles written before sizes were recorded have none
        try:
            blob = _member(z, member, size if isinstance(size, int) else None, 1 << 34)
        except _ZIP_ERRORS as exc:
            raise BadInput(
                Phrase(
                    N_("bundle {where}: {member} is missing or damaged ({why})"),
                    where=where,
                    member=member,
                    why=exc,
                )
            ) from None
        if hashlib.sha256(blob).hexdigest() != info.get("sha256"):
            raise BadInput(
                Phrase(
                    N_("bundle {where}: {member} does not match its checksum"),
                    where=where,
                    member=member,
                ),
                N_("the bundle is damaged; nothing was imported"),
            )
        try:
            rows[name] = [_typed(name, json.loads(line)) for line in blob.splitlines() if line]
        except (ValueError, TypeError, KeyError, RecursionError) as exc:
            raise BadInput(
                Phrase(
                    N_("bundle {where}: {member} holds a row that cannot be read ({why})"),
                    where=where,
                    member=member,
                    why=exc,
                ),
                N_("the bundle is damaged; nothing was imported"),
            ) from None
    return rows


# Dates a record can hold: the front doors take 1990-2100 for dates typed by a person;
# a laptop whose clock battery died reports its own year (1970, 2000, ...) in a
# snapshot, so a bundle's times may be older. Year 1 or 9999 is a forged or damaged row
# (and would overflow on the way to UTC).
_YEARS = (1900, 2200)


def _year_in_range(year: int) -> None:
    if not _YEARS[0] <= year <= _YEARS[1]:
        raise ValueError(f"the year {year} is not one a record can hold")


def _moment(v: Any) -> datetime:
    if type(v) is not str:
        raise TypeError(f"expected a date and time, found {type(v).__name__}")
    t = datetime.fromisoformat(v)
    _year_in_range(t.year)
    try:
        t = t.astimezone(UTC) if t.tzinfo else t.replace(tzinfo=UTC)
    except OverflowError:
        raise ValueError(f"the time {v[:40]!r} is out of range") from None
    _year_in_range(t.year)
    return t


def _day(v: Any) -> date:
    if type(v) is not str:
        raise TypeError(f"expected a date, found {type(v).__name__}")
    d = date.fromisoformat(v)
    _year_in_range(d.year)
    return d


_MOST_INT = 2**63 - 1  # what a database's BIGINT holds
_MOST_SMALL = 2**31 - 1  # and its INTEGER


def _whole_up_to(most: int) -> Any:
    def whole(v: Any) -> int:
        if type(v) is not int:
            raise TypeError(f"expected a whole number, found {type(v).__name__}")
        if not -most <= v <= most:
            raise ValueError("a whole number too large for the database")
        return v

    return whole


def _number(v: Any) -> float:
    if type(v) not in (int, float):
        raise TypeError(f"expected a number, found {type(v).__name__}")
    try:
        f = float(v)
    except OverflowError:
        raise ValueError("a number too large") from None
    if not math.isfinite(f):
        raise ValueError(f"{v!r} is not a number that can be stored")
    return f


def _text(v: Any) -> str:
    """Text as the station's front doors let it in: one line, no control characters,
    no longer than a typed argument may be."""
    if type(v) is not str:
        raise TypeError(f"expected text, found {type(v).__name__}")
    if len(v) > MAX_TEXT:
        raise ValueError(f"text of {len(v):,} characters (at most {MAX_TEXT:,})")
    return clean_text(v)


# The JSON documents kept as text: as they are (their checksum is part of the record),
# but each must be JSON the readers can walk (no NaN, not nested past _DEPTH) and, for
# these, an object.
_JSON_COLUMNS = {"doc", "data", "checklist", "value", "threshold"}
_JSON_OBJECTS = {"doc", "data", "checklist"}
_MOST_JSON = 4 * MAX_SNAPSHOT  # characters; a snapshot file is at most MAX_SNAPSHOT bytes


def _json_text(column: str) -> Any:
    def read(v: Any) -> str:
        if type(v) is not str:
            raise TypeError(f"expected text, found {type(v).__name__}")
        if len(v) > _MOST_JSON:
            raise ValueError(f"{column} of {len(v):,} characters (at most {_MOST_JSON:,})")
        if has_surrogate(v):
            raise ValueError(f"{column} is not UTF-8 text")
        try:
            doc = json_value(v)
        except BadInput as exc:
            raise ValueError(f"{column}: {exc.message}") from None
        if column in _JSON_OBJECTS and type(doc) is not dict:
            raise ValueError(f"{column} is not a JSON object")
        # a document with fewer brackets than DEPTH cannot nest deeper (most events' data)
        if v.count("{") + v.count("[") > DEPTH and not shallow(doc, DEPTH):
            raise ValueError(f"{column} is nested more than {DEPTH} levels deep")
        return v

    return read


def _flag(v: Any) -> bool:
    if type(v) is not bool:
        raise TypeError(f"expected true or false, found {type(v).__name__}")
    return v


def _kinds(table: str) -> dict[str, Any]:
    """Each column's reader of a JSON value (a date read from its text, a number checked
    to be one the database can hold, ...), worked out once per table rather than once
    per value. A signed bundle is still read as untrusted: a station's key can leak."""
    out: dict[str, Any] = {}
    for col in _T[table].c:
        kind = col.type.impl if isinstance(col.type, TypeDecorator) else col.type
        if isinstance(kind, DateTime):
            out[col.name] = _moment
        elif isinstance(kind, Date):
            out[col.name] = _day
        elif isinstance(kind, Boolean):
            out[col.name] = _flag
        elif isinstance(kind, BigInteger):
            out[col.name] = _whole_up_to(_MOST_INT)
        elif isinstance(kind, Integer):
            out[col.name] = _whole_up_to(_MOST_SMALL)
        elif isinstance(kind, Float):
            out[col.name] = _number
        else:
            out[col.name] = _json_text(col.name) if col.name in _JSON_COLUMNS else _text
    return out


def _required(table: str) -> tuple[str, ...]:
    """The columns a row must give: not null, and no default to fall back on."""
    return tuple(
        col.name
        for col in _T[table].c
        if not col.nullable
        and col.default is None
        and col.server_default is None
        and not (col.primary_key and isinstance(col.type, Integer))  # the database numbers it
    )


_KINDS = {name: _kinds(name) for name in TABLES}


_READERS = {name: list(kinds.items()) for name, kinds in _KINDS.items()}


_REQUIRED = {name: _required(name) for name in TABLES}


def _typed(table: str, row: dict[str, Any]) -> dict[str, Any]:
    if type(row) is not dict:
        raise TypeError(f"a row is a JSON object, not {type(row).__name__}")
    kinds = _KINDS[table]
    if not row.keys() <= kinds.keys():  # a column this refurb does not know
        raise ValueError(f"unknown column {next(k for k in row if k not in kinds)[:40]!r}")
    for k in _REQUIRED[table]:
        if row.get(k) is None:
            raise ValueError(f"a row without {k}")
    for k, read in _READERS[table]:
        v = row.get(k)
        if v is not None:
            row[k] = read(v)
    return row


@dataclass
class Merged:
    added: dict[str, int]  # how many rows of each table were new here
    touched: set[str]  # the devices written (or folded into), by their ids here


def merge(
    session: Session, rows: dict[str, list[dict[str, Any]]], where: str = "(bundle)"
) -> Merged:
    """Merge checked rows (the rulebook's re-check is the caller's: refurb.app.hub)."""
    conn = session.connection()
    _all_references_known(conn, rows, where)
    added = dict.fromkeys(TABLES, 0)
    remap: dict[str, dict[str, str]] = {"lots": {}, "participants": {}, "devices": {}, "drives": {}}

    def known_ids(table: str, ids: list[str]) -> set[str]:
        t = _T[table]
        found: set[str] = set()
        for i in range(0, len(ids), 500):
            found |= {
                r[0] for r in conn.execute(select(t.c.id).where(t.c.id.in_(ids[i : i + 500])))
            }
        return found

    def by_code(table: str, facts: tuple[str, ...]) -> None:
        # one read of the hub's rows with these codes (500 at a time), one insert of
        # the new ones: a row this bundle adds is matched like one already here
        t = _T[table]
        codes = list({r["code"] for r in rows[table]})
        here: dict[str, Any] = {}
        for i in range(0, len(codes), 500):
            for hit in conn.execute(select(t).where(t.c.code.in_(codes[i : i + 500]))):
                here[hit.code] = hit._mapping
        new_rows: list[dict[str, Any]] = []
        for r in rows[table]:
            there = here.get(r["code"])
            if there is None:
                new_rows.append(r)
                here[r["code"]] = r
                continue
            differ = [f for f in facts if there[f] != r[f]]
            if differ:
                lot = table == "lots"
                raise Refused(
                    Phrase(
                        N_("lot {code} is already here with other facts: {differ}")
                        if lot
                        else N_("participant {code} is already here with other facts: {differ}"),
                        code=r["code"],
                        differ=Listed(_differences(differ, there, r), "; "),
                    ),
                    N_(
                        "a lot code names one lot across the program: give one of them "
                        "another code at its station (or correct it), export again; nothing "
                        "was imported"
                    )
                    if lot
                    else N_(
                        "a participant code names one participant across the program: give "
                        "one of them another code at its station (or correct it), export "
                        "again; nothing was imported"
                    ),
                    rule="code-conflict",
                )
            if there["id"] != r["id"]:
                remap[table][r["id"]] = there["id"]
        if new_rows:
            _no_recoded(conn, table, new_rows)
            _no_case_twins(conn, table, [r["code"] for r in new_rows])
            conn.execute(insert(t), new_rows)
        added[table] += len(new_rows)

    _no_future(rows["events"])
    by_code("lots", ("donor", "received_on", "donor_choice", "community"))
    by_code("participants", ("community",))
    d = _T["devices"]
    touched: set[str] = set()
    incoming = rows["devices"]
    present = known_ids("devices", [r["id"] for r in incoming])
    by_key: dict[str, Any] = {}
    keys = list({r["identity_key"] for r in incoming if r["identity_key"]})
    for i in range(0, len(keys), 500):
        for hit in conn.execute(
            select(d.c.id, d.c.created_at, d.c.identity_key).where(
                d.c.identity_key.in_(keys[i : i + 500])
            )
        ):
            by_key[hit.identity_key] = hit
    # The report tallies: every device this bundle may change (or fold into another) and
    # every participant it may issue a laptop to, read before anything is written.
    person_of = remap["participants"]
    tallies.keeper(session).watch(
        {r["id"] for r in incoming}
        | {hit.id for hit in by_key.values()}
        | {r["device_id"] for r in rows["events"] if r["device_id"]},
        {person_of.get(p, p) for r in rows["events"] if (p := r["participant_id"])},
    )
    tags = [r["tag"] for r in incoming]
    taken: dict[str, str] = {}
    aliased = _T["device_aliases"]
    for i in range(0, len(tags), 500):
        taken.update(
            conn.execute(
                select(aliased.c.tag, aliased.c.device_id).where(
                    aliased.c.tag.in_(tags[i : i + 500])
                )
            ).all()
        )
    for i in range(0, len(tags), 500):
        taken.update(
            conn.execute(select(d.c.tag, d.c.id).where(d.c.tag.in_(tags[i : i + 500]))).all()
        )
    fresh: list[dict[str, Any]] = []
    folded_tags: list[tuple[str, str, datetime]] = []  # (tag, device it now names, since)
    for r in incoming:
        r["lot_id"] = remap["lots"].get(r["lot_id"], r["lot_id"])
        if r["id"] in present:
            touched.add(r["id"])
            continue
        same = by_key.get(r["identity_key"]) if r["identity_key"] else None
        if same is not None:
            if (same.created_at, same.id) <= (r["created_at"], r["id"]):
                remap["devices"][r["id"]] = same.id
                touched.add(same.id)
                folded_tags.append((r["tag"], same.id, r["created_at"]))
                continue
            # The bundle's record of this laptop is the older one: it survives, whatever
            # the order bundles arrive in, and the hub's later record folds into it.
            conn.execute(update(d).where(d.c.id == same.id).values(identity_key=None))
            was = conn.execute(select(d.c.tag, d.c.created_at).where(d.c.id == same.id)).first()
            if was is None:  # another hub process folded it a moment ago: run again
                raise Conflict(
                    N_("another hub process is merging the same laptop"), N_("run it again")
                )
            old_tag, old_created = was
            conn.execute(update(d).where(d.c.id == same.id).values(tag=f"~{same.id}"))
            conn.execute(insert(d).values(**r))
            _repoint(conn, same.id, r["id"])
            folded_tags.append((old_tag, r["id"], old_created))
            conn.execute(d.delete().where(d.c.id == same.id))
            for old, new in list(remap["devices"].items()):
                if new == same.id:
                    remap["devices"][old] = r["id"]
            touched.discard(same.id)
            touched.add(r["id"])
            by_key[r["identity_key"]] = _Seen(r["id"], r["created_at"])
            continue
        if taken.get(r["tag"], r["id"]) != r["id"]:
            raise Refused(
                Phrase(
                    N_("tag {tag} is on two different devices (this hub and the bundle)"),
                    tag=r["tag"],
                ),
                N_(
                    "give each shop its own tag prefix (station in the config); nothing was "
                    "imported"
                ),
            )
        fresh.append(r)
        taken[r["tag"]] = r["id"]
        if r["identity_key"]:
            by_key[r["identity_key"]] = _Seen(r["id"], r["created_at"])
        touched.add(r["id"])
    if fresh:
        conn.execute(insert(d), fresh)
    added["devices"] += len(fresh)
    al = _T["device_aliases"]
    for r in rows["device_aliases"]:
        folded_tags.append((r["tag"], r["device_id"], r["created_at"]))
    for tag, device_id, since in folded_tags:
        device_id = remap["devices"].get(device_id, device_id)
        if conn.execute(select(d.c.id).where(d.c.tag == tag)).scalar() == device_id:
            continue  # the device's own tag
        there = conn.execute(select(al.c.device_id).where(al.c.tag == tag)).scalar()
        if there is None:
            conn.execute(insert(al).values(tag=tag, device_id=device_id, created_at=since))
            added["device_aliases"] += 1
        elif there != device_id:
            conn.execute(update(al).where(al.c.tag == tag).values(device_id=device_id))

    def dev(x: str | None) -> str | None:
        return remap["devices"].get(x, x) if x else x

    dr = _T["drives"]
    present = known_ids("drives", [r["id"] for r in rows["drives"]])
    # the hub's drives of these devices, by (device, serial), read once; a drive this
    # bundle adds is matched like one already here, and all are inserted at once
    for r in rows["drives"]:
        r["device_id"] = dev(r["device_id"])
    serial_of: dict[tuple[str, str], str] = {}
    on = list({r["device_id"] for r in rows["drives"] if r["serial"] and r["id"] not in present})
    for i in range(0, len(on), 500):
        for drive_id, device_id, serial in conn.execute(
            select(dr.c.id, dr.c.device_id, dr.c.serial)
            .where(dr.c.device_id.in_(on[i : i + 500]), dr.c.serial.is_not(None))
            .order_by(dr.c.id)
        ):
            serial_of.setdefault((device_id, serial), drive_id)
    new_drives = []
    for r in rows["drives"]:
        if r["id"] in present:
            continue
        if r["serial"]:
            same = serial_of.get((r["device_id"], r["serial"]))
            if same is not None:
                remap["drives"][r["id"]] = same
                continue
            serial_of[(r["device_id"], r["serial"])] = r["id"]
        new_drives.append(r)
    if new_drives:
        conn.execute(insert(dr), new_drives)
    added["drives"] += len(new_drives)

    def plain(table: str, fix: dict[str, Any]) -> set[str]:
        t = _T[table]
        present = known_ids(table, [r["id"] for r in rows[table]])
        new_rows = []
        for r in rows[table]:
            if r["id"] in present:
                continue
            for k, f in fix.items():
                r[k] = f(r[k])
            new_rows.append(r)
        if new_rows:
            conn.execute(insert(t), new_rows)
        added[table] += len(new_rows)
        return {r["id"] for r in new_rows}

    plain("snapshots", {"device_id": dev})
    new_assessments = plain("assessments", {"device_id": dev})
    fresh = [r for r in rows["findings"] if r["assessment_id"] in new_assessments]
    if fresh:
        conn.execute(insert(_T["findings"]), fresh)
    added["findings"] = len(fresh)
    person = remap["participants"]
    drive = remap["drives"]
    plain(
        "events",
        {
            "device_id": dev,
            "participant_id": lambda p: person.get(p, p) if p else p,
            "data": lambda x: _remap_drives(x, drive),
        },
    )
    plain("sanitizations", {"device_id": dev, "drive_id": lambda x: drive.get(x, x)})
    plain(
        "parts",
        {
            "from_device_id": dev,
            "into_device_id": dev,
            "drive_id": lambda x: drive.get(x, x) if x else x,
        },
    )
    _merge_shipments(session, rows, dev, added)
    for r in rows["events"]:
        if r["device_id"]:
            touched.add(r["device_id"])  # already mapped to the surviving device
    _mark_voided(conn, touched)
    _refresh(conn, touched)
    return Merged(added, touched)


_WORD = {  # phrases, so the reader's language shows them
    "devices": Phrase(N_("device")),
    "drives": Phrase(N_("drive")),
    "lots": Phrase(N_("lot")),
    "participants": Phrase(N_("participant")),
    "assessments": Phrase(N_("assessment")),
    "snapshots": Phrase(N_("snapshot")),
}


def _differences(fields: list[str], here: Any, there: dict[str, Any]) -> list[Phrase]:
    return [
        Phrase(
            N_("{field} {here!s} here, {there!s} in the bundle"),
            field=f,
            here=here[f],
            there=there[f],
        )
        for f in fields
    ]


def _no_recoded(conn: Any, table: str, new_rows: list[dict[str, Any]]) -> None:
    """A lot's or participant's code never changes: a row with a new code whose id is
    here under another code comes from a damaged (or forged) database, and would
    otherwise end in "another writer stored the same record" after every retry."""
    t = _T[table]
    by_id = {r["id"]: r["code"] for r in new_rows}
    ids = list(by_id)
    for i in range(0, len(ids), 500):
        part = ids[i : i + 500]
        for rid, here in conn.execute(select(t.c.id, t.c.code).where(t.c.id.in_(part))):
            raise Refused(
                Phrase(
                    N_("the bundle renames lot {here} to {code}; a lot's code never changes")
                    if table == "lots"
                    else N_(
                        "the bundle renames participant {here} to {code}; a participant's code "
                        "never changes"
                    ),
                    here=here,
                    code=by_id[rid],
                ),
                N_(
                    "the station's database is damaged or the bundle was changed: restore "
                    "the station from its backup, export again; nothing was imported"
                ),
                rule="code-conflict",
            )


def _no_case_twins(conn: Any, table: str, codes: list[str]) -> None:
    """New lot or participant codes that are codes already here (or in the same bundle)
    in other capitals are refused: "p-0042" would be a second P-0042 on paper."""
    t = _T[table]
    seen: dict[str, str] = {}
    plain = [c for c in codes if c.isascii()]
    for i in range(0, len(plain), 500):
        upper = list({c.upper() for c in plain[i : i + 500]})
        for (here,) in conn.execute(select(t.c.code).where(func.upper(t.c.code).in_(upper))):
            seen.setdefault(here.casefold(), here)
    # SQLite's upper() knows only ASCII: other codes are compared here, among the
    # codes of their lengths
    lengths = sorted({len(c) for c in codes if not c.isascii()})
    if lengths:
        for (here,) in conn.execute(select(t.c.code).where(func.length(t.c.code).in_(lengths))):
            seen.setdefault(here.casefold(), here)
    for code in codes:
        twin = seen.setdefault(code.casefold(), code)
        if twin != code:
            lot = table == "lots"
            raise Refused(
                Phrase(
                    N_("lot {code} would be {twin}, already recorded, in other capitals")
                    if lot
                    else N_(
                        "participant {code} would be {twin}, already recorded, in other capitals"
                    ),
                    code=code,
                    twin=twin,
                ),
                N_(
                    "correct the code at the station to the one already recorded, export "
                    "again; nothing was imported"
                ),
                rule="code-conflict",
            )


def _all_references_known(conn: Any, rows: dict[str, list[dict[str, Any]]], where: str) -> None:
    """Every value of a foreign key in the bundle names a row of the bundle or of the hub;
    otherwise refuse the bundle whole, before anything is written. (Without this the
    database's foreign key failed in the middle of the merge and, taken for a write
    conflict, was retried eight times and reported as "another writer".)"""
    wanted: dict[str, dict[str, str]] = {}  # target table -> id -> the first row naming it
    for table in TABLES:
        for column in _T[table].c:
            for fk in column.foreign_keys:
                target = fk.column.table.name
                ids = wanted.setdefault(target, {})
                for r in rows[table]:
                    value = r.get(column.name)
                    if value is not None and value not in ids:
                        ids[value] = f"{table}.{column.name}"
    for target, ids in wanted.items():
        missing = set(ids) - {r["id"] for r in rows.get(target, [])}
        t = _T[target]
        todo = sorted(missing)
        for i in range(0, len(todo), 500):
            missing -= {
                r[0] for r in conn.execute(select(t.c.id).where(t.c.id.in_(todo[i : i + 500])))
            }
        if missing:
            first = sorted(missing, key=lambda x: (ids[x], x))[:3]
            word = _WORD.get(target, target)
            raise BadInput(
                Phrase(
                    N_(
                        "bundle {where} names {count} {word}(s) that are not in the bundle "
                        "and not at this hub: {first}{more}"
                    ),
                    where=where,
                    count=len(missing),
                    word=word,
                    first=Listed([f"{ids[x]} {x}" for x in first], ", "),
                    more=" ..." if len(missing) > 3 else "",
                ),
                Phrase(
                    N_(
                        "import the bundle that carries the {word} first (an export without "
                        "{option} carries everything), or export again at the station; nothing "
                        "was imported"
                    ),
                    word=word,
                    option="--since",
                ),
            )


def _conflict(what: str, code: str, here: dict[str, Any], there: dict[str, Any]) -> Refused:
    differ = Listed(
        [
            Phrase(
                N_("{field} {here!s} here, {there!s} in the bundle"),
                field=f.removesuffix("_id"),
                here=here[f],
                there=there[f],
            )
            for f in here
        ],
        "; ",
    )
    recycler = what == "recycler"
    return Refused(
        Phrase(
            N_("recycler {code} is already here with other facts: {differ}")
            if recycler
            else N_("shipment {code} is already here with other facts: {differ}"),
            code=code,
            differ=differ,
        ),
        N_(
            "a recycler names one recycler across the program: correct it at its station (or "
            "give it another name or code), export again; nothing was imported"
        )
        if recycler
        else N_(
            "a shipment names one shipment across the program: correct it at its station (or "
            "give it another name or code), export again; nothing was imported"
        ),
        rule="code-conflict",
    )


def _match(
    conn: Any,
    table: str,
    key: str,
    row: dict[str, Any],
    same: tuple[str, ...],
    fill: tuple[str, ...],
    show: dict[str, Any] | None = None,
) -> tuple[Any, dict[str, Any]]:
    """The hub's record with the same ``key`` (or None), and the fields of ``fill`` it
    lacks and the bundle has. Fields of ``same`` must be equal, and so must fields of
    ``fill`` both sides have (``closed_at`` aside: when, not what): otherwise the bundle
    is refused whole, both versions named (``show`` turns an id into a name)."""
    t = _T[table]
    there = conn.execute(select(t).where(t.c[key] == row[key])).first()
    if there is None:
        return None, {}
    have = there._mapping
    differ = [f for f in same if have[f] != row[f]] + [
        f for f in fill if f != "closed_at" and None not in (have[f], row[f]) and have[f] != row[f]
    ]
    if differ:
        what = "recycler" if table == "recyclers" else "shipment"
        shown = show or {}
        raise _conflict(
            what,
            row[key],
            {f: shown.get(have[f], have[f]) for f in differ},
            {f: shown.get(row[f], row[f]) for f in differ},
        )
    return there, {f: row[f] for f in fill if have[f] is None and row[f] is not None}


def _merge_shipments(
    session: Session, rows: dict[str, list[dict[str, Any]]], dev: Any, added: dict[str, int]
) -> None:
    """Recyclers by name, shipments by code, their devices. A shipment's weight is spread
    over its devices in the report tallies, so every device of a shipment this bundle
    changes is watched before anything is written."""
    conn = session.connection()
    rc, sh, items = _T["recyclers"], _T["shipments"], _T["shipment_items"]
    recycler_of: dict[str, str] = {}
    for r in rows["recyclers"]:
        there, fill = _match(conn, "recyclers", "name", r, (), ("address", "certification"))
        if there is None:
            conn.execute(insert(rc).values(**r))
            added["recyclers"] += 1
            continue
        if fill:
            conn.execute(update(rc).where(rc.c.id == there.id).values(**fill))
        recycler_of[r["id"]] = there.id
    shipment_of: dict[str, str] = {}
    writes: list[tuple[Any, dict[str, Any]]] = []  # (hub id or None, row or fill)
    names = dict(conn.execute(select(rc.c.id, rc.c.name)).all())  # for a refusal's words
    for r in rows["shipments"]:
        r["recycler_id"] = recycler_of.get(r["recycler_id"], r["recycler_id"])
        there, fill = _match(
            conn,
            "shipments",
            "code",
            r,
            ("recycler_id", "shipped_on"),
            ("bol", "weight_kg", "certificate", "received_on", "closed_at"),
            show=names,
        )
        if there is None:
            writes.append((None, r))
            continue
        shipment_of[r["id"]] = there.id
        if fill:
            writes.append((there.id, fill))
    new_items = []
    for r in rows["shipment_items"]:
        r["shipment_id"] = shipment_of.get(r["shipment_id"], r["shipment_id"])
        r["device_id"] = dev(r["device_id"])
        other = conn.execute(
            select(sh.c.id, sh.c.code)
            .join(items, items.c.shipment_id == sh.c.id)
            .where(items.c.device_id == r["device_id"])
        ).first()
        if other is not None and other.id == r["shipment_id"]:
            continue  # already here
        if other is not None:
            code = next(
                (s["code"] for s in rows["shipments"] if s["id"] == r["shipment_id"]),
                r["shipment_id"],
            )
            d = _T["devices"]
            tag = conn.execute(select(d.c.tag).where(d.c.id == r["device_id"])).scalar()
            raise Refused(
                Phrase(
                    N_("{tag} is in shipment {here} here and in shipment {there} in the bundle"),
                    tag=tag or r["device_id"],
                    here=other.code,
                    there=code,
                ),
                N_(
                    "a device goes out in one shipment: correct it at the station, export "
                    "again; nothing was imported"
                ),
                rule="shipped-twice",
            )
        new_items.append(r)
    # the tallies: every device of a shipment whose weight or devices change
    changed = {hub_id for hub_id, _ in writes if hub_id} | {r["shipment_id"] for r in new_items}
    if changed:
        watched = {r["device_id"] for r in new_items}
        watched |= set(
            conn.execute(
                select(items.c.device_id).where(items.c.shipment_id.in_(list(changed)))
            ).scalars()
        )
        tallies.keeper(session).watch(watched)
    for hub_id, values in writes:
        if hub_id is None:
            conn.execute(insert(sh).values(**values))
            added["shipments"] += 1
        else:
            conn.execute(update(sh).where(sh.c.id == hub_id).values(**values))
    if new_items:
        conn.execute(insert(items), new_items)
        added["shipment_items"] += len(new_items)


def _no_future(events: list[dict[str, Any]]) -> None:
    limit = datetime.now(UTC) + FUTURE_TOLERANCE
    ahead = [e for e in events if e["at"] is not None and e["at"] > limit]
    if ahead:
        first = min(ahead, key=lambda e: e["at"])
        raise Refused(
            Phrase(
                N_(
                    "{count} event(s) in the bundle are dated in the future (the first "
                    "{first}, on device {device}, station {station}): that station's clock "
                    "runs ahead"
                ),
                count=len(ahead),
                first=first["at"].isoformat(timespec="minutes"),
                device=first["device_id"],
                station=first.get("station") or "?",
            ),
            N_("set the station's clock right, then export again; nothing was imported"),
            rule="future-events",
        )


def _mark_voided(conn: Any, device_ids: set[str]) -> None:
    """The void cache on events: each event a void event of these devices names."""
    e = _T["events"]
    ids = list(device_ids)
    for i in range(0, len(ids), 500):
        for void_id, target in conn.execute(
            select(e.c.id, e.c.ref).where(e.c.kind == "void", e.c.device_id.in_(ids[i : i + 500]))
        ):
            conn.execute(
                update(e).where(e.c.id == target, e.c.voided_by.is_(None)).values(voided_by=void_id)
            )


def _remap_drives(data: str | None, drive: dict[str, str]) -> str | None:
    """Drive ids inside an event's facts, where the hub knew the drive by another id."""
    if not data or not drive:
        return data
    doc = json.loads(data)
    if doc.get("drive") in drive:
        doc["drive"] = drive[doc["drive"]]
    for key in ("seen", "failing"):
        if key in doc:
            doc[key] = [drive.get(x, x) for x in doc[key]]
    return json.dumps(doc, sort_keys=True)


_DEVICE_REFS = (
    ("snapshots", "device_id"),
    ("drives", "device_id"),
    ("assessments", "device_id"),
    ("events", "device_id"),
    ("sanitizations", "device_id"),
    ("parts", "from_device_id"),
    ("parts", "into_device_id"),
    ("device_aliases", "device_id"),
    ("shipment_items", "device_id"),
)


def _repoint(conn: Any, old: str, new: str) -> None:
    for table, column in _DEVICE_REFS:
        t = _T[table]
        conn.execute(update(t).where(t.c[column] == old).values({column: new}))


def _refresh(conn: Any, device_ids: set[str]) -> None:
    """Status, verdict and grades of each touched device, from its merged history (the
    status from the last status event in the device's own order)."""
    a, d = _T["assessments"], _T["devices"]

    def latest(column: Any) -> Any:
        return (
            select(column)
            .where(a.c.device_id == d.c.id)
            .order_by(a.c.created_at.desc(), a.c.id.desc())
            .limit(1)
            .scalar_subquery()
        )

    ids = list(device_ids)
    same_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        conn.execute(
            update(d)
            .where(d.c.id.in_(chunk))
            .values(
                disposition=func.coalesce(latest(a.c.disposition), d.c.disposition),
                grade_functional=func.coalesce(latest(a.c.grade_functional), d.c.grade_functional),
                grade_cosmetic=func.coalesce(latest(a.c.grade_cosmetic), d.c.grade_cosmetic),
            )
        )
        for device_id, rows in histories(conn, chunk).items():
            values: dict[str, Any] = {}
            status = derived_status(rows)
            if status is not None:
                values["status"] = status
            weighed = [r for r in live(rows) if r.kind == "weighed"]
            if weighed:
                values["weight_kg"] = weight_of(weighed[-1])
            site = derived_site(rows)  # where a shop last saw it (stocktake, issue #14)
            if site is not None:
                values["site"] = site
            if values:
                params = {f"new_{c}": v for c, v in values.items()}
                params["the_id"] = device_id
                same_columns.setdefault(tuple(values), []).append(params)
    # one executemany per set of columns written, not one statement per device
    for columns, many in same_columns.items():
        conn.execute(
            update(d)
            .where(d.c.id == bindparam("the_id"))
            .values({c: bindparam(f"new_{c}") for c in columns}),
            many,
        )
