"""The scan page (/scan): a list of scanned devices and one action for all of them;
and /d/TAG, the address a label's QR code may hold.

Three ways in, one list: the live camera (the browser's BarcodeDetector, else the
vendored barcode-detector polyfill, ZXing in WebAssembly, served from /static), a
photo decoded here (refurb.scanning.decode_photo), and a text field a USB or Bluetooth
scanner types into. The list is kept in the signed session cookie (tags only, at most
``refurb.app.scan.MAX_LIST``): it survives a reload and a second tab, and is gone when
the session ends. Each action runs device by device through refurb.app.scan.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from starlette.responses import RedirectResponse, Response

from refurb.app import accounts, scan, shipments
from refurb.errors import BadInput, DatabaseError, RefurbError
from refurb.i18n import N_, Phrase
from refurb.web.server import Ctx, SecurityHeaders

ALL = frozenset(accounts.ROLES)
LEAD = frozenset({"lead", "admin"})
# the polyfill compiles its WebAssembly: this page alone allows that, and nothing else more
SCAN_CSP = SecurityHeaders.CSP.replace("script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'")


def _list(ctx: Ctx) -> list[str]:
    found = ctx.session.get("scan")
    return [t for t in found if isinstance(t, str)] if isinstance(found, list) else []


def _action(ctx: Ctx) -> str:
    chosen = ctx.session.get("scan_action")
    return chosen if chosen in scan.ACTIONS else "stocktake"


def _secure(ctx: Ctx) -> bool:
    """Whether the browser will let this page use the camera: TLS, or this machine."""
    if ctx.request.url.scheme == "https" or ctx.web.tls:
        return True
    host = (ctx.request.url.hostname or "").strip("[]")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _page(ctx: Ctx, status: int = 200, **values: Any) -> Response:
    from refurb.labels import load_stocks

    action = _action(ctx)
    partial = ctx.request.headers.get("hx-request") == "true" and not values.get("full")
    values.setdefault("message", None)
    values.setdefault("error", None)
    rows = scan.rows(ctx.store, _list(ctx), action)
    if partial:
        response = ctx.render("_scan_list.html", status, rows=rows, action=action, **values)
    else:
        response = ctx.render(
            "scan.html",
            status,
            rows=rows,
            action=action,
            actions=scan.ACTIONS,
            secure=_secure(ctx),
            stocks=sorted(load_stocks(ctx.web.config.labels_dir)),
            stock=ctx.web.config.label_stock,
            site=ctx.session.get("scan_site", ""),
            participants=[],
            open_shipments=[s for s in shipments.shipments(ctx.store) if s["status"] == "open"],
            **values,
        )
    response.headers["content-security-policy"] = SCAN_CSP
    return response


def scan_page(ctx: Ctx) -> Response:
    return _page(ctx)


def _add(ctx: Ctx, text: str) -> dict[str, Any]:
    """One scan into the list: what the page says of it."""
    found = scan.resolve(ctx.store, text)
    tags = _list(ctx)
    tag = found.tag or found.text
    if tag in tags:
        return {"message": ("duplicate", tag), "kind": "warn"}
    if len(tags) >= scan.MAX_LIST:
        raise BadInput(
            Phrase(N_("the list holds at most {most} devices"), most=scan.MAX_LIST),
            N_("do the action for these, clear the list, then go on"),
        )
    ctx.session["scan"] = [*tags, tag]
    if found.problem:
        return {"message": ("unknown", tag), "kind": "warn"}
    return {"message": ("added", tag), "kind": "ok"}


def scan_add(ctx: Ctx) -> Response:
    try:
        said = _add(ctx, ctx.form.get("code", ""))
    except DatabaseError:
        raise
    except RefurbError as exc:
        return _page(ctx, 200 if _htmx(ctx) else 400, error=exc, kind="error")
    return _page(ctx, **said)


def _htmx(ctx: Ctx) -> bool:
    return ctx.request.headers.get("hx-request") == "true"


def scan_photo(ctx: Ctx) -> Response:
    """A photo sent from the page (multipart): every refurb QR code in it is scanned."""
    from refurb.scanning import decode_photo

    photo = ctx.files.get("photo")
    try:
        if photo is None:
            raise BadInput(N_("no photo was sent"), N_("take a photo of the label"))
        texts = decode_photo(photo)
        if not texts:
            raise BadInput(
                N_("no QR code found in that photo"),
                N_("take it again closer, in focus, with the whole label in view"),
            )
        said: dict[str, Any] = {}
        for text in texts:
            try:
                said = _add(ctx, text)
            except BadInput as exc:
                if len(texts) == 1:
                    raise
                said = {"error": exc, "kind": "error"}
    except DatabaseError:
        raise
    except RefurbError as exc:
        return _page(ctx, 200 if _htmx(ctx) else 400, error=exc, kind="error")
    return _page(ctx, **said)


def scan_remove(ctx: Ctx) -> Response:
    tag = ctx.form.get("tag", "")
    ctx.session["scan"] = [t for t in _list(ctx) if t != tag]
    return _page(ctx) if _htmx(ctx) else RedirectResponse("/scan", 303)


def scan_clear(ctx: Ctx) -> Response:
    ctx.session["scan"] = []
    return _page(ctx) if _htmx(ctx) else RedirectResponse("/scan", 303)


def scan_choose(ctx: Ctx) -> Response:
    """The chosen action (the list's warnings follow it)."""
    action = ctx.form.get("action", "")
    if action in scan.ACTIONS:
        ctx.session["scan_action"] = action
    return _page(ctx) if _htmx(ctx) else RedirectResponse("/scan", 303)


def scan_act(ctx: Ctx) -> Response:
    """The chosen action for every device in the list, each allowed or refused."""
    f = ctx.form
    action = f.get("action", "")
    if action not in scan.ACTIONS:
        return _page(
            ctx,
            400,
            error=BadInput(Phrase(N_("no action {action!r}"), action=action[:40])),
            full=True,
        )
    ctx.session["scan_action"] = action
    tags = [t for t in _list(ctx) if t]
    assert ctx.user is not None
    who = {"actor": ctx.user.name, "station": ctx.web.station}
    store = ctx.store
    try:
        if not tags and action != "stocktake":  # an empty shelf is a stocktake too
            raise BadInput(N_("the list is empty"), N_("scan the devices first"))
        if action == "labels":
            return _labels(ctx, tags, f.get("stock", ""))
        if action == "stocktake":
            ctx.session["scan_site"] = f.get("site", "")
            counted = scan.stocktake(store, f.get("site", ""), tags, **who)
            return _page(ctx, outcomes=counted.seen, counted=counted, full=True)
        if action == "site":
            ctx.session["scan_site"] = f.get("site", "")
            outcomes = scan.move_to_site(store, f.get("site", ""), tags, **who)
        elif action == "ready":
            outcomes = scan.make_ready(store, tags, **who)
        elif action == "ship":
            outcomes = scan.ship(store, f.get("shipment", ""), tags, **who)
        else:
            participant = f.get("participant", "")
            outcomes = scan.issue_one(store, tags, participant, **who)
    except DatabaseError:
        raise
    except RefurbError as exc:
        return _page(ctx, 400, error=exc, full=True)
    return _page(ctx, outcomes=outcomes, full=True)


def _labels(ctx: Ctx, tags: list[str], stock_name: str) -> Response:
    from refurb.app import reports
    from refurb.labels import load_stocks, render

    cfg = ctx.web.config
    stocks = load_stocks(cfg.labels_dir)
    stock = stocks.get(stock_name or cfg.label_stock)
    if stock is None:
        raise BadInput(
            Phrase(N_("no label stock {value!r}"), value=stock_name[:40]),
            Phrase(N_("stocks: {stocks}"), stocks=", ".join(stocks)),
        )
    known = [r.tag for r in scan.rows(ctx.store, tags) if r.known]
    if not known:
        raise BadInput(N_("no device in the list is on record"), N_("scan labelled devices"))
    pdf = render(reports.labels(ctx.store, known), stock, lang=ctx.lang, font=cfg.font)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": 'inline; filename="labels.pdf"',
            "Cache-Control": "no-store",
        },
    )


def by_tag(ctx: Ctx) -> Response:
    """/d/TAG: what a label's QR code opens (a tag or alias, typed in any case)."""
    tag = scan.get(ctx.store, ctx.param("tag"))
    return RedirectResponse(f"/devices/{tag}", 303)


ROUTES: list[tuple[str, str, Any, frozenset[str]]] = [
    ("GET", "/scan", scan_page, LEAD),
    ("POST", "/scan/add", scan_add, LEAD),
    ("POST", "/scan/photo", scan_photo, LEAD),
    ("POST", "/scan/remove", scan_remove, LEAD),
    ("POST", "/scan/clear", scan_clear, LEAD),
    ("POST", "/scan/choose", scan_choose, LEAD),
    ("POST", "/scan/act", scan_act, LEAD),
    ("GET", "/d/{tag}", by_tag, ALL),
]
