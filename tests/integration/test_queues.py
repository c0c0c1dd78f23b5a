"""The inbound events and the outbox as several server processes share them, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from bot.channels.registry import default_registry
from tickets.storage import inbound, outbox
from tickets.storage.models import InboundEvent, OutboxMessage

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def _accept(database, user: str, event: str):
    return inbound.accept(
        database, channel="telegram", external_id=event, user_key=user, message={"text": event}, now=NOW
    )


def test_a_resent_event_is_stored_once(database) -> None:
    assert _accept(database, "u1", "100") is not None
    assert _accept(database, "u1", "100") is None


def test_an_event_is_claimed_as_it_is_stored_unless_the_users_earlier_one_is_unfinished(database) -> None:
    first, second, other = _accept(database, "u1", "1"), _accept(database, "u1", "2"), _accept(database, "u2", "3")
    assert first.claimed.external_id == "1" and first.claimed.state == "processing"
    assert second.claimed is None  # "1" is still being handled
    assert other.claimed.external_id == "3"  # another user's event does not wait
    assert inbound.claim_next(database, channels=["telegram"], now=NOW, limit=10) == []  # "2" still waits for "1"


def test_the_sweep_claims_a_users_waiting_event_once_the_earlier_one_is_done(database) -> None:
    first, _second, other = _accept(database, "u1", "1"), _accept(database, "u1", "2"), _accept(database, "u2", "3")
    with database.session() as session:
        for event_id in (first.id, other.id):
            event = session.get(InboundEvent, event_id)
            event.state = "done"
            session.add(event)
    assert [e.external_id for e in inbound.claim_next(database, channels=["telegram"], now=NOW, limit=10)] == ["2"]
    assert inbound.claim_next(database, channels=["telegram"], now=NOW, limit=10) == []  # never twice


def test_an_event_left_by_a_stopped_process_is_claimed_again_after_a_while(database) -> None:
    claimed = _accept(database, "u1", "1").claimed
    assert inbound.claim_next(database, channels=["telegram"], now=NOW + timedelta(seconds=30), limit=1) == []
    (again,) = inbound.claim_next(
        database, channels=["telegram"], now=NOW + inbound.STALE_AFTER + timedelta(seconds=1), limit=1
    )
    assert again.id == claimed.id and again.attempts == 2


def test_the_outbox_sends_each_recipient_in_order_and_never_claims_a_message_twice(database) -> None:
    with database.session() as session:
        for user, text in [("u1", "một"), ("u1", "hai"), ("u2", "ba")]:
            outbox.enqueue(session, channel="telegram", user_key=user, text=text, now=NOW)
    first = outbox.claim_due(database, channels=["telegram"], now=NOW)
    assert sorted(m.text for m in first) == ["ba", "một"]
    assert outbox.claim_due(database, channels=["telegram"], now=NOW) == []
    outbox.mark_sent(database, [message.id for message in first], now=NOW)
    assert [m.text for m in outbox.claim_due(database, channels=["telegram"], now=NOW)] == ["hai"]


def test_a_failed_send_is_retried_with_backoff_then_given_up_and_can_be_retried_by_staff(database) -> None:
    with database.session() as session:
        outbox.enqueue(session, channel="zalo", user_key="u1", text="xin chào", now=NOW)
    now = NOW
    for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
        (message,) = outbox.claim_due(database, channels=["zalo"], now=now)
        state = outbox.mark_failed(database, message.id, error="zalo unreachable", now=now)
        assert outbox.claim_due(database, channels=["zalo"], now=now) == []  # not before its backoff
        now += outbox.backoff(attempt)
    assert state == "failed"
    with database.session() as session:
        assert [m.id for m in outbox.failures(session)] == [message.id]
    assert outbox.retry(database, message.id, now=now)
    assert [m.id for m in outbox.claim_due(database, channels=["zalo"], now=now)] == [message.id]


def test_a_long_text_is_queued_in_parts_with_the_buttons_on_the_last(database) -> None:
    text = "\n\n".join("Đoạn văn hướng dẫn thủ tục. " * 40 for _ in range(5))
    outbox.set_text_limits(default_registry().text_limits())  # as the app does at start-up: Zalo's is 2,000
    with database.session() as session:
        outbox.enqueue(session, channel="zalo", user_key="u1", text=text, buttons=[["Hữu ích", "fb:up"]], now=NOW)
    with database.session() as session:
        parts = session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert len(parts) >= 3 and all(len(p.text) <= outbox.text_limit("zalo") for p in parts)
    assert [p.buttons for p in parts[:-1]] == [[]] * (len(parts) - 1) and parts[-1].buttons == [["Hữu ích", "fb:up"]]
    assert " ".join(p.text for p in parts).split() == text.split()


def test_finishing_an_event_claims_the_same_users_next_one_in_the_same_transaction(database) -> None:
    claimed = _accept(database, "u1", "1").claimed
    _accept(database, "u1", "2")
    _accept(database, "u2", "3")
    with database.engine.begin() as connection:
        following = inbound.finish(connection, claimed, now=NOW)
    assert following.external_id == "2" and following.state == "processing"
    assert inbound.claim_next(database, channels=["telegram"], now=NOW, limit=10) == []  # "3" was claimed when stored
    with database.engine.begin() as connection:
        assert inbound.current_claim(connection, claimed.id) is None  # "1" is done
        assert inbound.current_claim(connection, following.id) == following.claimed_at
        assert inbound.finish(connection, following, now=NOW) is None


def test_a_turns_replies_are_claimed_in_order_but_not_past_a_message_being_sent_or_waiting_to_retry(database) -> None:
    with database.session() as session:
        outbox.enqueue(session, channel="telegram", user_key="u1", text="một", now=NOW)
        outbox.enqueue(session, channel="telegram", user_key="u1", text="hai", now=NOW)
        session.flush()
        turn = outbox.claim_for_turn(session.connection(), channel="telegram", user_key="u1", now=NOW)
    assert [m.text for m in turn.claimed] == ["một", "hai"] and not turn.held
    assert outbox.claim_due(database, channels=["telegram"], now=NOW) == []  # both are being sent
    outbox.mark_failed(database, turn.claimed[0].id, error="unreachable", now=NOW)
    outbox.release(database, [turn.claimed[1].id])
    with database.session() as session:
        outbox.enqueue(session, channel="telegram", user_key="u1", text="ba", now=NOW)
        session.flush()
        held = outbox.claim_for_turn(session.connection(), channel="telegram", user_key="u1", now=NOW)
    assert held.claimed == [] and held.held  # "một" waits for its retry, and the rest behind it
    later = NOW + outbox.backoff(1)
    assert [m.text for m in outbox.claim_due(database, channels=["telegram"], now=later)] == ["một"]
