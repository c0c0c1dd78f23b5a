"""Rasa's own environment and its server, shared by the real-Rasa tests and `bench/rasa.py`."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]


def rasa_executable() -> str:
    """The `rasa` command of Rasa's Python 3.10 environment, created first when missing (`scripts/rasa-env.sh`)."""
    return subprocess.run(
        ["bash", str(REPO / "scripts" / "rasa-env.sh")], check=True, capture_output=True, text=True
    ).stdout.strip()


def rest_only_credentials(project: Path) -> Path:
    """The exported credentials without Telegram, whose channel registers its webhook with api.telegram.org
    when Rasa starts; returns the file for `rasa run --credentials`."""
    credentials = yaml.safe_load((project / "credentials.yml").read_text(encoding="utf-8"))
    path = project / "credentials-rest.yml"
    path.write_text(yaml.safe_dump({"rest": credentials["rest"]}), encoding="utf-8")
    return path


def run_command(rasa: str, project: Path, *, port: int, model: str) -> list[str]:
    """`rasa run` with its HTTP API on 127.0.0.1, the REST channel and the project's endpoints."""
    return [
        rasa,
        "run",
        "--enable-api",
        "-i",
        "127.0.0.1",
        "-p",
        str(port),
        "--credentials",
        str(rest_only_credentials(project)),
        "--endpoints",
        "endpoints.yml",
        "-m",
        model,
    ]
