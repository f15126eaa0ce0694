"""The web application: one Starlette app, its session, the route guard and the one
error boundary.

Every route is declared once, in ``refurb.web.pages.ROUTES``, with the roles allowed to
open it; ``guarded`` checks the session, the role and (on every POST) the CSRF token and
the request's origin, then runs the page's function in a worker thread (the application
layer is synchronous). Nothing a page raises reaches the browser as a stack trace: a
refusal or bad input is shown with its reason, a missing device or page is a 404 page
with a search box, a database that does not answer is a 503 page, anything else a 500
page while the traceback goes to the server's log.
"""

from __future__ import annotations

import hmac
import logging
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from refurb import words
from refurb.app import accounts, open_inventory
from refurb.app.accounts import Account
from refurb.config import Config, load_config
from refurb.errors import BadInput, DatabaseError, NotFound, RefurbError
from refurb.i18n import N_, NC_, Phrase, gettext_for
from refurb.reports.i18n import number
from refurb.untrusted import MAX_TEXT, one_line
from refurb.web import text

if TYPE_CHECKING:
    from refurb.app import Inventory

log = logging.getLogger("refurb.web")

PUBLIC: frozenset[str] = frozenset()  # a route anyone may open (login, set-up, language)
SESSION_HOURS = 12
MAX_UPLOAD = 40 * 2**20  # a phone photo or a snapshot file; nothing a shop sends is larger
MAX_BODY = MAX_UPLOAD + 2**20  # one such file and the form around it
NOT_CLEANED = ("password", "password2", "csrf")  # form fields kept exactly as typed


@dataclass
class LoginLimiter:
    """At most ``limit`` failed sign-ins per name and address in ``window`` seconds (in
    this process: with --workers N, N times as many at most)."""

    limit: int = 5
    window: float = 15 * 60
    _failures: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _recent(self, key: tuple[str, str], now: float) -> list[float]:
        kept = [t for t in self._failures.get(key, []) if now - t < self.window]
        self._failures[key] = kept
        return kept

    def blocked(self, name: str, address: str) -> bool:
        with self._lock:
            return len(self._recent((name.lower(), address), time.monotonic())) >= self.limit

    def failed(self, name: str, address: str) -> None:
        with self._lock:
            now = time.monotonic()
            self._recent((name.lower(), address), now).append(now)
            if len(self._failures) > 10_000:  # forget the oldest names under a flood
                for key in list(self._failures)[:5_000]:
                    del self._failures[key]

    def succeeded(self, name: str, address: str) -> None:
        with self._lock:
            self._failures.pop((name.lower(), address), None)


@dataclass
class Web:
    """What every page needs: the inventory, the configuration, the templates."""

    store: Inventory
    config: Config
    tls: bool
    env: Environment
    limiter: LoginLimiter = field(default_factory=LoginLimiter)
    nav: list[tuple[str, str, frozenset[str]]] = field(default_factory=list)

    @property
    def station(self) -> str:
        return (self.config.station or "RF").upper()


@dataclass
class Ctx:
    """One request as a page function sees it."""

    request: Request
    web: Web
    user: Account | None
    lang: str
    form: dict[str, str]
    # uploaded files by field name (the first file of each), read whole: at most MAX_UPLOAD
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def store(self) -> Inventory:
        return self.web.store

    @property
    def session(self) -> dict[str, Any]:
        return self.request.session

    def param(self, name: str) -> str:
        return str(self.request.path_params[name])

    def query(self, name: str) -> str | None:
        value = self.request.query_params.get(name)
        return (clean(value) or None) if value is not None else None

    def word(self, key: str) -> str:
        return text.words(self.lang)(key)

    def render(self, template: str, status: int = 200, **values: Any) -> HTMLResponse:
        return render(self.web, self.request, template, status, user=self.user, **values)


def _declared_length(request: Request) -> int:
    try:
        return int(request.headers.get("content-length", "0"))
    except ValueError:
        return 0


async def _read_upload(upload: UploadFile) -> bytes:
    data = await upload.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise BadInput(
            Phrase(
                N_("the file {name} is larger than {most} MB"),
                name=upload.filename or "",
                most=MAX_UPLOAD // 2**20,
            ),
            N_("send a smaller file"),
        )
    return data


