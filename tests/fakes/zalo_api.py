"""A fake Zalo OA Open API and OAuth server on 127.0.0.1 for our httpx-based Zalo client.

One server answers both base URLs: ``api_base_url`` (``POST /v3.0/oa/message/cs``) and ``oauth_base_url``
(``POST /oauth/v4/oa/access_token``). Zalo reports application errors with HTTP 200 and a
non-zero ``error`` in the body; only injected failures (`fail_next`) use other HTTP statuses.

What is deliberately not modelled, for want of a source: a maximum text length for ``message/cs`` (the only
figure found, 2,000 characters, comes from a reseller's wrapper API, not from Zalo), and Zalo's numeric
OAuth error codes (none found documented). OAuth failures therefore carry the generic ``error`` -1 with a
descriptive ``error_name``; the body shape (``error_name``/``error_description`` with HTTP 200) follows
https://github.com/ChatbotXIO/ChatbotX/pull/1019.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.fakes.servers import FakeService, read_params

TOKEN_INVALID = -216  # "access token expired/invalid": our client refreshes and retries on it
GENERIC_ERROR = -1  # a deliberately generic code for failures whose real Zalo code is not documented


def _generic(message: str) -> JSONResponse:
    return JSONResponse({"error": GENERIC_ERROR, "message": f"Fake Zalo: {message}"})


def _oauth_error(name: str, description: str) -> JSONResponse:
    return JSONResponse({"error": GENERIC_ERROR, "error_name": name, "error_description": description})


def event_signature(app_id: str, raw_body: bytes, timestamp: str, oa_secret_key: str) -> str:
    """The ``X-ZEvent-Signature`` header value: ``mac=`` + SHA-256 (plain hash) of id, body, time and key."""
    digest = hashlib.sha256(app_id.encode() + raw_body + timestamp.encode() + oa_secret_key.encode()).hexdigest()
    return f"mac={digest}"


class FakeZaloApi(FakeService):
    """Fake Zalo OA API plus a recorder of sent messages and token refreshes. Thread-safe."""

    def __init__(
        self,
        app_id: str,
        app_secret: str,
        oa_secret_key: str,
        access_token: str,
        refresh_token: str,
        *,
        oa_id: str = "2811146380386283041",
    ) -> None:
        super().__init__()
        self.app_id, self.app_secret, self.oa_secret_key, self.oa_id = app_id, app_secret, oa_secret_key, oa_id
        self._access_token, self._refresh_token = access_token, refresh_token
        self._access_valid = True
        self._refresh_count = 0
        self._messages: list[dict[str, Any]] = []
        self._failures: dict[str, list[int]] = {"send": [], "oauth": []}

    @property
    def api_base_url(self) -> str:
        """``ZALO_API_BASE_URL`` for our client: ``{api_base_url}/v3.0/oa/message/cs``."""
        return self.url

    @property
    def oauth_base_url(self) -> str:
        """``ZALO_OAUTH_BASE_URL`` for our client: ``{oauth_base_url}/v4/oa/access_token``."""
        return f"{self.url}/oauth"

    def build_app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/v3.0/oa/message/cs", self._send, methods=["POST"]),
                Route("/oauth/v4/oa/access_token", self._access_token_endpoint, methods=["POST"]),
            ]
        )

    def _injected_failure(self, endpoint: str) -> JSONResponse | None:
        with self._cond:
            queue = self._failures[endpoint]
            status = queue.pop(0) if queue else None
        if status is None:
            return None
        return JSONResponse(
            {"error": GENERIC_ERROR, "message": f"Fake Zalo: injected HTTP {status}"}, status_code=status
        )

    async def _send(self, request: Request) -> JSONResponse:
        if (failure := self._injected_failure("send")) is not None:
            return failure
        with self._cond:
            token_ok = self._access_valid and request.headers.get("access_token") == self._access_token
        if not token_ok:
            return JSONResponse({"error": TOKEN_INVALID, "message": "Access token is invalid"})
        try:
            body = json.loads(await request.body())
            user_id, text = str(body["recipient"]["user_id"]), body["message"]["text"]
        except (ValueError, KeyError, TypeError) as error:
            return _generic(f"expected {{'recipient': {{'user_id'}}, 'message': {{'text'}}}} ({error!r})")
        if not isinstance(text, str) or not text:
            return _generic("message.text must be a non-empty string")
        message_id = secrets.token_hex(16)
        with self._cond:
            self._messages.append({"user_id": user_id, "text": text, "message_id": message_id})
            self._cond.notify_all()
        return JSONResponse({"error": 0, "message": "Success", "data": {"message_id": message_id, "user_id": user_id}})

    async def _access_token_endpoint(self, request: Request) -> JSONResponse:
        if (failure := self._injected_failure("oauth")) is not None:
            return failure
        params = await read_params(request)
        if request.headers.get("secret_key") != self.app_secret:
            return _oauth_error("invalid_secret_key", "The secret_key header does not match the app secret")
        if params.get("app_id") != self.app_id:
            return _oauth_error("invalid_app_id", "Unknown app_id")
        if params.get("grant_type") != "refresh_token":
            return _oauth_error("unsupported_grant_type", "Only grant_type=refresh_token is supported by the fake")
        with self._cond:
            if not params.get("refresh_token") or params["refresh_token"] != self._refresh_token:
                return _oauth_error("invalid_refresh_token", "The refresh token is invalid, expired or already used")
            self._access_token, self._refresh_token = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
            self._access_valid = True
            self._refresh_count += 1
            tokens = {"access_token": self._access_token, "refresh_token": self._refresh_token}
            self._cond.notify_all()
        return JSONResponse({**tokens, "expires_in": "90000"})

    def expire_access_token(self) -> None:
        """The current access token stops working, as when it expires; a refresh issues a working one."""
        with self._cond:
            self._access_valid = False

    def current_tokens(self) -> tuple[str, str]:
        """The current ``(access_token, refresh_token)``."""
        with self._cond:
            return self._access_token, self._refresh_token

    @property
    def refresh_count(self) -> int:
        """How many refreshes succeeded."""
        with self._cond:
            return self._refresh_count

    def sent_messages(self, user_id: str | None = None) -> list[dict[str, Any]]:
        """Messages sent through ``message/cs``: ``{"user_id", "text", "message_id"}``."""
        with self._cond:
            return [dict(m) for m in self._messages if user_id is None or m["user_id"] == user_id]

    def wait_for_messages(self, user_id: str, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        """Block until ``count`` messages were sent to ``user_id``; AssertionError with what came otherwise."""
        if not self._wait_for(lambda: sum(m["user_id"] == user_id for m in self._messages) >= count, timeout):
            got = [m["text"] for m in self.sent_messages(user_id)]
            raise AssertionError(f"expected {count} message(s) to Zalo user {user_id} within {timeout} s, got {got!r}")
        return self.sent_messages(user_id)

    def fail_next(self, status: int = 500, times: int = 1, *, endpoint: str = "send") -> None:
        """Answer the next ``times`` requests to ``endpoint`` ("send" or "oauth") with HTTP ``status``."""
        if endpoint not in self._failures:
            raise ValueError(f"endpoint must be 'send' or 'oauth', not {endpoint!r}")
        with self._cond:
            self._failures[endpoint].extend([status] * times)

    def signed_event(self, payload: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
        """Raw JSON body and headers for POSTing ``payload`` to our webhook, signed as Zalo signs events.

        ``app_id`` and ``timestamp`` (milliseconds, as a string) are filled in when missing.
        """
        event = {"app_id": self.app_id, **payload}
        event.setdefault("timestamp", str(int(time.time() * 1000)))
        raw = json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        signature = event_signature(str(event["app_id"]), raw, str(event["timestamp"]), self.oa_secret_key)
        return raw, {"Content-Type": "application/json", "X-ZEvent-Signature": signature}

    def signed_text_event(
        self, user_id: str, text: str, *, msg_id: str | None = None, timestamp_ms: int | None = None
    ) -> tuple[bytes, dict[str, str]]:
        """A signed ``user_send_text`` event from ``user_id``."""
        payload = {
            "app_id": self.app_id,
            "user_id_by_app": str(int(hashlib.sha256(f"{self.app_id}:{user_id}".encode()).hexdigest()[:15], 16)),
            "event_name": "user_send_text",
            "sender": {"id": user_id},
            "recipient": {"id": self.oa_id},
            "message": {"msg_id": msg_id or secrets.token_hex(16), "text": text},
            "timestamp": str(int(time.time() * 1000) if timestamp_ms is None else timestamp_ms),
        }
        return self.signed_event(payload)
