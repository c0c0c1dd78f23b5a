"""Real HTTP servers on 127.0.0.1 for the fakes of outside services.

`serve_asgi(app)` runs any ASGI app with uvicorn in a background thread on a free port, so that the real
client code (python-telegram-bot, our httpx Zalo client) talks to it over TCP exactly as it would to the
vendor. `FakeService` is the small base the fake Telegram and Zalo APIs share: a lock-protected state,
start/stop, and waiting for something to be recorded. `wait_until_answering` waits for a server started
as a separate process (Rasa, `donghanh rasa-actions`).
"""

from __future__ import annotations

import json
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, Literal, Self

import httpx
import uvicorn
from starlette.datastructures import UploadFile
from starlette.requests import Request

LifespanMode = Literal["auto", "on", "off"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_answering(url: str, process: subprocess.Popen, timeout: float) -> None:
    """Wait until `url` answers 200; RuntimeError when the process stops first or the time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[:3]} stopped with status {process.returncode}")
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


class RunningServer:
    """A uvicorn server serving one ASGI app from a background thread on 127.0.0.1."""

    def __init__(self, app: Any, *, lifespan: LifespanMode = "auto", start_timeout: float = 10.0) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self.port: int = self._sock.getsockname()[1]
        config = uvicorn.Config(
            app,
            log_config=None,  # leave the process' logging configuration alone
            log_level="warning",
            access_log=False,
            lifespan=lifespan,
            ws="none",
            timeout_graceful_shutdown=3,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._run, name=f"fake-server-{self.port}", daemon=True)
        self._start_timeout = start_timeout
        self._stopped = False

    @property
    def url(self) -> str:
        """The root URL, e.g. ``http://127.0.0.1:54321`` (no trailing slash)."""
        return f"http://127.0.0.1:{self.port}"

    def _run(self) -> None:
        try:
            self._server.run(sockets=[self._sock])
        except SystemExit:  # uvicorn exits this way when startup fails; start() reports it
            pass

    def start(self) -> Self:
        """Start serving and block until uvicorn reports that it has started."""
        self._thread.start()
        deadline = time.monotonic() + self._start_timeout
        while not self._server.started:
            if not self._thread.is_alive():
                self._sock.close()
                raise RuntimeError(f"The fake server on port {self.port} failed to start")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"The fake server on port {self.port} did not start in {self._start_timeout} s")
            time.sleep(0.01)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Ask uvicorn to exit, wait for the thread, and release the socket. Safe to call twice."""
        if self._stopped:
            return
        self._stopped = True
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout)
        self._sock.close()
        if self._thread.is_alive():
            raise RuntimeError(f"The fake server on port {self.port} did not stop within {timeout} s")

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def serve_asgi(app: Any, *, lifespan: LifespanMode = "auto", start_timeout: float = 10.0) -> RunningServer:
    """Serve ``app`` on 127.0.0.1 with a free port; returns the started server.

    Use as ``server = serve_asgi(app); ...; server.stop()`` or ``with serve_asgi(app) as server: ...``.
    """
    return RunningServer(app, lifespan=lifespan, start_timeout=start_timeout).start()


class FakeService:
    """Base of the fake vendor APIs: an ASGI app served by `serve_asgi`, plus thread-safe recording.

    The server thread records into the state under ``self._cond`` and calls ``notify_all()``; tests
    (another thread) read through the public methods, which take the same lock.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._server: RunningServer | None = None
        self._closing = False

    def build_app(self) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError

    def start(self) -> Self:
        """Start the HTTP server (once)."""
        if self._server is None:
            self._closing = False
            self._server = serve_asgi(self.build_app())
        return self

    def stop(self) -> None:
        """Stop the HTTP server; pending long polls return at once."""
        self._closing = True
        if self._server is not None:
            self._server.stop()
            self._server = None

    @property
    def url(self) -> str:
        """The server's root URL; the service must be started."""
        if self._server is None:
            raise RuntimeError(f"{type(self).__name__} is not started: call .start() or use it as a context manager")
        return self._server.url

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _wait_for(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """Block until ``predicate()`` (evaluated under the lock) is true; False on timeout."""
        with self._cond:
            return self._cond.wait_for(predicate, timeout)


async def read_params(request: Request) -> dict[str, Any]:
    """Request parameters from the query string and a form, multipart or JSON body (files as bytes)."""
    params: dict[str, Any] = dict(request.query_params)
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        async with request.form() as form:
            for key, value in form.multi_items():
                params[key] = (await value.read()) if isinstance(value, UploadFile) else value
    elif content_type.startswith("application/json"):
        body = await request.body()
        if body:
            decoded = json.loads(body)
            if isinstance(decoded, dict):
                params.update(decoded)
    return params
