"""A request body over the limit is refused before it is read, whether its length is declared or it comes in
chunks, with a Vietnamese message; the conversation goes on."""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import func, select

from tickets.storage.models import TranscriptMessage

LIMIT = 1_048_576


def _chunks(total: int, size: int = 65_536):
    sent = 0
    while sent < total:
        yield b"x" * min(size, total - sent)
        sent += size


@pytest.mark.parametrize("declared", [True, False], ids=["declared length", "chunked"])
def test_a_body_over_the_limit_gets_413_and_nothing_is_stored(services, chat_server_url: str, declared: bool) -> None:
    url = f"{chat_server_url}/api/chat"
    body = b'{"session": "phien-kiem-tra", "text": "' + b"x" * (LIMIT + 10) + b'"}'
    if declared:
        refused = httpx.post(url, content=body, headers={"content-type": "application/json"}, timeout=30)
    else:
        refused = httpx.post(url, content=_chunks(LIMIT + 10), headers={"content-type": "application/json"}, timeout=30)
    assert refused.status_code == 413
    assert refused.json() == {"error": "Nội dung gửi lên quá lớn (tối đa 1.024 KB)."}
    with services.database.session() as session:
        assert session.exec(select(func.count()).select_from(TranscriptMessage)).one() == 0

    answered = httpx.post(url, json={"session": "phien-kiem-tra", "text": "xin chào"}, timeout=60)
    assert answered.status_code == 200 and answered.json()["replies"]
