"""Notify's front door (`/`): where the worker page is, and the API reference."""

from litestar import get
from litestar.response import Template


@get(
    "/",
    include_in_schema=False,
    media_type="text/html",
    sync_to_thread=False,
    exclude_from_auth=True,
)
def home() -> Template:
    """Workers open their page from the link they were sent; coordinators have /docs."""
    return Template("home.html.j2")
