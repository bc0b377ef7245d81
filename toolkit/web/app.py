"""The web app assembled: routes, templates, static files, storage, and the headers every page carries."""

from __future__ import annotations

import re
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Receive, Scope, Send

from . import desk, routes
from .storage import NotFound, Storage

HERE = Path(__file__).parent

# Everything the pages use ships in the package: no script, style or font from elsewhere.
# Inline styles are allowed for the report preview, which is the published web page as it is.
POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
          "frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


class Guard:
    """Security headers on every answer; a POST from another site's page refused."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request = Request(scope)
        if request.method == "POST" and not routes.same_origin(request):
            response = PlainTextResponse("拒绝：请求来自其他网站。", status_code=403)
            return await response(scope, receive, send)

        async def with_headers(message) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                headers += [(b"content-security-policy", POLICY.encode()), (b"x-content-type-options", b"nosniff"),
                            (b"referrer-policy", b"same-origin"), (b"cache-control", b"no-store")]
            await send(message)

        await self.app(scope, receive, with_headers)


def field_id(name: str) -> str:
    """A field name as an HTML id: letters, digits and hyphens (form.js makes the same)."""
    return re.sub(r"[^A-Za-z0-9_]", "-", name)


def create_app(data_folder: Path, database: str | None = None) -> Starlette:
    """The app over the reports kept in ``data_folder`` (created, and its database migrated, if new);
    the 政务公开办's desk (/desk) on ``database`` when given (PostgreSQL), else on the same SQLite file."""
    environment = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(),
                              trim_blocks=True, lstrip_blocks=True)
    environment.filters["fid"] = field_id
    app = Starlette(routes=desk.routes() + routes.routes(HERE / "static"), middleware=[Middleware(Guard)],
                    exception_handlers={NotFound: routes.not_found, 404: routes.not_found})
    app.state.storage = Storage(Path(data_folder))
    app.state.templates = Jinja2Templates(env=environment)
    app.state.desk_folder, app.state.desk_database, app.state.desk_engine = Path(data_folder), database, None
    return app
