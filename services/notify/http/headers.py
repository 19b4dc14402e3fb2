"""Protective headers on every worker page response (`/w/<signed link>`).

The page's URL carries the worker's signed link, so nothing may leak it (no referrer), cache
it, frame it or run a script it did not ship: the page's one inline script carries a fresh
nonce, and every other response under `/w/` allows no script at all.
"""

import secrets

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

NO_SCRIPT = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
"""Pages without script: inline styles only, forms post back to this site."""

ALWAYS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cache-control": "no-store",
}


def new_nonce() -> str:
    """A fresh nonce for one response's inline script."""
    return secrets.token_urlsafe(16)


def page_policy(nonce: str) -> str:
    """The policy of the live page: its own script (by nonce), its own SSE and board."""
    return f"{NO_SCRIPT}; script-src 'nonce-{nonce}'; connect-src 'self'"


class WorkerPageHeaders:
    """Add the protective headers to each response; keep a policy a handler set itself."""

    def __init__(self, app: ASGIApp) -> None:
        """Wrap `app`."""
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Add the headers as the response starts."""
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return

        async def guarded(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                for name, value in ALWAYS.items():
                    headers[name] = value
                if "content-security-policy" not in headers:
                    headers["content-security-policy"] = NO_SCRIPT
            await send(message)

        await self.app(scope, receive, guarded)
