"""A complete Rasa 3.x project built from Đồng hành's own data (`donghanh rasa-export OUT_DIR`).

- `data/nlu.yml`: every example of `data/faq_vi/nlu/`; topical questions become one intent per topic
  (`ask_thue`, `ask_hai_quan`, …), the dialogue intents keep their names; identifiers, places and sums
  of money found by our entity extractor are annotated with their normalised values.
- `domain.yml`: intents, entities, the ticket form's slots, the assistant's Vietnamese texts as responses,
  and the custom actions served by `donghanh rasa-actions`.
- `data/rules.yml`, `data/stories.yml`: greetings and small talk answered by responses, every topical
  question (and anything the classifier is unsure of) answered by our knowledge base, the ticket form,
  `/huy` or "hủy" to cancel it, and the status look-up.
- `config.yml` (our Vietnamese tokenizer in the pipeline), `endpoints.yml` (the action server),
  `credentials.yml` (REST and Telegram).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.dialogue import texts
from knowledge.answer import OUT_OF_SCOPE_REPLY
from knowledge.catalog import Catalog
from nlu.dataset import Example
from nlu.entities import extract_entities

TRAINING_DATA_VERSION = "3.1"
TOPIC_INTENT_PREFIX = "ask_"
DIALOGUE_INTENTS = (
    "greet",
    "thanks",
    "goodbye",
    "human",
    "affirm",
    "deny",
    "report_issue",
    "check_ticket",
    "out_of_scope",
)
CANCEL_INTENT = "huy"  # named after our `/huy` command, which Rasa then reads as this intent
BUTTON_INTENT = "button"  # a button of one of our answers: `/button{"payload": "fb:up"}`, never typed
PAYLOAD_ENTITY = "payload"
# The engine's own cancel words and what people type for them ("/huy" itself is the intent, see above).
CANCEL_EXAMPLES = (
    "hủy",
    "huỷ",
    "huy",
    "hủy bỏ",
    "thôi, hủy đi",
    "thoi huy di",
    "không gửi nữa",
    "khong gui nua",
    "dừng lại",
    "dung lai",
    "thoát",
    "thoat",
    "thôi không gửi phản ánh nữa",
    "hủy phản ánh",
    "huy phan anh",
)
# Entity types worth annotating: identifiers and places whose values do not depend on the day.
ANNOTATED_ENTITIES = (
    "tax_code",
    "ticket_code",
    "phone",
    "email",
    "customs_declaration",
    "hs_code",
    "ward",
    "former_district",
    "money",
)
FORM = "ticket_form"
FORM_SLOTS = ("description", "company_name", "tax_code", "contact", "ward")
ANSWER_ACTION = "action_answer_from_knowledge"
CREATE_TICKET_ACTION = "action_create_ticket"
STATUS_ACTION = "action_ticket_status"
VALIDATE_FORM_ACTION = f"validate_{FORM}"
ACTIONS = (ANSWER_ACTION, CREATE_TICKET_ACTION, STATUS_ACTION, VALIDATE_FORM_ACTION)
TOKENIZER = "nlu.rasa_components.VietnameseTokenizer"
RESPONSES = {
    "utter_greet": texts.GREETING,
    "utter_thanks": texts.THANKS,
    "utter_goodbye": texts.GOODBYE,
    "utter_human": texts.HUMAN,
    "utter_out_of_scope": OUT_OF_SCOPE_REPLY,
    "utter_cancelled": texts.CANCELLED,
    "utter_nothing_to_cancel": texts.NOTHING_TO_CANCEL,
    "utter_feedback_thanks": texts.THANKS_FEEDBACK,
    "utter_feedback_sorry": texts.SORRY_FEEDBACK,
    "utter_ask_description": texts.ASK_DESCRIPTION,
    "utter_ask_company_name": texts.ASK_COMPANY,
    "utter_ask_tax_code": texts.ASK_TAX_CODE,
    "utter_ask_contact": texts.ASK_CONTACT,
    "utter_ask_ward": texts.ASK_WARD,
}
SMALL_TALK = {
    "greet": "utter_greet",
    "thanks": "utter_thanks",
    "goodbye": "utter_goodbye",
    "human": "utter_human",
    "out_of_scope": "utter_out_of_scope",
    CANCEL_INTENT: "utter_nothing_to_cancel",
}


@dataclass(frozen=True)
class Settings:
    """What differs between deployments of the exported project."""

    action_server_url: str = "http://127.0.0.1:5055/webhook"
    classifier_epochs: int = 100
    policy_epochs: int = 50
    fallback_threshold: float = 0.4


def topic_intent(topic: str) -> str:
    return TOPIC_INTENT_PREFIX + topic


def rasa_intent(example: Example) -> str:
    """The Rasa intent of one of our examples: a topical question is `ask_<topic>`."""
    return topic_intent(example.topic) if example.intent == "ask" and example.topic else example.intent


def annotated(text: str) -> str:
    """The example in Rasa's markup, our extractor's entities annotated with their normalised values."""
    plain = text.replace("[", "(").replace("]", ")")  # brackets would read as entity markup
    found = [e for e in extract_entities(plain) if e.type in ANNOTATED_ENTITIES]
    pieces, cursor = [], 0
    for entity in found:
        written = plain[entity.start : entity.end]
        pieces.append(plain[cursor : entity.start])
        if written == entity.value:
            pieces.append(f"[{written}]({entity.type})")
        else:
            pieces.append(
                f"[{written}]" + json.dumps({"entity": entity.type, "value": entity.value}, ensure_ascii=False)
            )
        cursor = entity.end
    pieces.append(plain[cursor:])
    return "".join(pieces)


def nlu_yaml(examples: list[Example]) -> str:
    by_intent: dict[str, list[str]] = {}
    for example in examples:
        by_intent.setdefault(rasa_intent(example), []).append(annotated(" ".join(example.text.split())))
    by_intent[CANCEL_INTENT] = list(CANCEL_EXAMPLES)
    lines = [f'version: "{TRAINING_DATA_VERSION}"', "nlu:"]
    for intent, written in by_intent.items():
        lines += [f"- intent: {intent}", "  examples: |"] + [f"    - {text}" for text in dict.fromkeys(written)]
    return "\n".join(lines) + "\n"


def _slot(name: str, *, entity: str | None = None) -> dict:
    asked = {"active_loop": FORM, "requested_slot": name}
    mappings = (
        [{"type": "from_entity", "entity": entity, "not_intent": [CANCEL_INTENT], "conditions": [asked]}]
        if entity
        else []
    )
    mappings.append({"type": "from_text", "not_intent": [CANCEL_INTENT], "conditions": [asked]})
    return {"type": "text", "influence_conversation": False, "mappings": mappings}


def domain(catalog: Catalog) -> dict:
    topic_intents = [topic_intent(code) for code in catalog.topics]
    slots = {name: _slot(name, entity={"tax_code": "tax_code", "ward": "ward"}.get(name)) for name in FORM_SLOTS}
    slots["ticket_code"] = {
        "type": "text",
        "influence_conversation": False,
        "mappings": [{"type": "from_entity", "entity": "ticket_code"}],
    }
    return {
        "version": TRAINING_DATA_VERSION,
        "intents": [*DIALOGUE_INTENTS, CANCEL_INTENT, BUTTON_INTENT, *topic_intents],
        "entities": [*ANNOTATED_ENTITIES, PAYLOAD_ENTITY],
        "slots": slots,
        "forms": {FORM: {"required_slots": list(FORM_SLOTS)}},
        "responses": {name: [{"text": text}] for name, text in RESPONSES.items()},
        "actions": list(ACTIONS),
        "session_config": {"session_expiration_time": 60, "carry_over_slots_to_new_session": True},
    }


def rules(catalog: Catalog) -> dict:
    found = [
        {"rule": f"{intent} is answered", "steps": [{"intent": intent}, {"action": response}]}
        for intent, response in SMALL_TALK.items()
    ]
    found += [
        {
            "rule": f"a question on {code} is answered from the knowledge base",
            "steps": [{"intent": topic_intent(code)}, {"action": ANSWER_ACTION}],
        }
        for code in catalog.topics
    ]
    found += [
        {
            "rule": "an unsure message is left to the knowledge base, which answers, offers choices or refuses",
            "steps": [{"intent": "nlu_fallback"}, {"action": ANSWER_ACTION}],
        },
        {
            "rule": "a button of an answer goes back to the knowledge base",
            "steps": [{"intent": BUTTON_INTENT}, {"action": ANSWER_ACTION}],
        },
        {"rule": "status of a ticket", "steps": [{"intent": "check_ticket"}, {"action": STATUS_ACTION}]},
        {
            "rule": "start the ticket form",
            "steps": [{"intent": "report_issue"}, {"action": FORM}, {"active_loop": FORM}],
        },
        {
            "rule": "file the ticket once the form is complete",
            "condition": [{"active_loop": FORM}],
            "steps": [
                {"action": FORM},
                {"active_loop": None},
                {"slot_was_set": [{"requested_slot": None}]},
                {"action": CREATE_TICKET_ACTION},
            ],
        },
        {
            "rule": "cancel the ticket form",
            "condition": [{"active_loop": FORM}],
            "steps": [
                {"intent": CANCEL_INTENT},
                {"action": "action_deactivate_loop"},
                {"active_loop": None},
                {"slot_was_set": [{"requested_slot": None}]},
                {"action": "utter_cancelled"},
            ],
        },
        {
            "rule": "an answer found helpful",
            "steps": [{"action": ANSWER_ACTION}, {"intent": "affirm"}, {"action": "utter_feedback_thanks"}],
        },
        {
            "rule": "an answer found wrong",
            "steps": [{"action": ANSWER_ACTION}, {"intent": "deny"}, {"action": "utter_feedback_sorry"}],
        },
    ]
    return {"version": TRAINING_DATA_VERSION, "rules": found}


def stories() -> dict:
    question = topic_intent("thue")
    return {
        "version": TRAINING_DATA_VERSION,
        "stories": [
            {
                "story": "a greeting, a tax question, thanks",
                "steps": [
                    {"intent": "greet"},
                    {"action": "utter_greet"},
                    {"intent": question},
                    {"action": ANSWER_ACTION},
                    {"intent": "thanks"},
                    {"action": "utter_thanks"},
                ],
            },
            {
                "story": "an answer that does not help, then an issue filed",
                "steps": [
                    {"intent": question},
                    {"action": ANSWER_ACTION},
                    {"intent": "deny"},
                    {"action": "utter_feedback_sorry"},
                    {"intent": "report_issue"},
                    {"action": FORM},
                    {"active_loop": FORM},
                    {"active_loop": None},
                    {"action": CREATE_TICKET_ACTION},
                    {"intent": "check_ticket"},
                    {"action": STATUS_ACTION},
                ],
            },
        ],
    }


def config(settings: Settings) -> dict:
    return {
        "recipe": "default.v1",
        "language": "vi",
        "assistant_id": "dong-hanh",
        "pipeline": [
            {"name": TOKENIZER},
            {"name": "RegexFeaturizer"},
            {"name": "LexicalSyntacticFeaturizer"},
            {"name": "CountVectorsFeaturizer", "use_lemma": False},
            {"name": "CountVectorsFeaturizer", "analyzer": "char_wb", "min_ngram": 2, "max_ngram": 4},
            # No transformer layers: on two cores DIET's default two would take ~30 s an epoch on our ~2,500
            # examples; without them an epoch takes a few seconds, and the intents here are lexical.
            {
                "name": "DIETClassifier",
                "epochs": settings.classifier_epochs,
                "number_of_transformer_layers": 0,
                "constrain_similarities": True,
            },
            {"name": "EntitySynonymMapper"},
            {"name": "FallbackClassifier", "threshold": settings.fallback_threshold},
        ],
        "policies": [
            {"name": "MemoizationPolicy"},
            {
                "name": "RulePolicy",
                "core_fallback_threshold": 0.3,
                "core_fallback_action_name": ANSWER_ACTION,
                "enable_fallback_prediction": True,
            },
            {"name": "TEDPolicy", "max_history": 5, "epochs": settings.policy_epochs, "constrain_similarities": True},
        ],
    }


def endpoints(settings: Settings) -> dict:
    return {"action_endpoint": {"url": settings.action_server_url}}


def credentials() -> dict:
    """REST for any client; Telegram reads its token, bot name and webhook from the environment when Rasa
    starts (names of Rasa's own, since our settings refuse unknown `TELEGRAM_` names)."""
    telegram = {
        "access_token": "${RASA_TELEGRAM_TOKEN}",
        "verify": "${RASA_TELEGRAM_BOT_NAME}",
        "webhook_url": "${RASA_TELEGRAM_WEBHOOK_URL}",
    }
    return {"rest": None, "telegram": telegram}


def export(out_dir: Path, *, examples: list[Example], catalog: Catalog, settings: Settings = Settings()) -> list[Path]:
    """Write the project into `out_dir` (created; existing files of the same names are replaced)."""
    files = {
        "domain.yml": yaml.safe_dump(domain(catalog), allow_unicode=True, sort_keys=False, width=120),
        "data/nlu.yml": nlu_yaml(examples),
        "data/rules.yml": yaml.safe_dump(rules(catalog), allow_unicode=True, sort_keys=False, width=120),
        "data/stories.yml": yaml.safe_dump(stories(), allow_unicode=True, sort_keys=False, width=120),
        "config.yml": yaml.safe_dump(config(settings), allow_unicode=True, sort_keys=False, width=120),
        "endpoints.yml": yaml.safe_dump(endpoints(settings), allow_unicode=True, sort_keys=False),
        "credentials.yml": yaml.safe_dump(credentials(), allow_unicode=True, sort_keys=False),
    }
    written = []
    for name, content in files.items():
        path = out_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        written.append(path)
    return written
