"""The ASGI app: web chat, staff console, channel webhooks and health, mounted on one FastAPI."""

from __future__ import annotations

import threading
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.templating import Jinja2Templates

from bot.bootstrap import Services
from bot.health import health

TEMPLATES = Jinja2Templates(directory=Path(__file__).resolve().parent / "templates")


def _warm_up(services: Services) -> None:
    """Load the embedding model in the background so start-up stays fast."""
    warm = getattr(services.encoder, "warm_up", None)
    if warm is not None:
        threading.Thread(target=warm, name="model-warm-up", daemon=True).start()


def create_app(services: Services, *, warm_up: bool = True) -> FastAPI:
    """Build the app around already-built services."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        if warm_up:
            _warm_up(services)
        yield
        services.close()

    app = FastAPI(title="Đồng hành", docs_url=None, redoc_url=None, lifespan=lifespan)
    app.state.services = services

    @app.get("/healthz")
    def healthz() -> JSONResponse:
        ok, report = health(services)
        return JSONResponse(report, status_code=200 if ok else 503)

    @app.get("/", response_class=HTMLResponse)
    def web_chat(request: Request) -> HTMLResponse:
        return TEMPLATES.TemplateResponse(request, "chat.html", {"topics": services.catalog.topics.values()})

    return app
