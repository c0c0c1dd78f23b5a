"""`donghanh ask --json` as other tools call it (docs/interfaces.md), on the real FAQ, plan and model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

DONGHANH = str(Path(sys.executable).parent / "donghanh")


@pytest.fixture(scope="module")
def env(model_dir: Path, nlu_var_dir: Path, nlu_pipeline) -> dict[str, str]:
    environment = os.environ | {"DONGHANH_VAR_DIR": str(nlu_var_dir), "EMBEDDING_MODEL": str(model_dir)}
    built = subprocess.run(
        [DONGHANH, "kb", "build"], env=environment, capture_output=True, text=True, timeout=900, check=False
    )
    assert built.returncode == 0, built.stderr
    assert "Index published:" in built.stdout
    return environment


def ask(question: str, env: dict[str, str]) -> dict:
    result = subprocess.run(
        [DONGHANH, "ask", "--json", question], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_ask_json_has_exactly_the_spec_keys_and_answers_a_tax_question_from_the_faq(env: dict[str, str]) -> None:
    answer = ask("Hóa đơn điện tử lập sai mã số thuế người mua thì xử lý thế nào?", env)
    assert list(answer) == ["answer", "topic", "department", "confidence", "citations"]
    assert (answer["topic"], answer["department"]) == ("thue", "CUC_THUE")
    assert answer["answer"] and "254/2026/NĐ-CP" in answer["answer"]
    assert answer["citations"][0]["source"] == "faq"
    assert set(answer["citations"][0]) == {"source", "id", "title"}


def test_a_rebuild_reuses_every_unchanged_vector(env: dict[str, str]) -> None:
    again = subprocess.run([DONGHANH, "kb", "build"], env=env, capture_output=True, text=True, timeout=300, check=False)
    assert again.returncode == 0 and "(0 encoded now," in again.stdout


def test_kb_search_lists_the_plan_section_on_stuck_projects(env: dict[str, str]) -> None:
    result = subprocess.run(
        [DONGHANH, "kb", "search", "Sở Kế hoạch và Đầu tư tháo gỡ 174 dự án vướng mắc thủ tục đầu tư", "-k", "5"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "[plan-2022:III.2.2.2]" in result.stdout


@pytest.mark.parametrize(
    ("question", "section"),
    [
        ("Kế hoạch 2022 giao Sở Kế hoạch và Đầu tư tháo gỡ bao nhiêu dự án vướng mắc thủ tục đầu tư?", "III.2.2.2"),
        ("Báo cáo kết quả thực hiện Kế hoạch 6 tháng và cả năm phải gửi trước ngày nào?", "IV.1"),
    ],
)
def test_questions_on_the_plan_cite_their_section(question: str, section: str, env: dict[str, str]) -> None:
    answer = ask(question, env)
    assert answer["answer"]
    assert {"source": "plan-2022", "id": section} in [
        {"source": c["source"], "id": c["id"]} for c in answer["citations"]
    ]


@pytest.mark.parametrize("question", ["Thời tiết Sài Gòn ngày mai thế nào?", "cong thuc nau pho bo ngon"])
def test_off_topic_questions_get_no_policy_answer(question: str, env: dict[str, str]) -> None:
    answer = ask(question, env)
    assert answer["answer"] is None and answer["citations"] == [] and answer["topic"] is None


def test_kb_search_ranks_the_report_deadlines_first_when_typed_without_diacritics(env: dict[str, str]) -> None:
    result = subprocess.run(
        [DONGHANH, "kb", "search", "bao cao ket qua thuc hien ke hoach 6 thang va ca nam gui truoc ngay nao"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("1. [plan-2022:IV.1]")
