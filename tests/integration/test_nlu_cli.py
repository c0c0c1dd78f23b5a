"""`donghanh nlu predict` and `donghanh nlu eval` as other tools call them (docs/interfaces.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

DONGHANH = str(Path(sys.executable).parent / "donghanh")
KEYS = ["text", "intent", "topic", "department", "confidence", "entities"]


@pytest.fixture
def env(nlu_pipeline, nlu_var_dir: Path, model_dir: Path) -> dict[str, str]:
    """The CLI finds the model the in-process fixture trained (same data, same cache key)."""
    return os.environ | {"DONGHANH_VAR_DIR": str(nlu_var_dir), "EMBEDDING_MODEL": str(model_dir)}


def run(args: list[str], env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [DONGHANH, *args], input=stdin, env=env, capture_output=True, text=True, timeout=600, check=False
    )


def test_predict_reads_and_writes_json_lines_in_order(env: dict[str, str]) -> None:
    lines = [
        {"text": "cty minh muon hoan thue gtgt thi can ho so gi a"},
        {"text": "Xin chào"},
        {"text": "lo hang bi giu o cang cat lai 3 ngay chua thong quan, to khai 103456789012"},
        {"text": "cách nấu phở"},
    ]
    result = run(["nlu", "predict"], env, "\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n")
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [list(r) for r in records] == [KEYS] * 4
    assert [r["text"] for r in records] == [line["text"] for line in lines]
    assert [(r["intent"], r["topic"], r["department"]) for r in records] == [
        ("ask", "thue", "CUC_THUE"),
        ("greet", None, None),
        ("ask", "hai_quan", "CUC_HAI_QUAN"),
        ("out_of_scope", None, None),
    ]
    start = lines[2]["text"].index("103456789012")
    assert records[2]["entities"] == [
        {"type": "customs_declaration", "value": "103456789012", "start": start, "end": start + 12}
    ]
    assert '"Xin chào"' in result.stdout  # UTF-8 out, not \\u escapes


def test_predict_keeps_its_place_on_a_malformed_line(env: dict[str, str]) -> None:
    result = run(["nlu", "predict"], env, '{"text": "Xin chào"}\nnot json\n{"txt": 1}\n{"text": "hoàn thuế gtgt"}\n')
    assert result.returncode == 2
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["text"] for r in records] == ["Xin chào", None, None, "hoàn thuế gtgt"]
    assert "line 2: not JSON" in result.stderr and 'line 3: expected an object with a string "text"' in result.stderr


def test_eval_reports_both_variants_on_the_held_out_split(env: dict[str, str]) -> None:
    result = run(["nlu", "eval", "--json"], env)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report) == {"with_diacritics", "without_diacritics"}
    for variant in report.values():
        assert {
            "topic_accuracy",
            "topic_macro_f1",
            "intent_accuracy",
            "intent_macro_f1",
            "oos_precision",
            "oos_recall",
            "confusion",
        } <= set(variant)
        assert variant["topic_accuracy"] >= 0.85
    text = run(["nlu", "eval"], env).stdout
    assert "topic confusion, without_diacritics (rows: gold, columns: predicted)" in text


def test_predict_reports_wards_and_former_districts_with_their_successors(env: dict[str, str]) -> None:
    lines = [
        {"text": "cty o p. tan dinh, kho o Q.3, xin giay chung nhan attp"},
        {"text": "bếp ăn công ty bị ngộ độc thực phẩm"},
    ]
    result = run(["nlu", "predict"], env, "\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n")
    assert result.returncode == 0, result.stderr
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    places = [e for e in first["entities"] if e["type"] in ("ward", "former_district")]
    assert places == [
        {"type": "ward", "value": "Phường Tân Định", "start": 6, "end": 17},
        {
            "type": "former_district",
            "value": "Quận 3",
            "start": 25,
            "end": 28,
            "candidates": ["Phường Bàn Cờ", "Phường Nhiêu Lộc", "Phường Xuân Hòa"],
        },
    ]
    assert (first["topic"], first["department"]) == ("y_te", "SO_ATTP")  # food safety goes to its own department
    assert (second["topic"], second["department"]) == ("y_te", "SO_ATTP")
