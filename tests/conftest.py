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


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database, once on SQLite and once on a real PostgreSQL server."""
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
    from tickets.db import Database
    from tickets.migrate import upgrade

    db = Database.connect(database_url)
    upgrade(db)
    yield db
    db.dispose()


@pytest.fixture(scope="session")
def nlu_var_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A var directory whose NLU cache the in-process tests and the CLI tests share (trained once)."""
    return tmp_path_factory.mktemp("nlu-var")


@pytest.fixture(scope="session")
def nlu_pipeline(model_dir: Path, nlu_var_dir: Path):  # noqa: ANN201 - nlu.pipeline.NluPipeline
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
