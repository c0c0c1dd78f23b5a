"""What every HTTP request goes through before the app (pure ASGI middleware, cheap on the hot path).

`RequestId` names each request in the logs (`bot.logs.EVENT`) and in its answer's `X-Request-ID`: the
caller's own id when it sent a readable one, else a new one. `BodyLimit` refuses a request body over a
limit before it is read: by its declared length at once, or, for a body sent without one (chunked), as soon
as it grows past the limit; the refusal is a 413 with a Vietnamese `{"error": …}`, like every other refusal
of the API."""

from __future__ import annotations

import json
import re
import secrets
from typing import Any

from bot.logs import EVENT

Scope = dict[str, Any]
Message = dict[str, Any]


_REQUEST_ID = re.compile(rb"[A-Za-z0-9._-]{1,64}")


class RequestId:
    """ASGI middleware: the request's id in its logs and in its answer's `X-Request-ID`."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers") or []).get(b"x-request-id", b"")
        identifier = given if _REQUEST_ID.fullmatch(given) else secrets.token_hex(8).encode()
        EVENT.set(f"http:{identifier.decode()}")

        async def named_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), (b"x-request-id", identifier)]}
            await send(message)

        await self.app(scope, receive, named_send)


class BodyLimit:
    """ASGI middleware: at most `limit` bytes of request body."""

    def __init__(self, app: Any, *, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await self._refuse(send)
            return
        seen, refused = 0, False

        async def counted_receive() -> Message:
            nonlocal seen, refused
            message = await receive()
            if message["type"] == "http.request" and not refused:
                seen += len(message.get("body", b""))
                if seen > self.limit:  # answered now; the app is told the client left, and its answer dropped
                    refused = True
                    await self._refuse(send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not refused:
                await send(message)

        await self.app(scope, counted_receive, guarded_send)

    async def _refuse(self, send: Any) -> None:
        body = json.dumps(
            {"error": f"Nội dung gửi lên quá lớn (tối đa {self.limit // 1024:,} KB).".replace(",", ".")},
            ensure_ascii=False,
        ).encode()
        headers = [(b"content-type", b"application/json; charset=utf-8"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})
