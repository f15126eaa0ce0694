"""Report periods from the command line: --since/--until, --month, --quarter,
--fiscal-year (April to March by default, as Canadian funders use).

Every period lies between 1970 and 2999: a year 0, -1 or 99999 is a typing mistake
(and past Python's dates), refused plainly rather than as a traceback."""

from __future__ import annotations

import re
from datetime import date

from refurb.errors import BadInput
from refurb.i18n import N_, Phrase
from refurb.reports.model import Period

FIRST_YEAR, LAST_YEAR = 1970, 2999


def _year(year: int, option: str, value: object) -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise BadInput(
            Phrase(
                N_("{option} {value}: the year must be between {first} and {last}"),
                option=option,
                value=value,
                first=FIRST_YEAR,
                last=LAST_YEAR,
            ),
            N_("a report covers the program's own years, e.g. --fiscal-year 2026"),
        )
    return year


def _add_months(d: date, months: int) -> date:
    total = d.year * 12 + d.month - 1 + months
    return date(total // 12, total % 12 + 1, 1)


def resolve_period(
    *,
    since: date | None = None,
    until: date | None = None,
    month: str | None = None,
    quarter: str | None = None,
    fiscal_year: int | None = None,
    fiscal_start_month: int = 4,
    today: date | None = None,
) -> Period:
    chosen = [x for x in (since or until, month, quarter, fiscal_year) if x is not None]
    if len(chosen) > 1:
        raise BadInput(
            N_("choose one period: --since/--until, --month, --quarter or --fiscal-year")
        )
    if month is not None:
        m = re.fullmatch(r"(\d{4})-(\d{2})", month)
        if not m or not 1 <= int(m.group(2)) <= 12:
            raise BadInput(Phrase(N_("--month {month!r}: use YYYY-MM, e.g. 2026-03"), month=month))
        start = date(_year(int(m.group(1)), "--month", month), int(m.group(2)), 1)
        return Period(start, _add_months(start, 1), month)
    if quarter is not None:
        m = re.fullmatch(r"(\d{4})-?Q([1-4])", quarter.upper())
        if not m:
            raise BadInput(
                Phrase(N_("--quarter {quarter!r}: use YYYY-Qn, e.g. 2026-Q2"), quarter=quarter)
            )
        year = _year(int(m.group(1)), "--quarter", quarter)
        start = date(year, 3 * (int(m.group(2)) - 1) + 1, 1)
        return Period(start, _add_months(start, 3), f"{m.group(1)}-Q{m.group(2)}")
    if fiscal_year is not None:
        start = date(_year(fiscal_year, "--fiscal-year", fiscal_year), fiscal_start_month, 1)
        end = _add_months(start, 12)
        return Period(start, end, f"FY {fiscal_year}-{str(fiscal_year + 1)[2:]}")
    if since is not None:
        _year(since.year, "--since", since)
    if until is not None:
        _year(until.year, "--until", until)
    start = since or date(2000, 1, 1)
    end = until or _add_months(date.today() if today is None else today, 1).replace(day=1)
    if end <= start:
        raise BadInput(
            Phrase(N_("the period ends ({end}) before it starts ({start})"), end=end, start=start)
        )
    label = f"{start.isoformat()} – {end.isoformat()}" if since or until else "all time"
    return Period(start, end, label)
