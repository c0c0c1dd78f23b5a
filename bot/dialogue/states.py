"""The dialogue's states (drawn in `states.mmd` beside this file).

A conversation is in one of these states between two messages; the state and the form being filled are
stored with the conversation, so a restart loses nothing.
"""

from __future__ import annotations

IDLE = "idle"  # questions are answered; commands and buttons start the other flows
FILING_DESCRIPTION = "filing_description"
FILING_TOPIC = "filing_topic"  # only when the NLU cannot tell the topic of the description
FILING_COMPANY = "filing_company"
FILING_TAX_CODE = "filing_tax_code"
FILING_CONTACT = "filing_contact"
FILING_WARD = "filing_ward"  # the commune-level unit; a former district offers its successors
FILING_DISTRICT_BEFORE_WARDS = "filing_district"  # a conversation stored at the old place step goes on as FILING_WARD
FILING_CONFIRM = "filing_confirm"
AWAITING_CODE = "awaiting_code"  # status lookup: waiting for a ticket code
TICKET_MESSAGE = "ticket_message"  # the business writes into one of its tickets
RATING_COMMENT = "rating_comment"  # after a rating, an optional comment
REGISTER_SESSION = "register_session"  # a dialogue session to register a question for: choosing it
REGISTER_QUESTION = "register_question"  # typing the question
REGISTER_CONFIRM = "register_confirm"  # the summary, sent or cancelled

FILING = (
    FILING_DESCRIPTION,
    FILING_TOPIC,
    FILING_COMPANY,
    FILING_TAX_CODE,
    FILING_CONTACT,
    FILING_WARD,
    FILING_DISTRICT_BEFORE_WARDS,
    FILING_CONFIRM,
)
