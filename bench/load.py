"""Load: N simulated Telegram users posting to the webhook of a real `donghanh serve`, replies received by a
fake Bot API on 127.0.0.1 — on SQLite and on PostgreSQL.

Each user sends its messages one after the other, waiting for the reply (as a person does): greetings,
FAQ questions (those asking one thing) as written and without diacritics, the start of an issue form and
its cancellation. The latency of a message runs from the POST to the webhook until the fake Bot API
receives the reply. Every message must get exactly one reply: lost and duplicated replies are counted.

Two ways to load the server:
- `--rate R`: the users together send R messages a second, each user on a fixed schedule (one message
  every users/R seconds, starts spread over that interval), never before its previous reply arrived. This
  is the target's measure: the throughput sustained and the latency at that offered load.
- `--rate 0`: each user sends its next message as soon as its reply arrives: the server's capacity, with
  the latency of a full queue.

Needs the NLU model and the knowledge index built in `var/` (`make run` does it, or `donghanh nlu train`
and `donghanh kb build`). Prints a table and one JSON line.

    .venv/bin/python bench/load.py [--users 100] [--messages 20] [--rate 50]
        [--backends sqlite,postgresql] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from knowledge.loader import load_faq
from nlu.normalize import fold_preserving_offsets
from nlu.questions import split_questions
from tests.fakes.postgres import PostgresServer
from tests.fakes.telegram_api import FakeTelegramApi, text_update

DONGHANH = str(REPO / ".venv" / "bin" / "donghanh")
TOKEN = "424242:LOAD-test"
SECRET = "load-secret"
SMALL_TALK = ["xin chào", "cảm ơn", "/help", "chao ban"]
FORM = ["/phananh", "Hồ sơ hoàn thuế giá trị gia tăng của công ty nộp từ tháng 3 đến nay chưa có kết quả", "/huy"]


def conversation(rng: random.Random, questions: list[str], length: int) -> list[str]:
    """What one user says: some questions (half without diacritics), small talk, an issue form started and cancelled."""
    said: list[str] = [rng.choice(SMALL_TALK)]
    while len(said) < length:
        roll = rng.random()
        if roll < 0.6:
            question = rng.choice(questions)
            said.append(fold_preserving_offsets(question) if rng.random() < 0.5 else question)
        elif roll < 0.8:
            said.append(rng.choice(SMALL_TALK))
        else:
            said.extend(FORM)
    return said[:length]


def start_server(database_url: str, bot_api: FakeTelegramApi, port: int, workers: int) -> subprocess.Popen:
    environment = os.environ | {
        "DATABASE_URL": database_url,
        "DONGHANH_VAR_DIR": str(REPO / "var"),
        "DONGHANH_LOG_LEVEL": "WARNING",
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": bot_api.base_url,
        "TELEGRAM_WEBHOOK_URL": f"http://127.0.0.1:{port}/webhooks/telegram",
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
    }
    subprocess.run([DONGHANH, "db", "upgrade"], env=environment, check=True, capture_output=True, cwd=REPO)
    server = subprocess.Popen(
        [DONGHANH, "serve", "--port", str(port), "--workers", str(workers)],
        env=environment,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline, ready = time.monotonic() + 600, set()
    while time.monotonic() < deadline:  # every process must have warmed up, not just the one that answers first
        try:
            health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).json()
            if health["model"]["loaded"] and health["index"]["loaded_stamp"]:
                ready.add(health["process"])
            if len(ready) == workers:
                return server
        except (httpx.HTTPError, ValueError, KeyError):
            pass
        if server.poll() is not None:
            raise SystemExit(f"the server stopped: {server.stderr.read().decode()[-2000:]}")
        time.sleep(0.5)
    server.terminate()
    raise SystemExit("the server did not warm up within 600 s")


def run_users(
    port: int, bot_api: FakeTelegramApi, plans: dict[int, list[str]], first_update: int, rate: float = 0.0
) -> tuple[list[float], float]:
    """Every user talks in its own thread; with a `rate`, the users together send that many messages a second
    on fixed schedules, otherwise each sends again at once. Returns the latencies (s) and the wall time,
    from the first message sent to the last reply received."""
    url = f"http://127.0.0.1:{port}/webhooks/telegram"
    latencies: list[float] = []
    lock = threading.Lock()
    update_ids = iter(range(first_update, first_update + 10**7))
    id_lock = threading.Lock()

    interval = len(plans) / rate if rate > 0 else 0.0
    last_reply = [0.0]

    def user(client: httpx.Client, chat_id: int, said: list[str], first_send: float) -> None:
        with client:
            for count, text in enumerate(said, start=1):
                if interval:
                    time.sleep(max(0.0, first_send + (count - 1) * interval - time.monotonic()))
                with id_lock:
                    update_id = next(update_ids)
                started = time.monotonic()
                response = client.post(
                    url, json=text_update(update_id, chat_id, text), headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
                )
                response.raise_for_status()
                try:
                    reply = bot_api.wait_for_messages(chat_id, count, timeout=30)[count - 1]
                except AssertionError:
                    return  # counted as lost below
                with lock:
                    latencies.append(reply["received_at"] - started)
                    last_reply[0] = max(last_reply[0], reply["received_at"])

    # Each client is made before the clock starts: making one costs 30 ms of CPU (its TLS context), which
    # for 100 users at once took the server's cores during the first seconds of the measurement.
    clients = [httpx.Client(timeout=30) for _ in plans]
    started = time.monotonic() + 0.2  # every thread is running before the first message
    threads = [
        threading.Thread(target=user, args=(client, chat_id, said, started + index * interval / len(plans)))
        for index, (client, (chat_id, said)) in enumerate(zip(clients, plans.items(), strict=True))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, last_reply[0] - started


def cpu_seconds(root: int) -> float:
    """User + system CPU time of a process and all its descendants, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(stat.parent.name)
        parents[pid], times[pid] = int(fields[1]), (int(fields[11]) + int(fields[12])) / ticks
    family, grew = {root}, True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in family and pid not in family:
                family.add(pid)
                grew = True
    return sum(times.get(pid, 0.0) for pid in family)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def measure(
    backend: str, users: int, messages: int, questions: list[str], port: int, workers: int, rate: float
) -> dict:
    postgres = PostgresServer.start() if backend == "postgresql" else None
    folder = Path(tempfile.mkdtemp(prefix="donghanh-load-"))
    database_url = postgres.create_database("load") if postgres else f"sqlite:///{folder / 'load.db'}"
    rng = random.Random(7)
    try:
        with FakeTelegramApi(TOKEN) as bot_api:
            server = start_server(database_url, bot_api, port, workers)
            try:
                warm = {10**6 + i: ["xin chào", rng.choice(questions)] for i in range(4)}
                run_users(port, bot_api, warm, first_update=1)
                plans = {10**7 + i: conversation(rng, questions, messages) for i in range(users)}
                server_cpu, bench_cpu = cpu_seconds(server.pid), time.process_time()
                latencies, wall = run_users(port, bot_api, plans, first_update=10**5, rate=rate)
                server_cpu, bench_cpu = cpu_seconds(server.pid) - server_cpu, time.process_time() - bench_cpu
                time.sleep(2.0)  # late duplicates would arrive now
                replies = {chat_id: len(bot_api.sent_messages(chat_id)) for chat_id in plans}
            finally:
                server.terminate()
                server.wait(timeout=30)
    finally:
        if postgres:
            postgres.stop()
    sent = users * messages
    received = sum(replies.values())
    return {
        "backend": backend,
        "workers": workers,
        "users": users,
        "offered_per_s": rate or None,
        "messages": sent,
        "wall_s": round(wall, 2),
        "messages_per_s": round(len(latencies) / wall, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p95_ms": round(percentile(latencies, 0.95) * 1000, 1),
        "max_ms": round(max(latencies) * 1000, 1),
        "lost": sum(max(0, messages - n) for n in replies.values()),
        "duplicated": sum(max(0, n - messages) for n in replies.values()),
        "received": received,
        "server_cpu_ms_per_message": round(server_cpu / max(len(latencies), 1) * 1000, 1),
        "load_generator_cpu_ms_per_message": round(bench_cpu / max(len(latencies), 1) * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--messages", type=int, default=20, help="messages per user")
    parser.add_argument(
        "--rate",
        type=float,
        default=50.0,
        help="messages per second the users send together (0: each user again at once)",
    )
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="server processes (default: one per core)"
    )
    args = parser.parse_args()
    # One question per message: a message asking two things gets two replies, which the count of exactly one
    # reply per message would take for a duplicate
    asked = [p for entry in load_faq() for p in (entry.question, *entry.paraphrases)]
    questions = [question for question in asked if len(split_questions(question)) == 1]
    results = [
        measure(backend, args.users, args.messages, questions, args.port, args.workers, args.rate)
        for backend in args.backends.split(",")
    ]
    print(
        f"{'backend':<11} {'users':>5} {'offered':>7} {'msgs':>6} {'msg/s':>7} "
        f"{'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'lost':>5} {'dup':>4}"
    )
    for r in results:
        print(
            f"{r['backend']:<11} {r['users']:>5} {r['offered_per_s'] or '-':>7} {r['messages']:>6} "
            f"{r['messages_per_s']:>7} {r['p50_ms']:>8} {r['p95_ms']:>8} {r['max_ms']:>8} "
            f"{r['lost']:>5} {r['duplicated']:>4}"
        )
    print(json.dumps({"bench": "load", "cores": os.cpu_count(), "results": results}, ensure_ascii=False))


if __name__ == "__main__":
    main()
