"""The Rasa project export and the import of a Rasa NLU file, checked without Rasa itself (the real Rasa
server runs in `tests/rasa/`, `make test-rasa`)."""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from bot.rasa.nlu_import import merge, plain_text, read_rasa_nlu
from bot.rasa.project import ACTIONS, FORM, FORM_SLOTS, RESPONSES, Settings, annotated, export
from knowledge.catalog import load_catalog
from nlu.dataset import DATA_DIR, load_examples, split_key

ROOT = Path(__file__).resolve().parents[2]
CATALOG = load_catalog()
TOPICS = tuple(CATALOG.topics)
_MARKUP = re.compile(r"\[([^\]]+)\](?:\(([^)]+)\)|(\{[^}]+\}))")


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("rasa-project")
    export(
        out,
        examples=load_examples(topics=TOPICS),
        catalog=CATALOG,
        settings=Settings(action_server_url="http://127.0.0.1:5999/webhook"),
    )
    return out


def read(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def nlu_examples(project: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for block in read(project / "data" / "nlu.yml")["nlu"]:
        found[block["intent"]] = [line[2:] for line in block["examples"].splitlines()]
    return found


def test_the_export_is_a_complete_rasa_project(exported: Path) -> None:
    names = sorted(p.relative_to(exported).as_posix() for p in exported.rglob("*.yml"))
    assert names == [
        "config.yml",
        "credentials.yml",
        "data/nlu.yml",
        "data/rules.yml",
        "data/stories.yml",
        "domain.yml",
        "endpoints.yml",
    ]
    assert read(exported / "endpoints.yml") == {"action_endpoint": {"url": "http://127.0.0.1:5999/webhook"}}
    credentials = read(exported / "credentials.yml")
    assert "rest" in credentials and credentials["telegram"]["access_token"] == "${RASA_TELEGRAM_TOKEN}"
    config = read(exported / "config.yml")
    assert config["pipeline"][0]["name"] == "nlu.rasa_components.VietnameseTokenizer"
    assert config["language"] == "vi"


def test_every_topic_is_an_intent_with_our_examples_and_every_dialogue_intent_is_kept(exported: Path) -> None:
    examples = nlu_examples(exported)
    ours = load_examples(topics=TOPICS)
    for code in TOPICS:
        expected = {" ".join(e.text.split()) for e in ours if e.topic == code and e.intent == "ask"}
        assert {plain_text(t) for t in examples[f"ask_{code}"]} == {plain_text(annotated(t)) for t in expected}
    for intent in (
        "greet",
        "thanks",
        "goodbye",
        "human",
        "affirm",
        "deny",
        "report_issue",
        "check_ticket",
        "out_of_scope",
        "huy",
    ):
        assert len(examples[intent]) >= 10, intent
    domain = read(exported / "domain.yml")
    assert set(examples) <= set(domain["intents"])


def test_annotated_entities_cover_exactly_the_text_they_name() -> None:
    text = "Công ty ở quận 7, mst 0312345673, hỏi về PA-2026-000123"
    markup = annotated(text)
    assert plain_text(markup) == text
    found = [(m.group(1), m.group(2) or json.loads(m.group(3))["entity"]) for m in _MARKUP.finditer(markup)]
    assert found == [("quận 7", "former_district"), ("0312345673", "tax_code"), ("PA-2026-000123", "ticket_code")]
    assert '{"entity": "former_district", "value": "Quận 7"}' in markup


def test_rules_and_stories_use_only_what_the_domain_declares(exported: Path) -> None:
    domain = read(exported / "domain.yml")
    known_actions = (
        set(domain["actions"]) | set(domain["responses"]) | set(domain["forms"]) | {"action_deactivate_loop"}
    )
    known_intents = set(domain["intents"]) | {"nlu_fallback"}
    steps = [s for rule in read(exported / "data" / "rules.yml")["rules"] for s in rule["steps"]]
    steps += [s for story in read(exported / "data" / "stories.yml")["stories"] for s in story["steps"]]
    assert {s["action"] for s in steps if "action" in s} <= known_actions
    assert {s["intent"] for s in steps if "intent" in s} <= known_intents
    assert set(ACTIONS) == set(domain["actions"])
    assert domain["forms"][FORM]["required_slots"] == list(FORM_SLOTS)
    assert all(f"utter_ask_{slot}" in domain["responses"] for slot in FORM_SLOTS)
    assert all("{" not in text for text in RESPONSES.values())  # Rasa would read braces as slot templates


def test_importing_our_own_export_adds_nothing(exported: Path, tmp_path: Path) -> None:
    data = tmp_path / "nlu"
    shutil.copytree(DATA_DIR, data)
    report = merge(exported / "data" / "nlu.yml", topics=TOPICS, data_dir=data)
    assert sum(report.added.values()) == 0 and not report.unknown and not report.conflicts
    assert report.duplicates == len(load_examples(data, topics=TOPICS))
    assert not (data / "imported.yaml").exists()


def test_a_teams_rasa_file_is_merged_and_unknown_intents_are_reported(tmp_path: Path) -> None:
    data = tmp_path / "nlu"
    shutil.copytree(DATA_DIR, data)
    before = len(load_examples(data, topics=TOPICS))
    source = tmp_path / "team.yml"
    source.write_text(
        'version: "3.1"\n'
        "nlu:\n"
        "- intent: greet\n  examples: |\n    - Xin chào\n    - chào buổi trưa nha bot\n"
        "- intent: faq/thue\n  examples: |\n    - cách nộp tờ khai thuế môn bài cho [chi nhánh](branch) mới\n"
        "- intent: hoi_hai_quan\n  examples: |\n    - hàng tạm nhập tái xuất làm tờ khai loại hình gì\n"
        "- intent: mood_great\n  examples: |\n    - tuyệt vời\n    - vui quá\n"
        "- synonym: mst\n  examples: |\n    - mã số thuế\n",
        encoding="utf-8",
    )
    report = merge(source, topics=TOPICS, data_dir=data, mapping={"hoi_hai_quan": "ask_hai_quan"})
    assert report.added == {"greet": 1, "ask/thue": 1, "ask/hai_quan": 1}
    assert report.duplicates == 1  # "Xin chào" is ours already
    assert report.unknown == {"mood_great": 2}
    assert any("mood_great: 2" in line for line in report.lines())
    after = load_examples(data, topics=TOPICS)
    assert len(after) == before + 3
    merged = {split_key(e.text): (e.intent, e.topic) for e in after}
    assert merged[split_key("cách nộp tờ khai thuế môn bài cho chi nhánh mới")] == ("ask", "thue")
    assert merged[split_key("hàng tạm nhập tái xuất làm tờ khai loại hình gì")] == ("ask", "hai_quan")
    again = merge(source, topics=TOPICS, data_dir=data, mapping={"hoi_hai_quan": "ask_hai_quan"})
    assert sum(again.added.values()) == 0 and again.duplicates == 4


def test_an_example_we_label_otherwise_is_a_conflict_not_a_second_label(tmp_path: Path) -> None:
    data = tmp_path / "nlu"
    shutil.copytree(DATA_DIR, data)
    source = tmp_path / "team.yml"
    source.write_text('version: "3.1"\nnlu:\n- intent: goodbye\n  examples: |\n    - xin chao\n', encoding="utf-8")
    report = merge(source, topics=TOPICS, data_dir=data)
    assert report.conflicts == [("xin chao", "goodbye", "greet")]
    assert sum(report.added.values()) == 0


def test_a_file_that_is_not_rasa_nlu_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "domain.yml"
    source.write_text("intents: [greet]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="Rasa 3"):
        read_rasa_nlu(source)


# ---------------------------------------------------------------------- the component Rasa's Python runs

RASA_SIDE = ("nlu/rasa_components.py", "nlu/segment.py", "nlu/normalize.py", "nlu/entities.py", "nlu/places.py")
RASA_SIDE_MAY_IMPORT = {
    "rasa",
    "underthesea",
    "yaml",
    "stdnum",
    "vietnam_provinces",
    "nlu",
    "__future__",
    "collections",
    "dataclasses",
    "datetime",
    "functools",
    "pathlib",
    "re",
    "typing",
    "unicodedata",
}


def test_the_rasa_component_imports_only_rasa_underthesea_stdnum_provinces_and_our_normaliser() -> None:
    for name in RASA_SIDE:
        tree = ast.parse((ROOT / name).read_text(encoding="utf-8"))
        modules = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        modules |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        assert {m.split(".")[0] for m in modules} <= RASA_SIDE_MAY_IMPORT, name
        assert {m for m in modules if m.startswith("nlu.")} <= {
            "nlu.segment",
            "nlu.normalize",
            "nlu.entities",
            "nlu.places",
        }, name


def test_the_rasa_component_compiles_under_python_3_10() -> None:
    found = subprocess.run(
        ["bash", str(ROOT / "scripts" / "rasa-env.sh"), "python"], check=False, capture_output=True, text=True
    )
    assert found.returncode == 0, f"Python 3.10 is needed for the Rasa side: {found.stderr}"
    python = found.stdout.strip()
    for name in RASA_SIDE:
        subprocess.run([str(python), "-m", "py_compile", str(ROOT / name)], check=True)
