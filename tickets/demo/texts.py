"""Vietnamese material for the demo-data seeder, read from data/demo/texts.yaml (see the comments there)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tickets.domain import payloads

TEXTS_PATH = Path(__file__).resolve().parents[2] / "data" / "demo" / "texts.yaml"

with TEXTS_PATH.open(encoding="utf-8") as _handle:
    _TEXTS: dict[str, Any] = yaml.safe_load(_handle)

DISTRICTS = _TEXTS["districts"]
COMPANY_FORMS = _TEXTS["company_forms"]
SECTORS = _TEXTS["sectors"]
HOUSEHOLD_TRADES = _TEXTS["household_trades"]
BRANDS = _TEXTS["brands"]
FAMILY_NAMES = _TEXTS["family_names"]
MIDDLE_NAMES = _TEXTS["middle_names"]
GIVEN_NAMES = _TEXTS["given_names"]
GOODS = _TEXTS["goods"]
PORTS = _TEXTS["ports"]
BANKS = _TEXTS["banks"]
PROJECTS = _TEXTS["projects"]
CO_FORMS = _TEXTS["co_forms"]
SERVICES = _TEXTS["services"]
DESCRIPTIONS = _TEXTS["descriptions"]
MISROUTES = _TEXTS["misroutes"]
ACKNOWLEDGEMENTS = _TEXTS["acknowledgements"]
PROGRESS = _TEXTS["progress"]
REQUESTS = _TEXTS["requests"]
SUPPLEMENTS = _TEXTS["supplements"]
RESOLUTIONS = _TEXTS["resolutions"]
TRANSFER_REASONS = _TEXTS["transfer_reasons"]
REOPEN_REASONS = _TEXTS["reopen_reasons"]
RATING_COMMENTS = _TEXTS["rating_comments"]
GREETING_REPLY = _TEXTS["greeting_reply"]
THANKS_REPLY = _TEXTS["thanks_reply"]
THANKS_FEEDBACK = _TEXTS["thanks_feedback"]
SORRY_FEEDBACK = _TEXTS["sorry_feedback"]
NO_ANSWER = _TEXTS["no_answer"]
ASK_DESCRIPTION = _TEXTS["ask_description"]
FILED = _TEXTS["filed"]
STATUS = _TEXTS["status"]
RATED = _TEXTS["rated"]
RATING_DONE = _TEXTS["rating_done"]
REOPENED = _TEXTS["reopened"]
MESSAGE_ADDED = _TEXTS["message_added"]
ANSWER_FOOTER = _TEXTS["answer_footer"]
_TITLES = _TEXTS["button_titles"]
BUTTONS_ANSWER = [
    [_TITLES["helpful"], payloads.HELPFUL],
    [_TITLES["not_right"], payloads.NOT_RIGHT],
    [_TITLES["file"], payloads.FILE],
]
BUTTONS_NO_ANSWER = [[_TITLES["file"], payloads.FILE]]
GREETINGS = _TEXTS["greetings"]
THANKS = _TEXTS["thanks"]
CHITCHAT = _TEXTS["chitchat"]
OUT_OF_SCOPE_REPLY = _TEXTS["out_of_scope_reply"]
REFUSED_FOREIGN = _TEXTS["refused_foreign"]
REFUSED_AGAIN = _TEXTS["refused_again"]
TEAM_SIZES = _TEXTS["team_sizes"]
