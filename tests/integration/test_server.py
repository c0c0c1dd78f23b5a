"""The web server as a browser or a monitor sees it: health JSON and the Vietnamese web chat page."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from bot.app import create_app
from bot.bootstrap import build_services
from bot.settings import load_settings
from tests.fakes.fake_encoder import FakeEncoder
from tickets.storage.db import Database
from tickets.storage.migrate import upgrade

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
        "ok": True,
        "path": str(MODEL_DIR),
        "missing": [],
        "loaded": False,
        "name": "fake-trigram",
    }
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


def test_home_page_is_the_vietnamese_web_chat_with_its_topics(tmp_path: Path) -> None:
    with make_client(f"sqlite:///{tmp_path / 'x.db'}", tmp_path) as client:
        response = client.get("/")
        script = client.get("/static/chat.js")
    assert response.status_code == 200 and script.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert '<html lang="vi">' in page
    assert 'name="viewport"' in page
    assert ">Đồng hành</h1>" in page and 'src="/static/chat.js"' in page
    for topic in ("Thuế", "Hải quan", "Khiếu nại, tố cáo", "Đăng ký kinh doanh"):
        assert f">{topic}</button>" in page


def test_healthz_shows_the_published_knowledge_index(tmp_path: Path) -> None:
    from knowledge.retriever import Document
    from knowledge.service import build_index

    with make_client(f"sqlite:///{tmp_path / 'x.db'}", tmp_path) as client:
        assert client.get("/healthz").json()["index"]["built"] is False
        document = Document("thue-hoan", "faq", "Hoàn thuế", "Nộp hồ sơ.", "thue", "CUC_THUE", ("hoàn thuế gtgt",))
        build_index([document], FakeEncoder(), tmp_path / "var" / "kb")
        index = client.get("/healthz").json()["index"]
    assert index["built"] is True and len(index["stamp"]) == 16


def test_api_ask_answers_with_its_source_and_picks_up_a_rebuilt_index(tmp_path: Path, nlu_pipeline) -> None:
    from knowledge.catalog import load_catalog
    from knowledge.retriever import Document
    from knowledge.service import KnowledgeBase, build_index

    refund = Document(
        "thue-hoan",
        "faq",
        "Hoàn thuế GTGT",
        "Nộp hồ sơ hoàn thuế cho cơ quan thuế quản lý trực tiếp.",
        "thue",
        "CUC_THUE",
        ("Doanh nghiệp muốn hoàn thuế giá trị gia tăng", "hoàn thuế gtgt cần hồ sơ gì"),
        ("Luật Quản lý thuế số 38/2019/QH14",),
    )
    clearance = Document(
        "hq-thong-quan",
        "faq",
        "Lô hàng chưa thông quan",
        "Liên hệ chi cục hải quan nơi mở tờ khai.",
        "hai_quan",
        "CUC_HAI_QUAN",
        ("Lô hàng nhập khẩu chưa được thông quan", "hàng bị giữ ở cảng chưa thông quan"),
        ("Luật Hải quan số 54/2014/QH13",),
    )
    current = [refund]
    kb_dir = tmp_path / "var" / "kb"
    build_index(current, FakeEncoder(), kb_dir)
    settings = load_settings(
        DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}", DONGHANH_VAR_DIR=tmp_path / "var", EMBEDDING_MODEL=MODEL_DIR
    )
    database = Database.connect(settings.database_url)
    upgrade(database)
    knowledge = KnowledgeBase(lambda: list(current), FakeEncoder(), load_catalog(), kb_dir)
    services = build_services(settings, database=database, encoder=FakeEncoder(), knowledge=knowledge, nlu=nlu_pipeline)
    with TestClient(create_app(services, warm_up=False)) as client:
        body = client.post(
            "/api/ask", json={"text": "Doanh nghiệp muốn hoàn thuế giá trị gia tăng thì làm sao?"}
        ).json()
        assert list(body) == ["answer", "topic", "department", "confidence", "citations"]
        assert body["citations"] == [{"source": "faq", "id": "thue-hoan", "title": "Hoàn thuế GTGT"}]
        assert (body["topic"], body["department"]) == ("thue", "CUC_THUE") and 0 <= body["confidence"] <= 1
        first_stamp = client.get("/healthz").json()["index"]["loaded_stamp"]
        # An editor adds an entry and rebuilds (`donghanh kb build`); the running server answers from it.
        current.append(clearance)
        build_index(current, FakeEncoder(), kb_dir)
        body = client.post("/api/ask", json={"text": "lô hàng nhập khẩu của cty chưa được thông quan"}).json()
        assert body["citations"][0]["id"] == "hq-thong-quan" and body["department"] == "CUC_HAI_QUAN"
        index = client.get("/healthz").json()["index"]
        assert index["loaded_stamp"] == index["stamp"] != first_stamp


def test_api_ask_explains_bad_input_in_vietnamese(tmp_path: Path) -> None:
    with make_client(f"sqlite:///{tmp_path / 'x.db'}", tmp_path) as client:
        too_long = client.post("/api/ask", json={"text": "thuế " * 2000})
        blank = client.post("/api/ask", json={"text": "   "})
        missing = client.post("/api/ask", json={})
    assert too_long.status_code == blank.status_code == missing.status_code == 422
    assert too_long.json() == {"error": "Yêu cầu không hợp lệ: text: dài quá 4096 ký tự, xin rút gọn."}
    assert blank.json() == {"error": "Yêu cầu không hợp lệ: text: không hợp lệ."}
    assert missing.json() == {"error": "Yêu cầu không hợp lệ: text: còn thiếu."}
