"""Đồng hành behind a real Rasa 3.6 assistant (`make test-rasa`).

Exports our project with `donghanh rasa-export`, validates and trains it with Rasa in its own Python 3.10
environment (`scripts/rasa-env.sh`), starts `rasa run --enable-api` and `donghanh rasa-actions` on
127.0.0.1, and talks to the assistant over Rasa's REST channel: a tax question answered from our knowledge
with its source, a ticket filed (a wrong tax code asked again) that appears in our database and console,
the status look-up, and `/huy`. Needs the NLU model and the knowledge index in var/ (`make indexes`).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml
from sqlmodel import select

from tests.fakes.servers import free_port, wait_until_answering
from tests.integration.test_console import account, signed_in
from tests.rasa.assistant import rasa_executable, run_command
from tickets.storage.models import Role, Ticket

pytestmark = pytest.mark.rasa
REPO = Path(__file__).resolve().parents[2]
DONGHANH = str(REPO / ".venv" / "bin" / "donghanh")
EPOCHS = 40  # enough for these intents; the export's default is 100
START_TIMEOUT = 300


def wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    try:
        wait_until_answering(url, process, START_TIMEOUT)
    except RuntimeError as error:
        pytest.fail(f"{error}:\n{log.read_text(errors='replace')[-3000:]}")


def start(command: list[str], *, env: dict[str, str], cwd: Path, log: Path) -> subprocess.Popen:
    with log.open("wb") as output:  # the child keeps its own copy of the file
        return subprocess.Popen(command, env=env, cwd=cwd, stdout=output, stderr=subprocess.STDOUT)


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Rasa and our action server, running; yields the REST webhook URL and the database URL."""
    rasa = rasa_executable()
    folder = tmp_path_factory.mktemp("rasa")
    project, database_url = folder / "project", f"sqlite:///{folder / 'donghanh.db'}"
    actions_port, rasa_port = free_port(), free_port()
    env = {
        name: value for name, value in os.environ.items() if not name.startswith(("DONGHANH_", "TELEGRAM_", "ZALO_"))
    }
    env |= {
        "DATABASE_URL": database_url,
        "DONGHANH_VAR_DIR": str(REPO / "var"),
        "DONGHANH_LOG_LEVEL": "WARNING",
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }
    subprocess.run(
        [
            DONGHANH,
            "rasa-export",
            str(project),
            "--action-server",
            f"http://127.0.0.1:{actions_port}/webhook",
            "--epochs",
            str(EPOCHS),
        ],
        check=True,
        env=env,
        cwd=folder,
    )
    validated = subprocess.run(
        [rasa, "data", "validate"], check=False, env=env, cwd=project, capture_output=True, text=True
    )
    assert validated.returncode == 0, validated.stdout[-3000:] + validated.stderr[-3000:]
    trained = subprocess.run(
        [rasa, "train", "--fixed-model-name", "donghanh"],
        check=False,
        env=env,
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert trained.returncode == 0, trained.stdout[-3000:] + trained.stderr[-3000:]
    assert set(yaml.safe_load((project / "credentials.yml").read_text(encoding="utf-8"))) == {"rest", "telegram"}

    subprocess.run([DONGHANH, "db", "upgrade"], check=True, env=env, cwd=folder, capture_output=True)
    actions_log, rasa_log = folder / "actions.log", folder / "rasa.log"
    processes = [
        start([DONGHANH, "rasa-actions", "--port", str(actions_port)], env=env, cwd=folder, log=actions_log),
        start(
            run_command(rasa, project, port=rasa_port, model="models/donghanh.tar.gz"),
            env=env,
            cwd=project,
            log=rasa_log,
        ),
    ]
    try:
        wait_until_up(f"http://127.0.0.1:{actions_port}/health", processes[0], actions_log)
        wait_until_up(f"http://127.0.0.1:{rasa_port}/status", processes[1], rasa_log)
        yield {"webhook": f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook", "database_url": database_url}
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


class RestChat:
    """One business talking to the Rasa assistant over its REST channel."""

    def __init__(self, webhook: str, sender: str) -> None:
        self.webhook = webhook
        self.sender = sender
        self.buttons: list[dict] = []

    def say(self, text: str) -> str:
        replies = httpx.post(self.webhook, json={"sender": self.sender, "message": text}, timeout=120).json()
        self.buttons = [button for reply in replies for button in reply.get("buttons", [])]
        return "\n".join(reply.get("text", "") for reply in replies)

    def press(self, title: str) -> str:
        payloads = {button["title"]: button["payload"] for button in self.buttons}
        assert title in payloads, f"no button {title!r} among {list(payloads)}"
        return self.say(payloads[title])


def test_a_tax_question_is_answered_from_our_knowledge_with_its_source(assistant: dict[str, str]) -> None:
    chat = RestChat(assistant["webhook"], "dn-hoi-thue")
    for question in ("Hóa đơn điện tử lập sai thì xử lý thế nào?", "hoa don dien tu lap sai thi xu ly the nao"):
        answer = chat.say(question)
        assert "254/2026/NĐ-CP" in answer
        assert "Nguồn:" in answer and "Đơn vị phụ trách: Thuế Thành phố Hồ Chí Minh" in answer
        assert [b["title"] for b in chat.buttons] == ["Hữu ích", "Chưa đúng", "Gửi phản ánh"]
    assert "Cảm ơn quý doanh nghiệp đã góp ý" in chat.press("Hữu ích")
    assert "ngoài phạm vi" in chat.say("Cách nấu phở bò ngon?")


def test_a_ticket_filed_through_rasa_reaches_our_database_and_console(assistant: dict[str, str]) -> None:
    chat = RestChat(assistant["webhook"], "dn-phan-anh")
    assert "mô tả vấn đề" in chat.say("tôi muốn gửi phản ánh")
    assert "Tên doanh nghiệp" in chat.say(
        "Hồ sơ hoàn thuế giá trị gia tăng nộp từ tháng 3 đến nay Chi cục Thuế chưa giải quyết"
    )
    assert "Mã số thuế" in chat.say("Công ty TNHH Thương mại Minh An")
    wrong = chat.say("0312345678")
    assert "chưa đúng" in wrong and "ví dụ: 0312345673" in wrong
    assert "Số điện thoại hoặc email" in chat.say("0312345673")
    assert "phường, xã" in chat.say("0901234567")
    assert "địa bàn Quận Bình Thạnh cũ" in chat.say("quan binh thanh")  # a former district: its wards as buttons
    filed = chat.press("Phường Gia Định")
    assert "Đơn vị xử lý: Thuế Thành phố Hồ Chí Minh" in filed
    code = re.search(r"Đã tiếp nhận phản ánh (PA-\d{4}-\d{6})", filed).group(1)

    status = chat.say(f"tra cứu {code}")
    assert f"Phản ánh {code}" in status and "Mới tiếp nhận" in status
    assert "Không tìm thấy" in RestChat(assistant["webhook"], "dn-khac").say(f"tra cứu {code}")

    from bot.app import create_app
    from bot.bootstrap import build_services
    from bot.settings import load_settings

    services = build_services(load_settings(DATABASE_URL=assistant["database_url"], DONGHANH_VAR_DIR=REPO / "var"))
    try:
        with services.database.session() as session:
            ticket = session.exec(select(Ticket).where(Ticket.code == code)).one()
            assert (ticket.channel, ticket.department, ticket.tax_code, ticket.ward) == (
                "rasa",
                "CUC_THUE",
                "0312345673",
                "Phường Gia Định",
            )
        officer = signed_in(create_app(services, warm_up=False), account(services.database, Role.staff, "CUC_THUE"))
        assert code in officer.get("/staff").text
        page = officer.get(f"/staff/tickets/{code}").text
        assert "Công ty TNHH Thương mại Minh An" in page and "Rasa" in page
        assert "Chi cục Thuế chưa giải quyết" in page
    finally:
        services.close()


def test_huy_cancels_the_form_at_any_step(assistant: dict[str, str]) -> None:
    chat = RestChat(assistant["webhook"], "dn-huy")
    assert "mô tả vấn đề" in chat.say("tôi muốn gửi phản ánh")
    assert "Tên doanh nghiệp" in chat.say("Công trình bên cạnh xây lấn sang phần đất của công ty từ tháng trước")
    assert "Đã hủy" in chat.say("/huy")
    assert "Hiện không có thao tác nào đang thực hiện" in chat.say("/huy")


def test_the_tokenizer_keeps_words_offsets_and_a_diacritic_free_lemma() -> None:
    rasa = rasa_executable()
    text = "Công  ty tôi hoàn thuế gtgt, mst 0312345673 ở quan 7 ko dc"
    script = (
        "import json, sys; from nlu.rasa_components import vietnamese_tokens; "
        "print(json.dumps([[t.text, t.start, t.end, t.lemma] for t in "
        "vietnamese_tokens(sys.argv[1])], ensure_ascii=False))"
    )
    run = subprocess.run(
        [str(Path(rasa).parent / "python"), "-c", script, text],
        check=True,
        capture_output=True,
        text=True,
        env=os.environ | {"TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    tokens = json.loads(run.stdout.strip().splitlines()[-1])
    assert all(
        " ".join(text[start:end].split()) == written for written, start, end, _ in tokens
    )  # offsets into the text as sent
    assert tokens[0] == ["Công ty", 0, 8, "cong ty"]  # one word, whatever the spaces between its syllables
    lemmas = [lemma for *_, lemma in tokens]
    assert "gia tri gia tang" in lemmas and "ma so thue" in lemmas and "khong" in lemmas
    assert ["0312345673", 33, 43] in [t[:3] for t in tokens] and "7" in lemmas and "," not in lemmas
