"""What a button sends back: every payload the assistant offers, in one vocabulary.

A payload is a kind, alone or followed by ":" and an argument (`doc:faq-thue-001`, `rate:PA-2026-000123:5`).
The dialogue routes a button by its kind; the staff notices, the statistics (negative feedback), the demo
data and the Rasa actions build and read payloads only through these names. Every payload stays within
Telegram's 64-byte callback data (the longest, a session answer's rating, is 23 bytes).
"""

from __future__ import annotations

# Kinds that take an argument
FEEDBACK = "fb"  # fb:up / fb:down on an answer
DOCUMENT = "doc"  # doc:<document id>, an entry chosen among candidates
SHOW = "show"  # show:<ticket code>, the status of one of the business's tickets
REPLY = "reply"  # reply:<ticket code>, the business writes into its ticket
RATE = "rate"  # rate:<ticket code>:<1-5>
REOPEN = "reopen"  # reopen:<ticket code>, the answer did not solve it
TOPIC = "topic"  # topic:<topic code>, chosen while filing
WARD = "ward"  # ward:<unit code>, the commune-level unit chosen while filing
SESSION = "dt"  # dt:<session id>, the dialogue session a business registers a question for
SESSION_RATE = "dtrate"  # dtrate:<registration code>:<1-5>, the rating of an answer given in a session

# Kinds that are the whole payload
FILE = "file"  # start filing an issue
STATUS = "status"  # look up a ticket
CANCEL = "cancel"
KEEP = "keep"  # keep the description taken from the conversation
REUSE = "reuse"  # reuse the business's details from its last ticket
SKIP = "skip"  # skip an optional step (contact, rating comment)
EDIT = "edit"  # edit the summary before filing
CONFIRM = "confirm"  # file the summarised issue

HELPFUL = "fb:up"
NOT_RIGHT = "fb:down"


def make(kind: str, *arguments: object) -> str:
    """The payload of `kind` with its arguments: make(RATE, "PA-2026-000123", 5) is "rate:PA-2026-000123:5"."""
    return ":".join((kind, *(str(argument) for argument in arguments)))


def split(payload: str) -> tuple[str, str]:
    """(kind, argument) of a payload; the argument is "" for a kind alone."""
    kind, _, argument = payload.partition(":")
    return kind, argument