def clean(value: str) -> str:
    """Text from a form or a query string, as the CLI cleans its arguments."""
    if len(value) > MAX_TEXT:
        raise BadInput(
            Phrase(N_("a field is {n:,} characters long"), n=len(value)),
            Phrase(N_("keep it under {most:,} characters"), most=MAX_TEXT),
        )
    return one_line(value)


def render(
    web: Web,
    request: Request,
    template: str,
    status: int = 200,
    *,
    user: Account | None = None,
    **values: Any,
) -> HTMLResponse:
    session = request.scope.get("session") or {}
    lang = session.get("lang") or web.config.lang
    langs = text.languages()
    lang = lang if lang in langs else "en"
    other_lang = langs[(langs.index(lang) + 1) % len(langs)]  # the switch: the next one
    role = user.role if user else None
    tr = gettext_for(lang)
    page = web.env.get_template(template).render(
        _=text.words(lang),
        gettext=tr,  # {% trans %} (jinja2.ext.i18n), per request
        ngettext=tr.n,
        colon=tr.colon,  # "Period:", "Période :"
        lang=lang,
        other_lang=other_lang,
        other_lang_name=gettext_for(other_lang)(NC_("language name", "English")),
        user=user,
        csrf=session.get("csrf", ""),
        here=request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        nav=[(path, key) for path, key, roles in web.nav if role in roles],
        status_word=lambda s: text.status_word(s, lang),
        verdict_word=lambda d: text.verdict_word(d, lang),
        finding_word=lambda s: text.finding_word(s, lang),
        word=lambda kind, value: words.word(kind, value, lang),  # refurb.words
        note_words=lambda text: words.note(text, lang),  # a note refurb wrote, translated
        # a number with the reader's separators ("9,0" in French), as the reports write it
        number=lambda value, decimals=1: "" if value is None else number(value, lang, decimals),
        # a message from the application layer or the rulebook, in the page's language
        # (a Phrase renders its values; other text the catalogue lacks stays English)
        say=lambda message: gettext_for(lang)(message) if message else "",
        **values,
    )
    return HTMLResponse(page, status_code=status, headers={"Cache-Control": "no-store"})


def _same_origin(request: Request) -> bool:
    """A form post from a page of this server: the browser's Sec-Fetch-Site says so, or
    the Origin (else the Referer) names this host."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin") or request.headers.get("referer")
    if origin is None:
        return True  # neither header: an old client; the token alone decides
    if origin == "null":
        return fetch_site == "same-origin"
    parts = urlsplit(origin)
    return parts.netloc == request.headers.get("host", request.url.netloc)


def local_path(value: str | None, default: str = "/") -> str:
    """A redirect target that stays on this server."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    return value


Page = Callable[[Ctx], Response]


def guarded(page: Page, roles: frozenset[str]) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        web: Web = request.app.state.web
        session = request.session
        if "csrf" not in session:
            session["csrf"] = secrets.token_urlsafe(32)
        lang = session.get("lang") or web.config.lang
        user = None
        if roles is not PUBLIC:
            name = session.get("user")
            stamp = str(session.get("stamp", ""))
            user = (
                await run_in_threadpool(accounts.account, web.store, name, stamp) if name else None
            )
            if user is None:
                session.pop("user", None)
                session.pop("stamp", None)
                target = quote(request.url.path, safe="/")
                return RedirectResponse(f"/login?next={target}", status_code=303)
            if user.role not in roles:
                return render(
                    web, request, "error.html", 403, user=user, title="forbidden", message=None
                )
        form: dict[str, str] = {}
        files: dict[str, bytes] = {}
        if request.method == "POST":
            if _declared_length(request) > MAX_BODY:
                error = BadInput(N_("what was sent is too large"), N_("send a smaller file"))
                return render(web, request, "error.html", 413, title="bad_request", error=error)
            async with request.form() as raw:
                sent = raw.get("csrf")
                if (
                    not isinstance(sent, str)
                    or not hmac.compare_digest(sent, session["csrf"])
                    or not _same_origin(request)
                ):
                    return render(web, request, "error.html", 403, title="refused", message="csrf")
                try:
                    form = {
                        k: (v if k in NOT_CLEANED else clean(v))
                        for k, v in raw.items()
                        if isinstance(v, str)
                    }
                    for k, v in raw.multi_items():
                        if isinstance(v, UploadFile) and k not in files:
                            files[k] = await _read_upload(v)
                except BadInput as exc:
                    return render(web, request, "error.html", 400, title="bad_request", error=exc)
        ctx = Ctx(request, web, user, lang if lang in text.languages() else "en", form, files)
        return await run_in_threadpool(page, ctx)

    endpoint.__name__ = getattr(page, "__name__", "page")
    return endpoint


