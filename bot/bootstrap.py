"""The one place that wires settings, database, data and models together.

Production (`donghanh serve`) and the tests build the service the same way; tests pass fakes.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot import logs
from bot.channels.registry import Registry, default_registry
from bot.dialogue.engine import DialogueEngine
from bot.dialogue.store import SqlStore
from bot.settings import Settings
from knowledge.catalog import Catalog, load_catalog
from knowledge.legal import Register, load_register
from knowledge.loader import FaqEntry, Plan, load_plan
from knowledge.retriever import Document
from knowledge.service import KnowledgeBase
from knowledge.sources import current_entries, default_sources, documents_of
from nlu.embeddings import Encoder, load_encoder
from nlu.pipeline import NluPipeline, build_pipeline
from tickets.calendar.sla import WorkingCalendar
from tickets.domain.content import revision_rows
from tickets.domain.drafts import published_entries
from tickets.storage import outbox
from tickets.storage.db import Database

# No model hub is ever reached: the model is provisioned from PyPI packages into a local folder.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

log = logging.getLogger("donghanh")


@dataclass
class Services:
    """Everything the app needs, built once per process.

    The NLU pipeline is built at its first use (loaded from its cache, or trained), so the server starts
    at once and a background thread warms it up.
    """

    settings: Settings
    database: Database
    catalog: Catalog
    register: Register
    plan: Plan
    encoder: Encoder
    secret_key: str
    knowledge: KnowledgeBase
    nlu_factory: Callable[[], NluPipeline]
    calendar: WorkingCalendar
    channels: Registry
    _nlu: NluPipeline | None = field(default=None, repr=False)
    _engine: DialogueEngine | None = field(default=None, repr=False)
    _nlu_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def nlu(self) -> NluPipeline:
        with self._nlu_lock:
            if self._nlu is None:
                self._nlu = self.nlu_factory()
            return self._nlu

    @property
    def engine(self) -> DialogueEngine:
        """The dialogue engine every channel talks to."""
        if self._engine is None:
            self._engine = DialogueEngine(
                stores=SqlStore.opener(self.database),
                nlu=lambda: self.nlu,
                knowledge=self.knowledge,
                catalog=self.catalog,
                deadlines=self.calendar,
                identifies_user=self.channels.identifies_user,
            )
        return self._engine

    def faq(self) -> list[FaqEntry]:
        """The FAQ as the assistant answers from it: the files, the drafts published in the console, and the
        admins' reviews and edits."""
        return current_entries(
            self.catalog,
            self.register,
            published=published_entries(self.database),
            revisions=revision_rows(self.database),
        )

    def warm_up(self) -> None:
        """Load the embedding model, the NLU and the knowledge index now rather than at the first message."""
        if hasattr(self.encoder, "warm_up"):
            self.encoder.warm_up()
        _ = self.nlu
        self.knowledge.retriever()

    def close(self) -> None:
        self.database.dispose()


def session_secret(settings: Settings) -> str:
    """The cookie-signing key: the configured one, or one generated once into the var directory."""
    if settings.DONGHANH_SECRET_KEY:
        return settings.DONGHANH_SECRET_KEY
    path = settings.DONGHANH_VAR_DIR / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
    return path.read_text(encoding="utf-8").strip()


def build_services(
    settings: Settings,
    *,
    database: Database | None = None,
    encoder: Encoder | None = None,
    catalog_dir: Path | None = None,
    knowledge: KnowledgeBase | None = None,
    nlu: NluPipeline | None = None,
    channels: Registry | None = None,
) -> Services:
    """Build the services from settings; tests may hand in their own database, encoder, knowledge, NLU or
    channels."""
    logs.configure(settings.DONGHANH_LOG_LEVEL, settings.DONGHANH_LOG_FORMAT)
    catalog = load_catalog(catalog_dir) if catalog_dir else load_catalog()
    register = load_register()
    plan = load_plan()
    encoder = encoder or load_encoder(settings.EMBEDDING_MODEL)
    database = database or Database.connect(settings.database_url)
    channels = channels or default_registry()
    outbox.set_text_limits(channels.text_limits())
    return Services(
        settings=settings,
        database=database,
        catalog=catalog,
        register=register,
        plan=plan,
        encoder=encoder,
        secret_key=session_secret(settings),
        knowledge=knowledge
        or build_knowledge(settings, encoder=encoder, catalog=catalog, register=register, plan=plan, database=database),
        nlu_factory=(lambda: nlu)
        if nlu
        else (lambda: build_nlu(settings, encoder=encoder, catalog=catalog, plan=plan)),
        calendar=WorkingCalendar.load(),
        channels=channels,
    )


def build_nlu(settings: Settings, *, encoder: Encoder, catalog: Catalog, plan: Plan) -> NluPipeline:
    """The NLU pipeline, trained on first use and cached under the var directory."""
    return build_pipeline(
        encoder=encoder,
        departments={code: topic.department for code, topic in catalog.topics.items()},
        cache_dir=settings.DONGHANH_VAR_DIR / "nlu",
        restoration_corpus=[f"{section.title}. {section.text}" for section in plan.sections],
        route=catalog.route,
    )


def build_knowledge(
    settings: Settings,
    *,
    encoder: Encoder,
    catalog: Catalog,
    register: Register,
    plan: Plan,
    database: Database | None = None,
) -> KnowledgeBase:
    """The knowledge base over the default sources, its index cached under the var directory; with a database,
    the FAQ drafts published in the console join the FAQ files, and the admins' reviews and edits apply."""
    sources = default_sources(
        plan,
        catalog,
        register,
        published=(lambda: published_entries(database)) if database else tuple,
        revisions=(lambda: revision_rows(database)) if database else tuple,
    )

    def documents() -> list[Document]:
        return documents_of(sources)

    return KnowledgeBase(documents, encoder, catalog, settings.DONGHANH_VAR_DIR / "kb")
