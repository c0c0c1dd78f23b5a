"""`donghanh chat`: a conversation with the dialogue engine in a terminal, buttons as numbered options."""

from __future__ import annotations

from collections.abc import Callable

from bot.dialogue.engine import DialogueEngine
from bot.messages import IncomingMessage, Reply

CHANNEL = "terminal"
PROMPT = "Bạn: "
QUIT_WORDS = {"/thoat", "/quit", "/exit"}


def render(reply: Reply) -> str:
    """A reply as the terminal shows it: the text, then its buttons as numbered options."""
    options = [f"  {number}. {button.title}" for number, button in enumerate(reply.buttons, start=1)]
    return "\n".join([reply.text, *options])


def run_chat(engine: DialogueEngine, *, user: str, read: Callable[[str], str], write: Callable[[str], None]) -> None:
    """Talk until end of input or /thoat; a number answers the options shown last."""
    write("Đồng hành — gõ câu hỏi; số để chọn; /huy để hủy thao tác; /thoat để thoát.")
    while True:
        try:
            text = read(PROMPT)
        except EOFError:
            break
        if text.strip().lower() in QUIT_WORDS:
            break
        if not text.strip():
            continue
        for reply in engine.handle(IncomingMessage(CHANNEL, user, text=text)):
            write("Đồng hành: " + render(reply))
