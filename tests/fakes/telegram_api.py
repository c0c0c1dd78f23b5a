"""A fake Telegram Bot API on 127.0.0.1 that the real python-telegram-bot talks to unchanged.

Point ``telegram.Bot(token, base_url=fake.base_url)`` at it: requests arrive at ``/bot{token}/{method}``.
python-telegram-bot POSTs every parameter as a form field; non-string values (ints, booleans,
``reply_markup``, ``allowed_updates``) arrive JSON-encoded as strings, so the fake decodes them the same
way the Bot API does. Answers use the Bot API envelope ``{"ok": ..., "result" | "error_code", "description"}``.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.fakes.servers import FakeService, read_params

MAX_TEXT = 4096  # characters of message text
MAX_CALLBACK_DATA_BYTES = 64
LONG_POLL_CAP = 2.0  # seconds; the real API waits up to `timeout`, the fake never longer than this
_PHRASES = {status.value: status.phrase for status in HTTPStatus}
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
)


class ApiError(Exception):
    """A Bot API error answer: HTTP status = error_code."""

    def __init__(self, status: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.status, self.description, self.parameters = status, description, parameters


def _user(user_id: int, first_name: str) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "vi"}


def _private_chat(chat_id: int, first_name: str) -> dict[str, Any]:
    return {"id": chat_id, "type": "private", "first_name": first_name}


def text_update(
    update_id: int,
    chat_id: int,
    text: str,
    *,
    user_id: int | None = None,
    first_name: str = "Khách",
    message_id: int | None = None,
) -> dict[str, Any]:
    """A Bot API Update carrying a user's text message in a private chat (``message_id`` = update_id)."""
    message = {
        "message_id": update_id if message_id is None else message_id,
        "date": int(time.time()),
        "chat": _private_chat(chat_id, first_name),
        "from": _user(user_id or chat_id, first_name),
        "text": text,
    }
    return {"update_id": update_id, "message": message}


def callback_update(
    update_id: int,
    chat_id: int,
    data: str,
    *,
    message_id: int = 1,
    callback_id: str | None = None,
    user_id: int | None = None,
    first_name: str = "Khách",
) -> dict[str, Any]:
    """A Bot API Update carrying a press on an inline button of the bot's message ``message_id``."""
    query = {
        "id": callback_id or f"cbq-{update_id}",
        "from": _user(user_id or chat_id, first_name),
        "chat_instance": f"ci-{chat_id}",
        "data": data,
        "message": {"message_id": message_id, "date": int(time.time()), "chat": _private_chat(chat_id, first_name)},
    }
    return {"update_id": update_id, "callback_query": query}


def _json_field(value: Any) -> Any:
    """Decode a field PTB sent JSON-encoded inside a form value; plain strings stay as they are."""
    try:
        return json.loads(value) if isinstance(value, str) else value
    except ValueError:
        return value


def _chat_id(params: dict[str, Any]) -> int | str:
    raw = params.get("chat_id")
    if raw in (None, ""):
        raise ApiError(400, "Bad Request: chat_id is empty")
    try:
        return int(raw)
    except (TypeError, ValueError):
        return str(raw)  # "@channelusername"


def _check_text(text: Any) -> str:
    if text is None or str(text).strip() == "":
        raise ApiError(400, "Bad Request: message text is empty")
    if len(str(text)) > MAX_TEXT:
        raise ApiError(400, "Bad Request: message is too long")
    return str(text)


def _check_markup(params: dict[str, Any]) -> dict[str, Any] | None:
    markup = _json_field(params.get("reply_markup"))
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    data = [button.get("callback_data") for row in markup.get("inline_keyboard", []) for button in row]
    if any(d is not None and len(str(d).encode("utf-8")) > MAX_CALLBACK_DATA_BYTES for d in data):
        raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    return markup


