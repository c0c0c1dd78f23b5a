"""The ASGI app: web chat, staff console, channel webhooks and health, mounted on one FastAPI."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError

from bot.bootstrap import Services
from bot.channels.contract import Sender
from bot.delivery import Delivery
from bot.health import health
from bot.limits import BodyLimit, RequestId
from bot.messages import MAX_TEXT_CHARS
from bot.public import public_routes
from tickets.console.content import content_routes
from tickets.console.dashboard import dashboard_routes
from tickets.console.dialogues import dialogue_routes
from tickets.console.pages import STATIC_DIR as CONSOLE_STATIC
from tickets.console.pages import Console, console_routes
from tickets.dialogues.jobs import watch_sessions
from tickets.domain.escalation import watch_deadlines
from tickets.reports import clusters
from tickets.reports.data import Cluster, Filters, Period
from tickets.reports.stats import Window
from tickets.storage.models import utcnow

HERE = Path(__file__).resolve().parent
TEMPLATES = Jinja2Templates(directory=HERE / "templates")
EMBED_EVERY_SECONDS = 60
EMBED_SLICE = 256  # tickets embedded per round, so the job never holds a core for long
log = logging.getLogger(__name__)


async def embed_new_tickets(services: Services) -> None:
    """Give new tickets their vectors for the recurring-problem clusters, a slice a minute."""
    while True:
        try:
            await asyncio.to_thread(clusters.embed_missing, services.database, services.encoder, limit=EMBED_SLICE)
        except IntegrityError:  # another server process stored the same tickets' vectors first
            log.info("embedding new tickets: another process was quicker")
        except Exception:  # the database or the model is not ready yet: the next round tries again
            log.exception("embedding new tickets failed")
        await asyncio.sleep(EMBED_EVERY_SECONDS)


def recurring_problems(services: Services) -> Callable[[Period, Filters], list[Cluster]]:
    """The dashboard's clusters: from the vectors already stored (the request never waits for the model)."""

    def find(period: Period, filters: Filters) -> list[Cluster]:
        window = Window.of(period, utcnow())
        return clusters.recurring_problems(
            services.database, period_start=window.start, period_end=window.end, filters=filters
        )

    return find


class AskRequest(BaseModel):
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS, pattern=r"\S")


def _invalid_request(_request: Request, error: RequestValidationError) -> JSONResponse:
    """A request the API cannot read, explained in Vietnamese (field names stay as sent)."""
    problems = []
    for item in error.errors():
        field_name = ".".join(str(part) for part in item["loc"][1:]) or "nội dung"
        if item["type"] == "string_too_long":
            problems.append(f"{field_name}: dài quá {MAX_TEXT_CHARS} ký tự, xin rút gọn")
        elif item["type"] == "missing":
            problems.append(f"{field_name}: còn thiếu")
        else:
            problems.append(f"{field_name}: không hợp lệ")
    return JSONResponse({"error": "Yêu cầu không hợp lệ: " + "; ".join(problems) + "."}, status_code=422)


def _warm_up(services: Services) -> None:
    """Load the model, the NLU and the knowledge index in the background so start-up stays fast."""

    def warm() -> None:
        try:
            services.warm_up()
        except Exception:  # the first request retries and reports the error to its caller
            log.exception("warm-up failed")

    threading.Thread(target=warm, name="warm-up", daemon=True).start()


def _mount_channels(services: Services, delivery: Delivery, app: FastAPI) -> list[Sender]:
    """Mount the routes of every channel the settings enable; return the senders to start with the server."""
    senders = []
    for channel in services.channels:
        if not channel.enabled(services.settings):
            continue
        mounted = channel.mount(services, delivery)
        if mounted.router is not None:
            app.include_router(mounted.router)
        if mounted.sender is not None:
            senders.append(mounted.sender)
    return senders


def create_app(services: Services, *, warm_up: bool = True) -> FastAPI:
    """Build the app around already-built services."""
    delivery = Delivery(database=services.database, engine=services.engine)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        if warm_up:
            _warm_up(services)
        await delivery.start(senders)
        background = [
            asyncio.create_task(watch_deadlines(services.database)),
            asyncio.create_task(watch_sessions(services.database)),
            asyncio.create_task(embed_new_tickets(services)),
        ]
        yield
        for task in background:
            task.cancel()
        await asyncio.gather(*background, return_exceptions=True)
        await delivery.stop()
        services.close()

    app = FastAPI(title="Đồng hành", docs_url=None, redoc_url=None, lifespan=lifespan)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_middleware(BodyLimit, limit=services.settings.DONGHANH_MAX_BODY_BYTES)
    app.add_middleware(RequestId)

    app.state.services = services
    app.state.delivery = delivery
    senders = _mount_channels(services, delivery, app)
    console = Console(
        database=services.database,
        catalog=services.catalog,
        register=services.register,
        suggest=lambda text: services.knowledge.search(text, 3),
        on_publish=services.knowledge.rebuild,
        channel_labels=services.channels.labels(),
    )
    app.include_router(console_routes(console))
    app.include_router(dashboard_routes(console, clusters=recurring_problems(services)))
    app.include_router(content_routes(console, entries=services.faq))
    app.include_router(dialogue_routes(console, calendar=services.calendar, encode=services.encoder.encode_queries))
    app.include_router(public_routes(services.database, services.catalog))
    app.mount("/staff/static", StaticFiles(directory=CONSOLE_STATIC), name="console-static")
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.get("/healthz")
    def healthz() -> JSONResponse:
        ok, report = health(services)
        return JSONResponse(report, status_code=200 if ok else 503)

    @app.post("/api/ask")
    def api_ask(question: AskRequest) -> dict:
        """The `donghanh ask --json` answer (docs/interfaces.md) for one question."""
        answer = services.knowledge.ask(question.text, services.nlu.parse(question.text))
        return answer.as_dict()

    @app.get("/", response_class=HTMLResponse)
    def web_chat(request: Request) -> HTMLResponse:
        return TEMPLATES.TemplateResponse(request, "chat.html", {"topics": services.catalog.topics.values()})

    return app


def app_from_environment() -> FastAPI:
    """The app built from the environment's settings: what each `donghanh serve --workers N` process runs."""
    from bot.bootstrap import build_services
    from bot.settings import load_settings

    return create_app(build_services(load_settings()))