# --- the error boundary ------------------------------------------------------------------


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    web: Web = request.app.state.web
    if exc.status_code == 404:
        return render(web, request, "notfound.html", 404, error=None)
    return render(web, request, "error.html", exc.status_code, title="bad_request", error=None)


async def _refurb_error(request: Request, exc: Exception) -> Response:
    web: Web = request.app.state.web
    if isinstance(exc, NotFound):
        return render(web, request, "notfound.html", 404, error=exc)
    if isinstance(exc, DatabaseError):
        log.warning("database: %s", exc)
        return render(web, request, "error.html", 503, title="db_down", message="db_down_text")
    return render(web, request, "error.html", 400, title="bad_request", error=exc)


async def _server_error(request: Request, exc: Exception) -> Response:
    log.exception("error on %s %s", request.method, request.url.path, exc_info=exc)
    web: Web = request.app.state.web
    try:
        return render(web, request, "error.html", 500, title="server_error", message=None)
    except Exception:  # the error page itself failed: plain words, still no traceback
        return HTMLResponse("<h1>Something went wrong</h1>", status_code=500)


class SecurityHeaders:
    """Headers on every response: no script or style from anywhere but this server (so
    markup that slipped through could not run), no framing, no sniffing."""

    CSP = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    )

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                for key, value in (
                    (b"content-security-policy", self.CSP.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"same-origin"),
                ):
                    if key not in names:
                        headers.append((key, value))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _templates() -> Environment:
    folder = resources.files("refurb.web") / "templates"
    env = Environment(
        loader=FileSystemLoader(str(folder)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        # {% trans %} blocks; the gettext of the request's language comes with each render
        extensions=["jinja2.ext.i18n"],
    )
    return env


def create_app(
    db_url: str | None = None,
    *,
    tls: bool = False,
    store: Inventory | None = None,
    config: Config | None = None,
) -> Starlette:
    from refurb.web.pages import NAV, ROUTES

    store = store if store is not None else open_inventory(db_url, "write")
    web = Web(store=store, config=config or load_config(), tls=tls, env=_templates())
    roles_of = {(method, path): roles for method, path, _, roles in ROUTES}
    web.nav = [(path, key, roles_of[("GET", path)]) for path, key in NAV]
    routes: list[Route | Mount] = [
        Route(path, guarded(page, roles), methods=[method]) for method, path, page, roles in ROUTES
    ]
    static = str(resources.files("refurb.web") / "static")
    routes.append(Mount("/static", StaticFiles(directory=static), name="static"))
    middleware = [
        Middleware(SecurityHeaders),
        Middleware(
            SessionMiddleware,
            secret_key=accounts.session_secret(store),
            session_cookie="refurb_session",
            max_age=SESSION_HOURS * 3600,
            same_site="lax",
            https_only=tls,
        ),
    ]
    handlers: dict[Any, Any] = {
        HTTPException: _http_error,
        RefurbError: _refurb_error,
        Exception: _server_error,
    }
    app = Starlette(routes=routes, middleware=middleware, exception_handlers=handlers)
    app.state.web = web
    return app


def app_from_env() -> Starlette:
    """The factory each uvicorn worker calls (``refurb serve --workers N``)."""
    return create_app(
        os.environ.get("REFURB_WEB_DB") or None, tls=os.environ.get("REFURB_WEB_TLS") == "1"
    )


def roles_table() -> Iterable[tuple[str, str, frozenset[str]]]:
    from refurb.web.pages import ROUTES

    return [(method, path, roles) for method, path, _, roles in ROUTES]
