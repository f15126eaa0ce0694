"""SQLModel tables. Primary keys of everything a station creates are UUID strings, so
records made at different stations (and merged at a hub) never collide.

Times are timezone-aware UTC datetimes (SQLModel's UTCDateTime: timestamptz on
PostgreSQL, UTC text on SQLite).
``devices.status`` is a cache of the last status event, written in the same transaction
as that event; ``refurb db verify`` recomputes it from the log.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Index
from sqlmodel import Field, SQLModel

STATUSES = (
    "received",
    "diagnosed",
    "wiped",
    "repairing",
    "ready",
    "issued",
    "returned",
    "harvested",
    "recycled",
)


class Lot(SQLModel, table=True):
    __tablename__ = "lots"
    id: str = Field(primary_key=True)
    code: str = Field(unique=True, index=True)
    donor: str
    received_on: date
    donor_choice: str = "reuse"  # reuse | recycle (recycle only: the donor's wish)
    community: str | None = Field(default=None, index=True)
    site: str | None = None
    weight_kg: float | None = None
    created_at: datetime


class Device(SQLModel, table=True):
    __tablename__ = "devices"
    # the web device list: a page of one status, community or lot in (created_at, id) order
    __table_args__ = (
        Index("ix_devices_status_created", "status", "created_at", "id"),
        Index("ix_devices_community_created", "community", "created_at", "id"),
        Index("ix_devices_lot_created", "lot_id", "created_at", "id"),
        # a stocktake: the devices last seen at (or moved to) a site
        Index("ix_devices_site_status", "site", "status"),
        # the list's facet counts: grouped by all six in one pass over this index
        Index(
            "ix_devices_facets",
            "status",
            "disposition",
            "grade_functional",
            "chassis",
            "community",
            "lot_id",
        ),
    )
    id: str = Field(primary_key=True)
    tag: str = Field(unique=True, index=True)
    identity_kind: str | None = None  # serial | board | uuid | mac | None (nothing trustworthy)
    identity_key: str | None = Field(default=None, unique=True)
    vendor: str | None = None
    model: str | None = Field(default=None, index=True)
    serial: str | None = Field(default=None, index=True)
    chassis: str | None = None
    cpu: str | None = None
    memory_bytes: int | None = Field(default=None, sa_type=BigInteger)
    storage_bytes: int | None = Field(default=None, sa_type=BigInteger)
    battery_health_pct: float | None = None
    year: int | None = None  # year of production where known (label, WEEE test record)
    lot_id: str | None = Field(default=None, foreign_key="lots.id", index=True)
    community: str | None = Field(default=None, index=True)
    weight_kg: float | None = None  # measured; None = use the chassis default
    status: str = Field(default="received", index=True)
    # cache: the site of its latest seen/sited event (None: never; its lot's site holds)
    site: str | None = None
    disposition: str | None = None  # latest assessment's
    grade_functional: str | None = None
    grade_cosmetic: str | None = None
    created_at: datetime = Field(index=True)
    updated_at: datetime


class Snapshot(SQLModel, table=True):
    __tablename__ = "snapshots"
    id: str = Field(primary_key=True)  # the probe's snapshot_id
    device_id: str = Field(foreign_key="devices.id", index=True)
    taken_at: datetime
    tool_version: str
    source: str
    sha256: str
    doc: str  # the whole snapshot JSON, raw evidence included, never edited
    imported_at: datetime


class Drive(SQLModel, table=True):
    """A storage device seen in (or fitted to) a device. Each needs a sanitization record
    before the device may be made ready or issued."""

    __tablename__ = "drives"
    id: str = Field(primary_key=True)
    device_id: str = Field(foreign_key="devices.id", index=True)
    name: str | None = None
    model: str | None = None
    serial: str | None = Field(default=None, index=True)
    size_bytes: int | None = Field(default=None, sa_type=BigInteger)
    media_type: str | None = None  # hdd | ssd | nvme
    present: bool = True  # False once removed or harvested out of the device
    first_seen: datetime


class Assessment(SQLModel, table=True):
    __tablename__ = "assessments"
    id: str = Field(primary_key=True)
    device_id: str = Field(foreign_key="devices.id", index=True)
    snapshot_id: str = Field(foreign_key="snapshots.id", index=True)
    disposition: str
    grade_functional: str | None = None
    grade_cosmetic: str | None = None
    policy_name: str
    policy_version: str
    operator: str | None = None
    checklist: str | None = None  # JSON
    doc: str  # the whole assessment JSON
    created_at: datetime


class Finding(SQLModel, table=True):
    __tablename__ = "findings"
    id: int | None = Field(default=None, primary_key=True)
    assessment_id: str = Field(foreign_key="assessments.id", index=True)
    check: str = Field(index=True)
    status: str = Field(index=True)
    part: str | None = None
    value: str | None = None  # JSON
    threshold: str | None = None  # JSON
    reason: str


class Participant(SQLModel, table=True):
    __tablename__ = "participants"
    id: str = Field(primary_key=True)
    code: str = Field(unique=True, index=True)  # pseudonymous, chosen by the program
    community: str | None = None
    created_at: datetime


class Event(SQLModel, table=True):
    """Append-only. A device's history is its events in their own order: by ``seq``
    within the record they were made on (``origin``: the device id at that station),
    never by the wall clock. Its status is the ``status`` of its last status event."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_device_at", "device_id", "at"),
        Index("ix_events_device_seq", "device_id", "seq"),
    )
    id: str = Field(primary_key=True)
    device_id: str = Field(foreign_key="devices.id", index=True)
    at: datetime = Field(index=True)
    kind: str  # status | note | weighed | sanitized | part-out | part-in | assessed
    status: str | None = Field(default=None, index=True)
    actor: str | None = Field(default=None, index=True)
    station: str | None = None
    participant_id: str | None = Field(default=None, foreign_key="participants.id", index=True)
    note: str | None = None
    recorded_at: datetime | None = None  # when it was entered (``at``: when it happened)
    voided_by: str | None = Field(default=None, index=True)  # cache: the void event's id
    seq: int = 0  # the device's own event order (per origin), 1, 2, ...
    origin: str | None = None  # the device id this event was recorded under
    ref: str | None = None  # the record it is about: sanitization, snapshot or part id
    data: str | None = None  # JSON facts the rulebook reads (drives seen, results, ...)


