"""The pages, and the one table of who may open them (``ROUTES``).

Each page is a plain function of the request (``Ctx``) that calls ``refurb.app`` and
renders a template; the templates only show what they are given.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Iterator
from datetime import date
from typing import Any

from starlette.responses import RedirectResponse, Response, StreamingResponse

from refurb.app import accounts, devices, lifecycle, overview, people, reports
from refurb.errors import BadInput, DatabaseError, NotFound, RefurbError
from refurb.i18n import N_, Phrase, gettext_for
from refurb.lifecycle.rules import PART_KINDS, STATUSES
from refurb.lifecycle.sanitization import WipeRecord
from refurb.reports.model import MEASURES, Period
from refurb.web import text
from refurb.web.server import PUBLIC, Ctx, local_path

ALL = frozenset(accounts.ROLES)
LEAD = frozenset({"lead", "admin"})  # every lifecycle step, lots, participants
BENCH = frozenset({"trainee", "lead", "admin"})  # intake and the bench checklist
REPORTS = frozenset({"lead", "manager", "admin"})  # reports and exports
ADMIN = frozenset({"admin"})  # accounts
PAGE_SIZE = 50
MAX_PAGE = 500


# --- signing in ----------------------------------------------------------------------


def login_form(ctx: Ctx) -> Response:
    if ctx.user is None and ctx.session.get("user"):
        return RedirectResponse("/", 303)
    return ctx.render("login.html", next=local_path(ctx.query("next")), error=None, name="")


def login(ctx: Ctx) -> Response:
    name = ctx.form.get("name", "")
    address = ctx.request.client.host if ctx.request.client else "?"
    target = local_path(ctx.form.get("next"))
    if ctx.web.limiter.blocked(name, address):
        return ctx.render("login.html", 429, next=target, error="too_many", name=name)
    found = accounts.authenticate(ctx.store, name, ctx.form.get("password", ""))
    if found is None:
        ctx.web.limiter.failed(name, address)
        return ctx.render("login.html", 401, next=target, error="bad_login", name=name)
    ctx.web.limiter.succeeded(name, address)
    _sign_in(ctx, found.name)
    return RedirectResponse(target, 303)


def _sign_in(ctx: Ctx, name: str) -> None:
    import secrets

    lang = ctx.session.get("lang")
    ctx.session.clear()  # a new session on sign-in: nothing carried over but the language
    stamp = accounts.session_stamp(ctx.store, name)
    ctx.session.update(user=name, stamp=stamp, csrf=secrets.token_urlsafe(32))
    if lang:
        ctx.session["lang"] = lang


def logout(ctx: Ctx) -> Response:
    lang = ctx.session.get("lang")
    ctx.session.clear()
    if lang:
        ctx.session["lang"] = lang
    return RedirectResponse("/login", 303)


def set_lang(ctx: Ctx) -> Response:
    lang = ctx.form.get("lang")
    if lang in text.languages():
        ctx.session["lang"] = lang
    return RedirectResponse(local_path(ctx.form.get("next")), 303)


def setup_form(ctx: Ctx) -> Response:
    token = ctx.request.query_params.get("token", "")
    if not accounts.setup_valid(ctx.store, token):
        raise NotFound(N_("this set-up link is used or out of date"), N_("sign in instead"))
    return ctx.render("setup.html", token=token, error=None, name="")


def setup(ctx: Ctx) -> Response:
    token, name = ctx.form.get("token", ""), ctx.form.get("name", "")
    try:
        if ctx.form.get("password") != ctx.form.get("password2"):
            raise BadInput(N_("the two passwords differ"))
        made = accounts.create_first_admin(ctx.store, token, name, ctx.form.get("password", ""))
    except DatabaseError:
        raise
    except RefurbError as exc:
        return ctx.render("setup.html", 400, token=token, error=exc, name=name)
    _sign_in(ctx, made.name)
    return RedirectResponse("/", 303)


# --- dashboard ------------------------------------------------------------------------


def _fiscal_year(today: date) -> int:
    return today.year if today.month >= 4 else today.year - 1


def dashboard(ctx: Ctx) -> Response:
    from refurb.reports.periods import resolve_period

    today = date.today()
    periods = {
        "this_month": resolve_period(month=today.strftime("%Y-%m")),
        "this_fiscal_year": resolve_period(fiscal_year=_fiscal_year(today)),
        "all_time": resolve_period(),
    }
    cfg = ctx.web.config
    data = overview.dashboard(
        ctx.store,
        periods,
        weights=cfg.weights_kg,
        emissions=cfg.emissions,
        lang=ctx.lang,
        charts="this_fiscal_year",
    )
    totals = data["totals"]
    tiles = [
        ("received", "all_time", totals["all_time"]["received"], 0),
        ("in_shop_now", None, sum(n for s, n in data["statuses"].items() if s in _IN_SHOP), 0),
        ("ready_now", None, data["statuses"].get("ready", 0), 0),
        ("issued", "this_month", totals["this_month"]["issued"], 0),
        ("issued", "this_fiscal_year", totals["this_fiscal_year"]["issued"], 0),
        ("participants", "this_fiscal_year", totals["this_fiscal_year"]["participants"], 0),
        ("diverted", "all_time", totals["all_time"]["diverted"], 0),
        ("diverted_kg", "all_time", totals["all_time"]["diverted_kg"], 1),
        ("avoided_kg_co2e", "all_time", totals["all_time"]["avoided_kg_co2e"], 0),
    ]
    from refurb.reports.i18n import number

    shown = [(key, when, number(value, ctx.lang, decimals)) for key, when, value, decimals in tiles]
    statuses = [(s, data["statuses"].get(s, 0)) for s in STATUSES]
    top = max((n for _, n in statuses), default=0) or 1
    bars = [(s, n, round(100 * n / top)) for s, n in statuses]
    return ctx.render(
        "dashboard.html",
        tiles=shown,
        bars=bars,
        recent=data["recent"],
        charts=_charts(ctx, data["period"], data["months"], data["communities"], today),
    )


def _charts(
    ctx: Ctx,
    period: Period,
    months: list[dict[str, Any]],
    communities: list[dict[str, Any]],
    today: date | None = None,
) -> list[Any]:
    """Devices received and issued by month (every month of the period up to ``today``)
    and by community: the report's own figures, drawn."""
    from refurb.reports.i18n import MONTH_ABBREVIATIONS, number, period_label, short
    from refurb.web import charts

    lang = ctx.lang
    by_month = {row["month"]: row for row in months}
    keys: list[str] = []
    y, m = period.since.year, period.since.month
    last = today or period.until
    while date(y, m, 1) < period.until and date(y, m, 1) <= last and len(keys) < 36:
        keys.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    if len(keys) > 24 or not keys:  # a long period: only the months with figures
        keys = sorted(by_month)
    series = ("received", "issued")
    names = tuple(short(k, lang) for k in series)
    tr = gettext_for(lang)

    def month_label(key: str) -> str:  # "Dec 2026", "déc. 2026": never "déc 26"
        year, mo = key.split("-")
        return f"{tr(MONTH_ABBREVIATIONS[int(mo) - 1])} {year}"

    label = ctx.word
    when = period_label(period.label, lang)
    fmt = lambda v: number(v, lang)  # noqa: E731
    out = [
        charts.by_month(
            "chart-months",
            f"{label('chart_by_month')} ({when})",
            keys,
            [month_label(k) for k in keys],
            names,
            [tuple(int(by_month.get(k, {}).get(s, 0)) for s in series) for k in keys],
            fmt,
            lang,
        )
    ]
    rows = [r for r in communities if r.get("received") or r.get("issued")]
    out.append(
        charts.by_group(
            "chart-communities",
            f"{label('chart_by_community')} ({when})",
            [r["key"] if r["key"] is not None else label("none") for r in rows],
            names,
            [tuple(int(r.get(s, 0)) for s in series) for r in rows],
            fmt,
            lang,
        )
    )
    return out


