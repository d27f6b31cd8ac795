"""What every request and response goes through, whoever handles it.

A request body larger than the configured limit is refused with 413 and a Chinese message:
at once when its Content-Length says so, else as soon as the bytes read pass the limit
(the route reading it gets the 413 as an HTTPException). Responses carry security headers: a Content-Security-Policy that allows scripts, styles and
images from this site only (no inline script or style, no framing), ``nosniff``, and
``no-store`` on everything but the static files, since pages, JSON and PDFs show cases.
Request addresses (path and query) are checked like any other text: control and bidi
characters are refused before a filter reaches SQL (PostgreSQL refuses NUL with an error).
"""

from __future__ import annotations

import re

from fastapi import Request
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from engine.inputs import clean_text

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# FastAPI's own /docs and /redoc pages load their scripts from a CDN and inline a little code;
# they show no case data, so they get every header but the CSP.
DOCS_PATHS = ("/docs", "/redoc")
CACHEABLE = ("/static/", "/favicon.ico")  # files of the package, the same for every user


class BodyTooLarge(HTTPException):
    def __init__(self) -> None:
        super().__init__(status_code=413)


class BodyLimit:
    """ASGI middleware refusing request bodies over ``limit`` bytes (``larger``: paths matching a pattern get their own)."""

    def __init__(self, app: ASGIApp, limit: int, larger: dict[re.Pattern[str], int] | None = None) -> None:
        self.app = app
        self.limit = limit
        self.larger = larger or {}

    def limit_for(self, scope: Scope) -> int:
        path: str = scope.get("path", "")
        if scope.get("method") == "POST":
            for pattern, limit in self.larger.items():
                if pattern.fullmatch(path):
                    return limit
        return self.limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            from api.errors import http_error_response

            response = await http_error_response(Request(scope, receive), BodyTooLarge())
            await response(scope, receive, send)
            return
        received = 0

        async def receive_within_limit() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge()
            return message

        await self.app(scope, receive_within_limit, send)


class SecurityHeaders:
    """ASGI middleware adding the security headers to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Content-Type-Options"] = "nosniff"
                headers["X-Frame-Options"] = "DENY"
                headers["Referrer-Policy"] = "same-origin"
                if not path.startswith(DOCS_PATHS):
                    headers["Content-Security-Policy"] = CSP
                if not path.startswith(CACHEABLE):
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def clean_address(request: Request) -> None:
    """Refuse a path or query value with control or bidi characters (a dependency of every route)."""
    for name, value in request.path_params.items():
        if isinstance(value, str):
            clean_text(value, name, multiline=False)
    for name, value in request.query_params.multi_items():
        clean_text(name, name[:100], multiline=False)
        clean_text(value, name[:100], multiline=False)
