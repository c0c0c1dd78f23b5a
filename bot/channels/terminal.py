"""`donghanh chat`: a conversation with the dialogue engine in a terminal, buttons as numbered options."""

from __future__ import annotations

from collections.abc import Callable

from bot.channels.contract import Channel, numbered_options
from bot.dialogue.engine import DialogueEngine
from bot.messages import IncomingMessage, Reply

PROMPT = "Bạn: "
QUIT_WORDS = {"/thoat", "/quit", "/exit"}


class Terminal(Channel):
    """The command line: no routes, no sender; the options need no hint, the banner explains them."""

    code = "terminal"
    label = "Dòng lệnh"

    def render(self, reply: Reply) -> str:
        return numbered_options(reply, hint="")


CHANNEL = Terminal()


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
        for reply in engine.handle(IncomingMessage(CHANNEL.code, user, text=text)):
            write("Đồng hành: " + CHANNEL.render(reply))