_IN_SHOP = ("received", "diagnosed", "wiped", "repairing", "returned")


# --- devices --------------------------------------------------------------------------


def _int(ctx: Ctx, name: str, default: int, top: int) -> int:
    raw = ctx.query(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadInput(
            Phrase(N_("{name} must be a whole number, not {value!r}"), name=name, value=raw[:40])
        ) from None
    if not 0 <= value <= top:
        raise BadInput(Phrase(N_("{name} must be between 0 and {top:,}"), name=name, top=top))
    return value


FILTERS = ("q", *overview.FACETS)  # the device list's query-string filters


def _filters(ctx: Ctx) -> dict[str, str | None]:
    status = ctx.query("status")
    if status and status not in STATUSES:
        raise BadInput(
            Phrase(N_("{value!r} is not a status"), value=status[:40]),
            Phrase(N_("statuses: {statuses}"), statuses=", ".join(STATUSES)),
        )
    found: dict[str, str | None] = {name: ctx.query(name) for name in overview.FACETS}
    found["text"] = ctx.query("q")
    return found


def device_list(ctx: Ctx) -> Response:
    error = None
    prev = nxt = None
    rows: list[dict[str, Any]] = []
    try:
        filters = _filters(ctx)
        rows, prev, nxt = overview.device_page(
            ctx.store,
            filters,
            limit=_int(ctx, "limit", PAGE_SIZE, MAX_PAGE) or PAGE_SIZE,
            after=ctx.query("after"),
            before=ctx.query("before"),
        )
    except (BadInput, NotFound) as exc:  # an unknown lot or a bad cursor: say so here
        error = exc
    chosen = {k: ctx.query(k) or "" for k in FILTERS}
    size = ctx.query("limit")
    query = _query(chosen, limit=size)
    paged = bool(ctx.query("after") or ctx.query("before"))
    page = {
        "first": "/devices" + query if paged and prev else None,
        "prev": "/devices" + _query(chosen, limit=size, before=prev) if prev else None,
        "next": "/devices" + _query(chosen, limit=size, after=nxt) if nxt else None,
    }
    values = dict(
        rows=rows,
        error=error,
        page=page,
        filters=chosen,
        statuses=STATUSES,
        communities=overview.communities(ctx.store),
        lots=[x["code"] for x in people.lots(ctx.store)],
        twins=bool(ctx.user and ctx.user.role in REPORTS),
        query=query,
        facets_url="/devices/facets" + query,
    )
    if ctx.request.headers.get("hx-request") == "true":
        return ctx.render("_device_rows.html", 400 if error else 200, **values)
    return ctx.render("devices.html", 400 if error else 200, **values)


def _query(chosen: dict[str, str], **more: str | None) -> str:
    """The list's query string: its filters (and a page or size), without empty ones."""
    from urllib.parse import urlencode

    params = {k: v for k, v in {**chosen, **more}.items() if v}
    return ("?" + urlencode(params)) if params else ""


FACET_BUDGET_MS = 2000  # not counted by then: say so (a very large, broad list)


def device_facets(ctx: Ctx) -> Response:
    """The filtered list's counts by status, verdict, grade, lot, community and chassis,
    each value a link that adds it to the filter (or takes it off again); loaded into the
    list page by htmx, or opened as a page of its own without script."""
    error = None
    facets: dict[str, list[tuple[str, int]]] | None = {}
    try:
        facets = overview.device_facets(ctx.store, _filters(ctx), FACET_BUDGET_MS)
    except (BadInput, NotFound) as exc:
        error = exc
    chosen = {k: ctx.query(k) or "" for k in FILTERS}
    shown: list[tuple[str, list[tuple[str, str, int, bool, str]]]] = []
    for name in overview.FACETS:
        links = []
        for value, n in (facets or {}).get(name, []):
            on = chosen[name] == value
            url = "/devices" + _query(chosen, **{name: "" if on else value})
            links.append((value, _facet_word(ctx, name, value), n, on, url))
        shown.append((name, links))
    total = sum(n for _, n in facets["status"]) if facets else None
    partial = ctx.request.headers.get("hx-request") == "true"
    return ctx.render(
        "_facets.html" if partial else "facets.html",
        400 if error else 200,
        facets=shown,
        counted=facets is not None,
        total=total,
        error=error,
        query=_query(chosen),
    )


def _facet_word(ctx: Ctx, name: str, value: str) -> str:
    if value == overview.NONE:
        return ctx.word("not_recorded")
    if name == "status":
        return text.status_word(value, ctx.lang)
    if name == "verdict":
        return text.verdict_word(value, ctx.lang)
    return value


def device_list_csv(ctx: Ctx) -> Response:
    from refurb.csvsafe import csv_safe

    rows = overview.device_rows(ctx.store, _filters(ctx))
    first = next(rows, None)  # an unknown lot is refused here, before any byte is sent

    def lines() -> Iterator[bytes]:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(devices.COLUMNS))
        writer.writeheader()
        for i, r in enumerate(itertools.chain([first] if first else [], rows)):
            writer.writerow({k: csv_safe(v) for k, v in r.items()})
            if i % 500 == 499:
                yield out.getvalue().encode()
                out.seek(0)
                out.truncate()
        yield out.getvalue().encode()

    return _stream(lines(), "text/csv; charset=utf-8", "devices.csv")


