"""The `donghanh` command as an operator uses it, run as a real process."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.fakes.servers import free_port

DONGHANH = str(Path(sys.executable).parent / "donghanh")


def run(*args: str, env: dict[str, str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [DONGHANH, *args], check=False, env=env, input=stdin, capture_output=True, text=True, timeout=300
    )


@pytest.fixture
def env(database_url: str, tmp_path: Path) -> dict[str, str]:
    return os.environ | {"DATABASE_URL": database_url, "DONGHANH_VAR_DIR": str(tmp_path / "var")}


def test_db_upgrade_then_already_up_to_date(env: dict[str, str]) -> None:
    first = run("db", "upgrade", env=env)
    assert first.returncode == 0, first.stderr
    assert re.search(r"Database upgraded from empty to \w+ \((sqlite|postgresql)\)", first.stdout)
    second = run("db", "upgrade", env=env)
    assert "Database already at revision" in second.stdout
    current = json.loads(run("db", "current", env=env).stdout)
    assert current["database"] == current["code"] is not None


def test_invalid_configuration_stops_with_a_clear_message(tmp_path: Path) -> None:
    result = run("db", "upgrade", env=os.environ | {"DATABASE_URL": "mysql://localhost/x"})
    assert result.returncode == 1
    assert "Invalid configuration:" in result.stderr
    assert "DATABASE_URL: Value error, must start with sqlite:// or postgresql+psycopg://" in result.stderr
    assert "Traceback" not in result.stderr


def test_users_add_reads_the_password_from_stdin(env: dict[str, str]) -> None:
    assert run("db", "upgrade", env=env).returncode == 0
    added = run(
        "users",
        "add",
        "--username",
        "lan.tran",
        "--role",
        "staff",
        "--department",
        "CUC_THUE",
        "--password-stdin",
        env=env,
        stdin="một mật khẩu dài\n",
    )
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == "Created staff account 'lan.tran' in CUC_THUE"
    again = run(
        "users", "add", "--username", "lan.tran", "--role", "observer", "--password-stdin", env=env, stdin="x" * 12
    )
    assert again.returncode == 1 and "user lan.tran already exists" in again.stderr
    unknown = run(
        "users",
        "add",
        "--username",
        "minh",
        "--role",
        "lead",
        "--department",
        "CUC_THUE_X",
        "--password-stdin",
        env=env,
        stdin="x" * 12,
    )
    assert unknown.returncode == 1 and "unknown department CUC_THUE_X" in unknown.stderr
    short = run("users", "add", "--username", "minh", "--role", "admin", "--password-stdin", env=env, stdin="ngan")
    assert short.returncode == 1 and "password: String should have at least 12 characters" in short.stderr


@pytest.fixture
def sqlite_env(tmp_path: Path) -> dict[str, str]:
    return os.environ | {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
        "DONGHANH_VAR_DIR": str(tmp_path / "var"),
    }


def start_server(env: dict[str, str], port: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [DONGHANH, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_for_health(port: int, *, until_model_loaded: bool, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            body = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).json()
            if body["model"]["loaded"] or not until_model_loaded:
                return body
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"server on port {port} not healthy within {timeout}s")


def stop(process: subprocess.Popen[str]) -> str:
    process.terminate()
    output, _ = process.communicate(timeout=30)
    return output


@pytest.fixture
def served(sqlite_env: dict[str, str]) -> Iterator[tuple[dict[str, str], int]]:
    assert run("db", "upgrade", env=sqlite_env).returncode == 0
    yield sqlite_env, free_port()


def test_serve_first_start_prints_a_one_time_admin_password_and_loads_the_real_model(served) -> None:
    env, port = served
    process = start_server(env, port)
    try:
        health = wait_for_health(port, until_model_loaded=True)
    finally:
        output = stop(process)
    assert health["status"] == "ok", health
    assert health["model"]["name"] == "multilingual-e5-small-int8"
    assert health["model"]["loaded"] is True
    match = re.search(r"created the admin account 'admin' with the one-time password\s+(\S+)", output)
    assert match, output

    process = start_server(env, port)
    try:
        wait_for_health(port, until_model_loaded=False)
    finally:
        output = stop(process)
    assert "one-time password" not in output
    assert f"Đồng hành on http://127.0.0.1:{port}/" in output


def test_serve_refuses_an_unmigrated_database(tmp_path: Path) -> None:
    env = os.environ | {"DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}", "DONGHANH_VAR_DIR": str(tmp_path)}
    result = run("serve", "--port", str(free_port()), env=env)
    assert result.returncode == 1
    assert "run `donghanh db upgrade` first" in result.stderr


def test_model_info_prints_path_dimension_size_and_self_check(tmp_path: Path) -> None:
    result = run("model", "info", env=dict(os.environ))
    assert result.returncode == 0, result.stderr
    assert re.search(r"^path:\s+\S+models/multilingual-e5-small$", result.stdout, re.MULTILINE)
    assert re.search(r"^dimension:\s+384$", result.stdout, re.MULTILINE)
    assert re.search(r"^size:\s+\d+\.\d MB in \d+ files$", result.stdout, re.MULTILINE)
    assert re.search(r"^self-check: ok", result.stdout, re.MULTILINE)
