"""Shared fixtures: settings isolated from the developer's environment, and databases on both backends."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.postgres import PostgresServer

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

REPO_ROOT = Path(__file__).resolve().parents[1]
MODEL_DIR = REPO_ROOT / "models" / "multilingual-e5-small"
_database_names = itertools.count()


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's own configuration."""
    for name in list(os.environ):
        if name.startswith(("DONGHANH_", "TELEGRAM_", "ZALO_")) or name in {"DATABASE_URL", "EMBEDDING_MODEL"}:
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no stray .env file is picked up


@pytest.fixture(scope="session")
def model_dir() -> Path:
    """The real embedding model, in the project's cached folder (provisioned if needed; cheap when current)."""
    from nlu.e5_convert import provision_model

    return provision_model(MODEL_DIR, progress=False)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = PostgresServer.start()
    yield server
    server.stop()


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database, once on SQLite and once on a real PostgreSQL server."""
    yield from empty_database(request, tmp_path)


def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database of the backend `request.param` names, dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = f"test_{os.getpid()}_{next(_database_names)}"
    url = server.create_database(name)
    yield url
    server.drop_database(name)


@pytest.fixture
def database(database_url: str):
    """A database at the newest schema revision."""
    from tickets.storage.db import Database
    from tickets.storage.migrate import upgrade

    db = Database.connect(database_url)
    upgrade(db)
    yield db
    db.dispose()


@pytest.fixture(scope="session")
def nlu_var_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A var directory whose NLU cache the in-process tests and the CLI tests share (trained once)."""
    return tmp_path_factory.mktemp("nlu-var")


@pytest.fixture(scope="session")
def nlu_pipeline(model_dir: Path, nlu_var_dir: Path):
    """The real NLU pipeline: the real encoder, trained on the train split of the project's data."""
    from datetime import date

    from bot.bootstrap import build_nlu
    from bot.settings import load_settings
    from knowledge.catalog import load_catalog
    from knowledge.loader import load_plan
    from nlu.embeddings import load_encoder

    settings = load_settings(DONGHANH_VAR_DIR=nlu_var_dir)
    pipeline = build_nlu(settings, encoder=load_encoder(model_dir), catalog=load_catalog(), plan=load_plan())
    pipeline.today = lambda: date(2026, 11, 27)
    return pipeline


@pytest.fixture(scope="session")
def knowledge_base(model_dir: Path, nlu_var_dir: Path):
    """The real knowledge base over the real FAQ and plan, its index built once into the shared var folder."""
    from bot.bootstrap import build_knowledge
    from bot.settings import load_settings
    from knowledge.catalog import load_catalog
    from knowledge.legal import load_register
    from knowledge.loader import load_plan
    from nlu.embeddings import load_encoder

    settings = load_settings(DONGHANH_VAR_DIR=nlu_var_dir, EMBEDDING_MODEL=model_dir)
    encoder = load_encoder(model_dir, threads=min(4, os.cpu_count() or 1))
    knowledge = build_knowledge(
        settings, encoder=encoder, catalog=load_catalog(), register=load_register(), plan=load_plan()
    )
    knowledge.retriever()
    return knowledge


@pytest.fixture
def make_services(database, model_dir: Path, nlu_pipeline, knowledge_base, tmp_path: Path):
    """Build the application's services as production does, on the test database, with the real NLU and
    knowledge; keyword arguments are settings (channel URLs and tokens pointing at fakes), and `channels` a
    registry of channels other than the project's own."""
    from bot.bootstrap import build_services
    from bot.settings import load_settings

    def make(*, channels=None, **settings_overrides: object):
        settings = load_settings(
            DATABASE_URL=database.url,
            DONGHANH_VAR_DIR=tmp_path / "var",
            EMBEDDING_MODEL=model_dir,
            **settings_overrides,
        )
        return build_services(
            settings,
            database=database,
            encoder=knowledge_base.encoder,
            knowledge=knowledge_base,
            nlu=nlu_pipeline,
            channels=channels,
        )

    return make


@pytest.fixture
def services(make_services):
    """The application's services with no channel configured."""
    return make_services()


@pytest.fixture
def chat_server_url(services) -> Iterator[str]:
    """The base URL of the real app (dialogue engine, NLU, knowledge) served over HTTP on 127.0.0.1."""
    from bot.app import create_app
    from tests.fakes.servers import serve_asgi

    with serve_asgi(create_app(services, warm_up=False), lifespan="on") as server:
        yield server.url
