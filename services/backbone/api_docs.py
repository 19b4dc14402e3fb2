"""The API reference at /docs, drawn by Swagger UI files the service serves itself.

A council's network may have no internet, so nothing on /docs comes from a CDN: the page
loads its script, styles and icon from `/docs/assets/` (swagger-ui-dist, vendored in
`swagger-ui/` with its licence), which needs no token, like the rest of /docs. `/` of a
service leads to /docs.
"""

from collections.abc import Sequence
from pathlib import Path

from litestar import Router, get
from litestar.datastructures import CacheControlHeader
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.response import Redirect
from litestar.static_files import create_static_files_router

ASSETS = Path(__file__).resolve().parent / "swagger-ui"
"""The vendored Swagger UI files (see its README for the version and how to update)."""
ASSETS_PATH = "/assets"
"""Where they are served, under the OpenAPI router's path (`/docs/assets/…`)."""
ASSETS_MAX_AGE_S = 24 * 3600


class OfflineSwaggerUI(SwaggerRenderPlugin):
    """Litestar's Swagger UI page, with its files served from this service."""

    def __init__(self, docs_path: str, *, path: Sequence[str] = ("/", "/swagger")) -> None:
        """The page at each of `path` under `docs_path` (the OpenAPI config's path)."""
        base = f"{docs_path.rstrip('/')}{ASSETS_PATH}"
        super().__init__(
            js_url=f"{base}/swagger-ui-bundle.js",
            css_url=f"{base}/swagger-ui.css",
            standalone_preset_js_url=f"{base}/swagger-ui-standalone-preset.js",
            favicon=f"<link rel='icon' type='image/png' href='{base}/favicon-32x32.png'>",
            path=list(path),
        )

    def receive_router(self, router: Router) -> None:
        """Add the page's own routes, then the files at `ASSETS_PATH`."""
        super().receive_router(router)
        router.register(
            create_static_files_router(
                path=ASSETS_PATH,
                directories=[ASSETS],
                name="swagger-ui-assets",
                include_in_schema=False,
                cache_control=CacheControlHeader(max_age=ASSETS_MAX_AGE_S, public=True),
            )
        )


@get("/", include_in_schema=False, sync_to_thread=False, exclude_from_auth=True)
def to_docs() -> Redirect:
    """A service's front door: its API reference."""
    return Redirect(path="/docs")
