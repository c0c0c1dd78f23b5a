"""The web server as a browser or a monitor sees it: health JSON and the Vietnamese web chat page."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from bot.app import create_app
from bot.bootstrap import build_services
from bot.settings import load_settings
from tests.fakes.fake_encoder import FakeEncoder
from tickets.db import Database
from tickets.migrate import upgrade

MODEL_DIR = Path(__file__).resolve().parents[2] / "models" / "multilingual-e5-small"


def make_client(database_url: str, tmp_path: Path, *, migrate: bool = True, model_dir: Path = MODEL_DIR) -> TestClient:
    settings = load_settings(DATABASE_URL=database_url, DONGHANH_VAR_DIR=tmp_path / "var", EMBEDDING_MODEL=model_dir)
    database = Database.connect(settings.database_url)
    if migrate:
        upgrade(database)
    services = build_services(settings, database=database, encoder=FakeEncoder())
    return TestClient(create_app(services, warm_up=False))


def test_healthz_reports_database_model_and_index(database_url: str, tmp_path: Path, model_dir: Path) -> None:
    with make_client(database_url, tmp_path) as client:
        response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] and body["database"]["revision"] == body["database"]["head"]
    assert body["database"]["backend"] == database_url.split(":")[0].split("+")[0]
    assert body["model"] == {
        "ok": True, "path": str(MODEL_DIR), "missing": [], "loaded": False, "name": "fake-trigram",
    }  # fmt: skip
    assert body["index"]["plan_sections"] >= 30


def test_healthz_is_503_when_the_schema_is_not_migrated(tmp_path: Path) -> None:
    with make_client(f"sqlite:///{tmp_path / 'empty.db'}", tmp_path, migrate=False) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "degraded"
    assert response.json()["database"]["revision"] is None


def test_healthz_names_missing_model_files(tmp_path: Path) -> None:
    with make_client(f"sqlite:///{tmp_path / 'x.db'}", tmp_path, model_dir=tmp_path / "nowhere") as client:
        body = client.get("/healthz").json()
    assert body["model"]["ok"] is False
    assert "model.safetensors" in body["model"]["missing"]


def test_home_page_is_a_vietnamese_web_chat_placeholder(tmp_path: Path) -> None:
    with make_client(f"sqlite:///{tmp_path / 'x.db'}", tmp_path) as client:
        response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert '<html lang="vi">' in page
    assert 'name="viewport"' in page
    assert "Trợ lý đối thoại và tiếp nhận phản ánh của doanh nghiệp Thành phố Hồ Chí Minh" in page
    for topic in ("Thuế", "Hải quan", "Khiếu nại, tố cáo", "Đăng ký kinh doanh"):
        assert f"<li>{topic}</li>" in page


def test_healthz_shows_the_published_knowledge_index(tmp_path: Path) -> None:
    from knowledge.retriever import Document
    from knowledge.service import build_index

    with make_client(f"sqlite:///{tmp_path / 'x.db'}", tmp_path) as client:
        assert client.get("/healthz").json()["index"]["built"] is False
        document = Document("thue-hoan", "faq", "Hoàn thuế", "Nộp hồ sơ.", "thue", "CUC_THUE", ("hoàn thuế gtgt",))
        build_index([document], FakeEncoder(), tmp_path / "var" / "kb")
        index = client.get("/healthz").json()["index"]
    assert index["built"] is True and len(index["stamp"]) == 16
