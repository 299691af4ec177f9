"""What keeps the server safe to run: bind checks, the token, headers, body limits.

The server is meant for one analyst on their own machine. Bound to loopback it
needs nothing more; bound to any other address it refuses to start without a
token, and then every ``/api/*`` request must carry it. Pages themselves hold
no data (they fetch it through the API), so they load without the token.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
from collections.abc import Iterable
from urllib.parse import parse_qs, urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from airwitness.errors import UsageError

TOKEN_ENV = "AIRWITNESS_TOKEN"
LOOPBACK_NAMES = frozenset({"localhost", "localhost.", "ip6-localhost"})

#: Nothing may be fetched from anywhere but this server; no inline scripts or styles.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
#: The self-contained case report carries its styles inline and needs nothing else.
REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Multipart framing around the file (boundaries, part headers) is allowed on top.
_MULTIPART_SLACK = 64 * 1024


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and the name localhost."""
    name = host.strip().strip("[]").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def check_bind(host: str, token: str | None) -> None:
    """Refuse to serve off loopback without a token (a one-line reason)."""
    if token is not None and not token.strip():
        raise UsageError("the token is empty")
    if not is_loopback(host) and not token:
        raise UsageError(
            f"refusing to listen on {host} without a token: give --token or set {TOKEN_ENV} "
            "(or bind to 127.0.0.1)"
        )


async def _json(send: Send, status: int, detail: str, headers: Iterable[tuple[str, str]] = ()):
    body = json.dumps({"detail": detail}).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    """Add the Content-Security-Policy and friends to every response that lacks them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if "content-security-policy" not in headers:
                    headers["content-security-policy"] = CSP
                for key, value in _HEADERS.items():
                    if key not in headers:
                        headers[key] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


class ApiGuard:
    """Token and same-origin checks for ``/api/*``.

    With a token, a request must carry it as ``Authorization: Bearer <token>``
    or ``?token=<token>`` (for download links), else 401. Whatever the token,
    a request that changes something (POST) from another site's page is
    refused (403): browsers send multipart forms cross-site without asking.
    """

    def __init__(
        self, app: ASGIApp, token: str | None, allowed_hosts: frozenset[str] | None = None
    ) -> None:
        self.app = app
        self.token = token.encode() if token else None
        self.allowed_hosts = allowed_hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not (path == "/api" or path.startswith("/api/")):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if self.allowed_hosts is not None and _host_name(headers) not in self.allowed_hosts:
            # A page on another site that rebinds its DNS name to 127.0.0.1 sends its own name.
            await _json(send, 403, "unexpected Host header: use http://127.0.0.1:<port>/")
            return
        if self.token is not None and not self._authorised(scope, headers):
            await _json(
                send,
                401,
                "this server needs a token: send 'Authorization: Bearer <token>' or ?token=<token>",
                [("www-authenticate", "Bearer")],
            )
            return
        if scope["method"] not in _SAFE_METHODS and _cross_site(headers):
            await _json(send, 403, "cross-site request refused")
            return
        await self.app(scope, receive, send)

    def _authorised(self, scope: Scope, headers: Headers) -> bool:
        assert self.token is not None
        given = []
        auth = headers.get("authorization", "")
        scheme, _, value = auth.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            given.append(value.strip())
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        given += query.get("token", [])
        return any(hmac.compare_digest(g.encode("utf-8", "replace"), self.token) for g in given)


def _host_name(headers: Headers) -> str:
    """The Host header without its port, lower case (``[::1]:8750`` -> ``::1``)."""
    return (urlsplit("//" + headers.get("host", "")).hostname or "").lower()


def loopback_hosts(host: str) -> frozenset[str]:
    """Host names a loopback server answers to: a defence against DNS rebinding."""
    name = host.strip().strip("[]").lower()
    return frozenset({"127.0.0.1", "localhost", "::1", name})


def _cross_site(headers: Headers) -> bool:
    site = headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return True
    origin = headers.get("origin")
    if origin is None:
        return False
    if origin == "null":  # sandboxed frames, file: pages
        return True
    return urlsplit(origin).netloc.lower() != headers.get("host", "").lower()


class _TooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"upload larger than the limit of {limit} bytes")


class UploadLimit:
    """Refuse upload bodies over the limit (413) before they reach the disk.

    A declared ``Content-Length`` over the limit is refused without reading a
    byte; otherwise bytes are counted as they arrive and the request fails as
    soon as the count passes the limit.
    """

    def __init__(self, app: ASGIApp, path: str, limit: int) -> None:
        self.app = app
        self.path = path
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") != self.path or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        allowed = self.limit + _MULTIPART_SLACK
        length = Headers(scope=scope).get("content-length")
        if length is not None and length.isdigit() and int(length) > allowed:
            await _json(send, 413, f"upload larger than the limit of {self.limit} bytes")
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > allowed:
                    raise _TooLarge(self.limit)
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except _TooLarge as exc:
            if started:
                raise
            await _json(send, 413, exc.detail)