def device_list_json(ctx: Ctx) -> Response:
    rows = overview.device_rows(ctx.store, _filters(ctx))
    first = next(rows, None)

    def chunks() -> Iterator[bytes]:
        yield b"["
        for i, r in enumerate(itertools.chain([first] if first else [], rows)):
            body = json.dumps(r, indent=2, ensure_ascii=False, default=str)
            yield (("," if i else "") + "\n" + body).encode()
        yield b"\n]\n"

    return _stream(chunks(), "application/json", "devices.json")


def _stream(body: Iterator[bytes], media: str, name: str) -> Response:
    return StreamingResponse(
        body,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


def _download(body: bytes, media: str, name: str, inline: bool = False) -> Response:
    how = "inline" if inline else "attachment"
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'{how}; filename="{name}"', "Cache-Control": "no-store"},
    )


def device(ctx: Ctx) -> Response:
    return _device_page(ctx, ctx.param("tag"))


def _device_page(
    ctx: Ctx,
    tag: str,
    status: int = 200,
    errors: dict[str, RefurbError] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    from refurb.assess.messages import reason_in

    record = devices.show(ctx.store, tag)
    acts = overview.actions(ctx.store, record["tag"])
    can_act = bool(ctx.user and ctx.user.role in LEAD)
    assessment = record.get("assessment") or {}
    return ctx.render(
        "device.html",
        status,
        d=record,
        # each reason in the reader's language, said again from its message
        findings=[{**f, "reason": reason_in(f, ctx.lang)} for f in assessment.get("findings", [])],
        allowed=[a for a in acts if a.allowed] if can_act else [],
        refused=[a for a in acts if not a.allowed] if can_act else [],
        can_act=can_act,
        errors=errors or {},
        values=values or {},
        done=ctx.query("done"),
        participants=[p["code"] for p in people.participants(ctx.store)] if can_act else [],
        part_kinds=PART_KINDS,
        levels=tuple(lifecycle.SANITIZE_LEVELS),
        methods=("overwrite", "block-erase", "crypto-erase", "physical", "removed"),
    )


def device_action(ctx: Ctx) -> Response:
    tag, action = ctx.param("tag"), ctx.param("action")
    if action not in overview.ACTIONS:
        raise NotFound(Phrase(N_("no action {action!r}"), action=action))
    f = ctx.form

    def text(name: str) -> str | None:
        return f.get(name) or None

    assert ctx.user is not None
    actor, station = ctx.user.name, ctx.web.station
    store = ctx.store
    try:
        if action == "wipe":
            record = WipeRecord(
                level=f.get("level", ""),
                method=f.get("method", ""),
                tool=text("tool"),
                tool_version=text("tool_version"),
                verification_method=text("verification_method"),
                verification_result=text("verification_result"),
                performed_by=actor,
                verified_by=text("verified_by"),
                destination=text("destination"),
                notes=text("note"),
                station=station,
            )
            done = lifecycle.wipe(store, tag, record, text("drive"))
        elif action in ("repairing", "ready"):
            done = lifecycle.move(
                store, tag, action, actor=actor, note=text("note"), station=station
            )
        elif action == "issue":
            done = lifecycle.issue(
                store,
                tag,
                f.get("participant", ""),
                actor=actor,
                note=text("note"),
                station=station,
            )
        elif action == "return":
            done = lifecycle.return_(store, tag, actor=actor, note=text("note"), station=station)
        elif action == "harvest":
            done = lifecycle.harvest(
                store,
                tag,
                f.get("kind", ""),
                description=text("description"),
                serial=text("serial"),
                into=text("into"),
                actor=actor,
                station=station,
                missed_by_probe=text("missed_by_probe"),
            )
        elif action == "recycle":
            done = lifecycle.recycle(store, [tag], actor=actor, note=text("note"), station=station)[
                0
            ]
        else:
            done = lifecycle.attest(
                store, tag, f.get("what", ""), reason=text("reason"), actor=actor, station=station
            )
    except DatabaseError:
        raise
    except RefurbError as exc:  # refused, bad values, an unknown participant: say why
        devices.show(store, tag)  # an unknown device is a 404, not a form error
        return _device_page(ctx, tag, 409 if exc.exit_code == 6 else 400, {action: exc}, f)
    return RedirectResponse(f"/devices/{done.tag}?done={action}", 303)


def device_label(ctx: Ctx) -> Response:
    from refurb.labels import load_stocks, render

    cfg = ctx.web.config
    stocks = load_stocks(cfg.labels_dir)
    stock = stocks.get(cfg.label_stock) or stocks["avery-l7160"]
    data = reports.labels(ctx.store, [ctx.param("tag")])
    pdf = render(data, stock, lang=ctx.lang, font=cfg.font, label_url=cfg.label_url)
    return _download(pdf, "application/pdf", f"label-{data[0].tag}.pdf", inline=True)


# --- lots and participants ---------------------------------------------------------------


def lot_list(ctx: Ctx, status: int = 200, error: RefurbError | None = None) -> Response:
    return ctx.render(
        "lots.html",
        status,
        lots=people.lots(ctx.store),
        can_add=bool(ctx.user and ctx.user.role in LEAD),
        error=error,
        values=ctx.form,
    )


def _number(value: str | None, what: str) -> float | None:
    """A number typed in a form (a comma as the decimal mark too), or None when blank."""
    if not value:
        return None
    try:
        return float(value.replace(",", "."))
    except ValueError:
        raise BadInput(
            Phrase(N_("{what} must be a number, like 2.1"), what=what), N_("type digits only")
        ) from None


def lot_add(ctx: Ctx) -> Response:
    f = ctx.form
    try:
        try:
            received = date.fromisoformat(f.get("received_on", ""))
        except ValueError:
            raise BadInput(N_("the date received must be YYYY-MM-DD")) from None
        weight = _number(f.get("weight_kg"), Phrase(N_("the weight")))  # checked by add_lot
        choice = f.get("choice", "reuse")
        if choice not in ("reuse", "recycle"):
            raise BadInput(N_("the donor's choice is reuse or recycle"))
        code, donor = f.get("code", ""), f.get("donor", "")
        if not code or not donor:
            raise BadInput(N_("a lot needs a code and a donor"))
        people.add_lot(
            ctx.store,
            code,
            donor,
            received,
            choice,
            f.get("community") or None,
            f.get("site") or None,
            weight,
        )
    except DatabaseError:
        raise
    except RefurbError as exc:
        return lot_list(ctx, 400, exc)
    return RedirectResponse(f"/lots/{code}", 303)


def lot(ctx: Ctx) -> Response:
    code = ctx.param("code")
    found = next((x for x in people.lots(ctx.store) if x["code"] == code), None)
    if found is None:
        raise NotFound(Phrase(N_("no lot {code!r}"), code=code))
    return ctx.render(
        "lot.html",
        lot=found,
        rows=devices.listing(ctx.store, lot=code),
        certificate=bool(ctx.user and ctx.user.role in REPORTS),
    )


def lot_certificate(ctx: Ctx) -> Response:
    from refurb.reports.certificate import render_certificate
    from refurb.reports.letterhead import Letterhead

    code = ctx.param("code")
    data = reports.certificate(ctx.store, code, [])
    pdf = render_certificate(
        data, ctx.lang, ctx.web.config.font, Letterhead.from_config(ctx.web.config)
    )
    return _download(pdf, "application/pdf", f"certificate-{code}.pdf", inline=True)


def participant_list(ctx: Ctx, status: int = 200, error: RefurbError | None = None) -> Response:
    return ctx.render(
        "participants.html",
        status,
        rows=people.participants(ctx.store),
        can_add=bool(ctx.user and ctx.user.role in LEAD),
        error=error,
        values=ctx.form,
    )


def participant_add(ctx: Ctx) -> Response:
    try:
        code = ctx.form.get("code", "")
        if not code:
            raise BadInput(N_("a participant needs a code"))
        people.add_participant(ctx.store, code, ctx.form.get("community") or None)
    except DatabaseError:
        raise
    except RefurbError as exc:
        return participant_list(ctx, 400, exc)
    return RedirectResponse("/participants", 303)


def participant(ctx: Ctx) -> Response:
    found = overview.participant(ctx.store, ctx.param("code"))
    return ctx.render("participant.html", p=found)


# --- trainees -------------------------------------------------------------------------

_TRAINEE_KEYS = ("month", "quarter", "fiscal_year", "since", "until")
OPERATOR_COLS = ("diagnostics", "wipes", "verifications", "repairs", "made_ready", "issued")


def _trainee_period(ctx: Ctx) -> Period:
    """The period picked, or this fiscal year."""
    from refurb.reports.periods import resolve_period

    if any(ctx.query(k) for k in _TRAINEE_KEYS):
        return _period(ctx)
    return resolve_period(fiscal_year=_fiscal_year(date.today()))


def trainee_list(ctx: Ctx) -> Response:
    from refurb.reports.i18n import period_label

    picked = {k: ctx.query(k) or "" for k in _TRAINEE_KEYS}
    try:
        period = _trainee_period(ctx)
    except BadInput as exc:
        return ctx.render("trainees.html", 400, error=exc, picked=picked, rows=[], period=None)
    query = _query(picked)
    return ctx.render(
        "trainees.html",
        error=None,
        picked=picked,
        rows=reports.operators(ctx.store, period),
        cols=OPERATOR_COLS,
        period=period,
        period_name=period_label(period.label, ctx.lang),
        query=query,
    )


def trainee(ctx: Ctx) -> Response:
    from datetime import UTC, datetime

    from refurb.reports.i18n import period_label

    period = _trainee_period(ctx)
    name = ctx.param("name")
    found = overview.operator(ctx.store, name, period)
    return ctx.render(
        "trainee.html",
        name=name,
        counts=found["counts"],
        steps=found["steps"],
        cols=OPERATOR_COLS,
        period=period,
        period_name=period_label(period.label, ctx.lang),
        printed=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        station=ctx.web.station,
        query=_query({k: ctx.query(k) or "" for k in _TRAINEE_KEYS}),
    )


# --- reports --------------------------------------------------------------------------


def _period(ctx: Ctx) -> Period:
    from refurb.reports.periods import resolve_period

    def day(name: str) -> date | None:
        raw = ctx.query(name)
        if not raw:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise BadInput(Phrase(N_("{value!r}: a date is YYYY-MM-DD"), value=raw[:20])) from None

    fiscal = ctx.query("fiscal_year")
    if fiscal and not (fiscal.isdigit() and 1990 < int(fiscal) < 2200):
        raise BadInput(Phrase(N_("{value!r} is not a year"), value=fiscal[:20]))
    return resolve_period(
        since=day("since"),
        until=day("until"),
        month=ctx.query("month"),
        quarter=ctx.query("quarter"),
        fiscal_year=int(fiscal) if fiscal else None,
    )


def _report(ctx: Ctx) -> Any:
    lang = ctx.query("lang") or ctx.lang
    if lang not in text.languages():
        raise BadInput(
            Phrase(
                N_("the report's language is one of {values}"), values=", ".join(text.languages())
            )
        )
    cfg = ctx.web.config
    return reports.report(
        ctx.store, _period(ctx), weights=cfg.weights_kg, emissions=cfg.emissions, lang=lang
    )


def report_page(ctx: Ctx) -> Response:
    from refurb.reports.i18n import period_label
    from refurb.reports.render import fmt

    picked = {k: ctx.query(k) or "" for k in _REPORT_KEYS}
    try:
        result = _report(ctx)
    except BadInput as exc:
        return ctx.render("reports.html", 400, error=exc, picked=picked, r=None)
    lang = result.lang
    community = picked["community"]
    by_community = [
        (row["key"], [fmt(m, row[m], lang) for m in _COMMUNITY_COLS])
        for row in result.breakdowns["community"]
        if not community or row["key"] == community
    ]
    query = ctx.request.url.query
    return ctx.render(
        "reports.html",
        error=None,
        picked=picked,
        r=result,
        period_name=period_label(result.period.label, lang),
        totals=[(m, fmt(m, result.totals[m], lang)) for m in MEASURES],
        community_cols=_COMMUNITY_COLS,
        by_community=by_community,
        months=[
            (row["month"], [fmt(m, row[m], lang) for m in _MONTH_COLS]) for row in result.months
        ],
        month_cols=_MONTH_COLS,
        charts=_charts(
            ctx,
            result.period,
            result.months,
            [
                row
                for row in result.breakdowns["community"]
                if not community or row["key"] == community
            ],
        ),
        communities=overview.communities(ctx.store),
        query=("?" + query) if query else "",
    )


_REPORT_KEYS = ("month", "quarter", "fiscal_year", "since", "until", "community", "lang")
_COMMUNITY_COLS = ("received", "issued", "participants", "diverted", "diverted_kg")
_MONTH_COLS = ("received", "refurbished", "issued", "diverted")


def report_download(ctx: Ctx) -> Response:
    from refurb.reports import render

    kind = ctx.param("kind")
    result = _report(ctx)
    name = f"report-{result.period.since}-{result.period.until}-{result.lang}"
    if kind == "json":
        return _download(render.json_text(result).encode(), "application/json", name + ".json")
    if kind == "csv":
        body = render.csv_text(result).encode()
        return _download(body, "text/csv; charset=utf-8", name + ".csv")
    if kind == "pdf":
        from refurb.reports.letterhead import Letterhead
        from refurb.reports.pdf import render_pdf

        pdf = render_pdf(result, ctx.web.config.font, Letterhead.from_config(ctx.web.config))
        return _download(pdf, "application/pdf", name + ".pdf")
    raise NotFound(Phrase(N_("no report format {kind!r}"), kind=kind))


# --- accounts -------------------------------------------------------------------------


def user_list(ctx: Ctx, status: int = 200, error: RefurbError | None = None) -> Response:
    return ctx.render(
        "users.html",
        status,
        rows=accounts.users(ctx.store),
        roles=accounts.ROLES,
        error=error,
        values=ctx.form,
    )


def user_add(ctx: Ctx) -> Response:
    f = ctx.form
    try:
        if f.get("password") != f.get("password2"):
            raise BadInput(N_("the two passwords differ"))
        accounts.add_user(ctx.store, f.get("name", ""), f.get("role", ""), f.get("password", ""))
    except DatabaseError:
        raise
    except RefurbError as exc:
        return user_list(ctx, 400, exc)
    return RedirectResponse("/users", 303)


def user_change(ctx: Ctx) -> Response:
    try:
        accounts.set_role(
            ctx.store, ctx.param("name"), ctx.form.get("role", ""), ctx.form.get("active") == "on"
        )
    except DatabaseError:
        raise
    except RefurbError as exc:
        return user_list(ctx, 400 if exc.exit_code != 6 else 409, exc)
    return RedirectResponse("/users", 303)


# --- intake from a snapshot file -------------------------------------------------------


def _intake_form(ctx: Ctx, status: int = 200, error: RefurbError | None = None) -> Response:
    from refurb.assess.checklist import COSMETIC, ITEMS

    tr = gettext_for(ctx.lang)
    return ctx.render(
        "intake.html",
        status,
        items=[(i.key, tr(i.name), tr(i.question)) for i in ITEMS],
        grades=[(g, tr(text_)) for g, text_ in COSMETIC.items()],
        lots=[x["code"] for x in people.lots(ctx.store)],
        values=ctx.form,
        error=error,
        done=None,
    )


def intake_form(ctx: Ctx) -> Response:
    return _intake_form(ctx)


def intake(ctx: Ctx) -> Response:
    from refurb.app import upload
    from refurb.assess import policy_for
    from refurb.assess.checklist import ITEMS

    assert ctx.user is not None
    f = ctx.form
    try:
        sheet = upload.checklist_from_form(
            {i.key: f.get(f"item_{i.key}", "") for i in ITEMS},
            f.get("cosmetic") or None,
            f.get("notes") or None,
            ctx.user.name,
        )
        weight = _number(f.get("weight_kg"), Phrase(N_("the weight (kg)")))
        done = upload.intake_upload(
            ctx.store,
            ctx.files.get("snapshot", b""),
            "",
            sheet,
            policy_for(ctx.web.config.policy),
            lang=ctx.lang,
            operator=ctx.user.name,
            station=ctx.web.station,
            lot_code=f.get("lot") or None,
            weight_kg=weight,
        )
    except (BadInput, NotFound) as exc:
        return _intake_form(ctx, 400, exc)
    verdict = done.verdict.to_dict()
    ident = done.snapshot.identity
    return ctx.render(
        "intake.html",
        done=done.result,
        verdict=verdict,
        findings=verdict.get("findings", []),
        model=" ".join(x for x in (ident.vendor, ident.model) if x),
        error=None,
        values={},
    )


# The one table of routes and the roles that may open each (PUBLIC: no session needed).
ROUTES: list[tuple[str, str, Any, frozenset[str]]] = [
    ("GET", "/login", login_form, PUBLIC),
    ("POST", "/login", login, PUBLIC),
    ("GET", "/setup", setup_form, PUBLIC),
    ("POST", "/setup", setup, PUBLIC),
    ("POST", "/lang", set_lang, PUBLIC),
    ("POST", "/logout", logout, ALL),
    ("GET", "/", dashboard, ALL),
    ("GET", "/devices", device_list, ALL),
    ("GET", "/devices.csv", device_list_csv, REPORTS),
    ("GET", "/devices.json", device_list_json, REPORTS),
    ("GET", "/devices/facets", device_facets, ALL),
    ("GET", "/devices/{tag}", device, ALL),
    ("GET", "/devices/{tag}/label.pdf", device_label, ALL),
    ("POST", "/devices/{tag}/{action}", device_action, LEAD),
    ("GET", "/intake", intake_form, BENCH),
    ("POST", "/intake", intake, BENCH),
    ("GET", "/lots", lot_list, ALL),
    ("POST", "/lots", lot_add, LEAD),
    ("GET", "/lots/{code}", lot, ALL),
    ("GET", "/lots/{code}/certificate.pdf", lot_certificate, REPORTS),
    ("GET", "/participants", participant_list, REPORTS),
    ("POST", "/participants", participant_add, LEAD),
    ("GET", "/participants/{code}", participant, REPORTS),
    ("GET", "/trainees", trainee_list, REPORTS),
    ("GET", "/trainees/{name}", trainee, REPORTS),
    ("GET", "/reports", report_page, REPORTS),
    ("GET", "/reports.{kind}", report_download, REPORTS),
    ("GET", "/users", user_list, ADMIN),
    ("POST", "/users", user_add, ADMIN),
    ("POST", "/users/{name}", user_change, ADMIN),
]

# the scan page and /d/TAG (issue #14)
from refurb.web.scanpage import ROUTES as _SCAN_ROUTES  # noqa: E402

ROUTES.extend(_SCAN_ROUTES)

# The menu: each page shows for the roles its route allows.
NAV = [
    ("/", "dashboard"),
    ("/devices", "devices"),
    ("/intake", "intake"),
    ("/scan", "scan"),
    ("/lots", "lots"),
    ("/participants", "participants"),
    ("/trainees", "trainees"),
    ("/reports", "reports"),
    ("/users", "accounts"),
]