class FakeTelegramApi(FakeService):
    """Fake Bot API server plus a recorder of what the bot did. Thread-safe; see the module docstring."""

    text_update = staticmethod(text_update)
    callback_update = staticmethod(callback_update)

    def __init__(self, token: str, *, username: str = "donghanh_test_bot", first_name: str = "Đồng hành") -> None:
        super().__init__()
        self.token = token
        prefix = token.split(":", 1)[0]
        self.bot_user = {
            "id": int(prefix) if prefix.isdigit() else 123456789,
            "is_bot": True,
            "first_name": first_name,
            "username": username,
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self._calls: list[tuple[str, dict[str, Any]]] = []
        self._messages: list[dict[str, Any]] = []
        self._sent_to: dict[int | str, int] = {}  # chat id -> messages sent, so waiting threads check in O(1)
        self._callbacks: list[str] = []
        self._updates: list[dict[str, Any]] = []
        self._webhook: dict[str, Any] | None = None
        self.commands: list[dict[str, str]] = []
        self._failures: dict[str, list[tuple[int, int | None]]] = {}
        self._next_message_id = 1
        self._methods: dict[str, Callable[..., Any]] = {
            name.lower(): fn
            for name, fn in {
                "getMe": lambda p: dict(self.bot_user),
                "setWebhook": self._set_webhook,
                "deleteWebhook": self._delete_webhook,
                "getWebhookInfo": self._get_webhook_info,
                "sendMessage": self._send_message,
                "editMessageText": lambda p: self._edit(p, text=True),
                "editMessageReplyMarkup": lambda p: self._edit(p, text=False),
                "answerCallbackQuery": self._answer_callback_query,
                "getUpdates": self._get_updates,
                "setMyCommands": self._set_my_commands,
            }.items()
        }

    @property
    def base_url(self) -> str:
        """python-telegram-bot's ``base_url``: requests go to ``{base_url}{token}/{method}``."""
        return f"{self.url}/bot"

    def build_app(self) -> Starlette:
        return Starlette(routes=[Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"])])

    async def _endpoint(self, request: Request) -> JSONResponse:
        if request.path_params["token"] != self.token:
            return JSONResponse({"ok": False, "error_code": 401, "description": "Unauthorized"}, status_code=401)
        method = request.path_params["method"]
        handler = self._methods.get(method.lower())
        if handler is None:
            return JSONResponse({"ok": False, "error_code": 404, "description": "Not Found"}, status_code=404)
        params = await read_params(request)
        try:
            with self._cond:
                self._calls.append((method, dict(params)))
                self._raise_injected_failure(method)
            result = handler(params)
            if asyncio.iscoroutine(result):
                result = await result
        except ApiError as error:
            body: dict[str, Any] = {"ok": False, "error_code": error.status, "description": error.description}
            if error.parameters:
                body["parameters"] = error.parameters
            return JSONResponse(body, status_code=error.status)
        return JSONResponse({"ok": True, "result": result})

    def _raise_injected_failure(self, method: str) -> None:
        queue = self._failures.get(method.lower())
        if not queue:
            return
        status, retry_after = queue.pop(0)
        if status == 429:
            wait = 1 if retry_after is None else retry_after
            raise ApiError(429, f"Too Many Requests: retry after {wait}", {"retry_after": wait})
        raise ApiError(status, _PHRASES.get(status, f"Error {status}"))

    def _set_webhook(self, params: dict[str, Any]) -> bool:
        url, drop = params.get("url") or "", _json_field(params.get("drop_pending_updates")) is True
        with self._cond:
            if drop:
                self._updates.clear()
            self._webhook = (
                None
                if not url
                else {
                    "url": url,
                    "secret_token": params.get("secret_token"),
                    "allowed_updates": _json_field(params.get("allowed_updates")),
                    "drop_pending_updates": drop,
                }
            )
        return True

    def _delete_webhook(self, params: dict[str, Any]) -> bool:
        return self._set_webhook({"drop_pending_updates": params.get("drop_pending_updates")})

    def _get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        with self._cond:
            hook = self._webhook or {"url": "", "allowed_updates": None}
            info = {"url": hook["url"], "has_custom_certificate": False, "pending_update_count": len(self._updates)}
        return info if hook["allowed_updates"] is None else {**info, "allowed_updates": hook["allowed_updates"]}

    def _message(self, chat_id: int | str, message_id: int, text: str, markup: dict[str, Any] | None) -> dict:
        message: dict[str, Any] = {
            "message_id": message_id,
            "from": dict(self.bot_user),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "text": text,
        }
        if markup is not None:
            message["reply_markup"] = markup
        return message

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = _chat_id(params)
        text = _check_text(params.get("text"))
        markup = _check_markup(params)
        with self._cond:
            message_id = self._next_message_id
            self._next_message_id += 1
            self._messages.append(
                {
                    "chat_id": chat_id,
                    "text": text,
                    "reply_markup": markup,
                    "message_id": message_id,
                    "received_at": time.monotonic(),
                }
            )
            self._sent_to[chat_id] = self._sent_to.get(chat_id, 0) + 1
            self._cond.notify_all()
        return self._message(chat_id, message_id, text, markup)

    def _edit(self, params: dict[str, Any], *, text: bool) -> dict[str, Any] | bool:
        new_text = _check_text(params.get("text")) if text else ""
        markup = _check_markup(params)
        if params.get("inline_message_id"):
            return True
        message = self._message(_chat_id(params), int(params.get("message_id") or 0), new_text, markup)
        message["edit_date"] = message["date"]
        if not text:
            del message["text"]
        return message

    def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        query_id = params.get("callback_query_id")
        if not query_id:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        with self._cond:
            self._callbacks.append(str(query_id))
            self._cond.notify_all()
        return True

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(_json_field(params.get("offset")) or 0)
        limit = max(1, min(100, int(_json_field(params.get("limit")) or 100)))
        deadline = time.monotonic() + min(float(_json_field(params.get("timeout")) or 0), LONG_POLL_CAP)
        while True:
            with self._cond:
                if self._webhook is not None:
                    raise ApiError(409, WEBHOOK_CONFLICT)
                if offset < 0:  # "the last -offset updates"; everything before is forgotten
                    del self._updates[: max(0, len(self._updates) + offset)]
                elif offset:  # confirmed: every update below the offset
                    self._updates[:] = [u for u in self._updates if u["update_id"] >= offset]
                ready = [dict(u) for u in self._updates[:limit]]
            if ready or time.monotonic() >= deadline or self._closing:
                return ready
            await asyncio.sleep(0.02)

    def push_update(self, update: dict[str, Any]) -> None:
        """Queue an Update for ``getUpdates`` (polling mode)."""
        if "update_id" not in update:
            raise ValueError("an Update needs an update_id")
        with self._cond:
            self._updates.append(dict(update))
            self._cond.notify_all()

    def _set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands")
        self.commands = json.loads(commands) if isinstance(commands, str) else list(commands or [])
        return True

    def sent_messages(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """Messages sent with ``sendMessage``: ``{"chat_id", "text", "reply_markup", "message_id", "received_at"}``
        (``time.monotonic()`` when the fake received it)."""
        with self._cond:
            return [dict(m) for m in self._messages if chat_id is None or m["chat_id"] == chat_id]

    def wait_for_messages(self, chat_id: int, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        """Block until ``count`` messages were sent to ``chat_id``; AssertionError with what came otherwise."""
        if not self._wait_for(lambda: self._sent_to.get(chat_id, 0) >= count, timeout):
            got = [m["text"] for m in self.sent_messages(chat_id)]
            raise AssertionError(f"expected {count} message(s) to chat {chat_id} within {timeout} s, got {got!r}")
        return self.sent_messages(chat_id)

    def answered_callbacks(self) -> list[str]:
        """The ``callback_query_id`` of every ``answerCallbackQuery``, in order."""
        with self._cond:
            return list(self._callbacks)

    @property
    def webhook(self) -> dict[str, Any] | None:
        """``{"url", "secret_token", "allowed_updates", "drop_pending_updates"}`` as last set, or None."""
        with self._cond:
            return None if self._webhook is None else dict(self._webhook)

    def calls(self, method: str | None = None) -> list[tuple[str, dict[str, Any]]]:
        """Every request as ``(method, params)``, params as received (form values are strings)."""
        with self._cond:
            return [(m, dict(p)) for m, p in self._calls if method is None or m.lower() == method.lower()]

    def fail_next(self, method: str, *, status: int = 500, retry_after: int | None = None, times: int = 1) -> None:
        """Make the next ``times`` calls of ``method`` fail with ``status`` (429 carries ``retry_after``)."""
        with self._cond:
            self._failures.setdefault(method.lower(), []).extend([(status, retry_after)] * times)