class RecordChange(SQLModel, table=True):
    """A field of a lot or participant changed after it was recorded: the old and the
    new value, when and by whom (``refurb lot edit``, ``participant edit``, merges)."""

    __tablename__ = "record_changes"
    id: str = Field(primary_key=True)
    record: str = Field(index=True)  # lots | participants | devices
    record_id: str = Field(index=True)
    field: str
    old: str | None = None
    new: str | None = None
    reason: str | None = None
    actor: str | None = None
    at: datetime


class Recycler(SQLModel, table=True):
    """A downstream recycler devices are shipped to (R2v3 / e-Stewards ask for it)."""

    __tablename__ = "recyclers"
    id: str = Field(primary_key=True)
    name: str = Field(unique=True, index=True)
    address: str | None = None
    certification: str | None = None  # e.g. "R2v3", "e-Stewards"
    created_at: datetime


class Shipment(SQLModel, table=True):
    """Devices (or a weight of them) sent to a recycler on a date, with the bill of
    lading; closed when the recycler's weight and certificate come back."""

    __tablename__ = "shipments"
    id: str = Field(primary_key=True)
    code: str = Field(unique=True, index=True)
    recycler_id: str = Field(foreign_key="recyclers.id", index=True)
    shipped_on: date
    bol: str | None = None  # bill of lading number
    weight_kg: float | None = None  # the recycler's weighed total
    certificate: str | None = None  # the recycler's certificate number
    received_on: date | None = None  # when the recycler received it
    closed_at: datetime | None = None
    created_at: datetime


class ShipmentItem(SQLModel, table=True):
    __tablename__ = "shipment_items"
    shipment_id: str = Field(foreign_key="shipments.id", primary_key=True)
    device_id: str = Field(foreign_key="devices.id", primary_key=True)
    added_at: datetime


class DeviceAlias(SQLModel, table=True):
    """Another tag a device is known by: the tag a second shop printed for the same
    laptop before the hub folded the two records into one. Look-ups resolve it."""

    __tablename__ = "device_aliases"
    tag: str = Field(primary_key=True)
    device_id: str = Field(foreign_key="devices.id", index=True)
    created_at: datetime


