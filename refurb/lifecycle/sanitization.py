"""What a sanitization record says (NIST SP 800-88 Rev. 2's fields), as one value that
travels from a front door through the application layer to the store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, kw_only=True)
class WipeRecord:
    """One drive's (or every drive's) sanitization, removal or destruction.

    ``level`` is clear, purge, destroy or removed; ``at`` None means now."""

    level: str
    method: str
    performed_by: str
    tool: str | None = None
    tool_version: str | None = None
    verification_method: str | None = None
    verification_result: str | None = None
    verified_by: str | None = None
    destination: str | None = None
    notes: str | None = None
    station: str | None = None
    at: datetime | None = None
