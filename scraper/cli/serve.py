"""``scraper serve``: the web page, JSON API, Atom feeds and metrics over HTTP (uvicorn)."""

from __future__ import annotations

import click

from scraper.cli.context import AppContext


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.pass_obj
def serve_command(app: AppContext, host: str, port: int) -> None:
    """Serve the archive: search page, JSON API (/docs), Atom feeds, /healthz, /metrics.

    Read-only unless SCRAPER_API_TOKEN is set; then POST /api/feeds and
    POST /api/publishers/ID/crawl accept that token as a bearer token.
    """
    import uvicorn

    from scraper.api import create_app

    archive = app.archive()
    config = app.effective_config()
    archive.sync_config(config)  # publishers appear before the first crawl
    token = app.settings.api_token.get_secret_value() if app.settings.api_token else None
    web = create_app(
        app.settings, config, archive, api_token=token, server_name=app.settings.server_name
    )
    uvicorn.run(web, host=host, port=port, log_level=app.settings.log_level.lower())