class Sanitization(SQLModel, table=True):
    """NIST SP 800-88 Rev. 2 record for one drive (or the record that it was removed or
    destroyed)."""

    __tablename__ = "sanitizations"
    id: str = Field(primary_key=True)
    drive_id: str = Field(foreign_key="drives.id", index=True)
    device_id: str = Field(foreign_key="devices.id", index=True)
    level: str  # clear | purge | destroy | removed
    method: str  # overwrite | block-erase | crypto-erase | physical | removed
    tool: str | None = None
    tool_version: str | None = None
    verification_method: str | None = None
    verification_result: str | None = None  # pass | fail
    performed_by: str
    performed_at: datetime
    verified_by: str | None = None
    verified_at: datetime | None = None
    destination: str | None = None  # post-sanitization destination of the media
    notes: str | None = None
    recorded_at: datetime


class Part(SQLModel, table=True):
    """A part harvested from one device and, where it went, fitted into another."""

    __tablename__ = "parts"
    id: str = Field(primary_key=True)
    kind: str  # ram | ssd | hdd | battery | charger | screen | keyboard | other
    description: str | None = None
    serial: str | None = None
    from_device_id: str = Field(foreign_key="devices.id", index=True)
    into_device_id: str | None = Field(default=None, foreign_key="devices.id", index=True)
    drive_id: str | None = Field(default=None, foreign_key="drives.id")
    harvested_at: datetime
    fitted_at: datetime | None = None
    actor: str | None = None


# --- running tallies for funder reports (refurb.store.tallies keeps them) ---------------
# Each is a sum over devices (or participants) of what that device contributes, kept up
# to date in the same transaction as the events, so a report reads a few thousand rows
# instead of every event. Months are "YYYY-MM" in UTC; "" stands for none.


class TallyMark(SQLModel, table=True):
    """Devices with a ``measure`` event in ``month`` whose previous month with such an
    event was ``prev``: a device counts once in a period, in the month where
    ``month`` is in the period and ``prev`` is before it."""

    __tablename__ = "tally_marks"
    measure: str = Field(primary_key=True)
    month: str = Field(primary_key=True)
    prev: str = Field(primary_key=True)
    community: str = Field(primary_key=True)
    lot_id: str = Field(primary_key=True)
    chassis: str = Field(primary_key=True)
    n: int = 0
    unweighed: int = 0  # of which without a measured weight (the chassis default applies)
    grams: int = Field(default=0, sa_type=BigInteger)  # sum of measured weights


class TallyPeople(SQLModel, table=True):
    """Participants with a laptop issued in ``month`` (within a group: ``scope`` is
    "" for everyone, community, site, lot or donor, and ``key`` the group), whose
    previous such month was ``prev``."""

    __tablename__ = "tally_people"
    scope: str = Field(primary_key=True)
    key: str = Field(primary_key=True)
    month: str = Field(primary_key=True)
    prev: str = Field(primary_key=True)
    n: int = 0


class TallyFinal(SQLModel, table=True):
    """Net change, in ``month``, of devices whose status is final (issued, harvested,
    recycled): a device out of process counts +1, back again (returned) -1."""

    __tablename__ = "tally_finals"
    month: str = Field(primary_key=True)
    n: int = 0


class TallyStatus(SQLModel, table=True):
    """Devices by their current status and the month they were first recorded."""

    __tablename__ = "tally_statuses"
    status: str = Field(primary_key=True)
    month: str = Field(primary_key=True)
    n: int = 0


# --- the web pages' accounts (refurb serve) ---------------------------------------------


class User(SQLModel, table=True):
    """A person who signs in to the web pages. ``password`` is an scrypt hash with its
    parameters and salt (``scrypt$n$r$p$salt$hash``), never the password."""

    __tablename__ = "users"
    id: str = Field(primary_key=True)
    name: str = Field(unique=True, index=True)
    role: str  # trainee | lead | manager | admin
    password: str
    active: bool = True
    created_at: datetime
    updated_at: datetime


class WebSetting(SQLModel, table=True):
    """The web pages' own settings: the session-signing secret (made on first start) and
    the one-time first-admin token's hash."""

    __tablename__ = "web_settings"
    key: str = Field(primary_key=True)
    value: str
