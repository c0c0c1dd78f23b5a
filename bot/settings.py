"""The one settings object, read from the environment (and an optional `.env` file).

Every name is documented in docs/interfaces.md.
Unknown names under the project's prefixes and invalid values stop start-up with a clear message.
"""

from __future__ import annotations

import os
import re
from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[1]

# Environment names that start with one of these prefixes must be known settings: a typo such as
# TELEGRAM_WEBHOOK_SECRETS would otherwise be silently ignored.
OWNED_PREFIXES = ("DONGHANH_", "TELEGRAM_", "ZALO_")

_TELEGRAM_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_PLACEHOLDERS = {"changeme", "change-me", "secret", "placeholder", "xxx"}


class Environment(StrEnum):
    development = "development"
    production = "production"
    test = "test"


class SettingsError(RuntimeError):
    """Raised when the configuration cannot be used; the message is meant for the operator."""


class Settings(BaseSettings):
    """Every setting of the service. Build it with `load_settings()`."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="forbid",
        case_sensitive=True,
        validate_default=True,
    )

    DONGHANH_ENV: Environment = Environment.development
    DONGHANH_SECRET_KEY: str | None = Field(
        default=None, description="Signs session cookies; generated into var/ in development."
    )
    DONGHANH_VAR_DIR: Path = REPO_ROOT / "var"
    DONGHANH_LOG_LEVEL: str = "INFO"
    DONGHANH_LOG_FORMAT: Literal["text", "json"] = "text"
    DONGHANH_MAX_BODY_BYTES: int = Field(default=1_048_576, ge=65_536)  # a request body over it gets a 413

    DATABASE_URL: str | None = Field(default=None, description="Default: SQLite file var/donghanh.db.")
    EMBEDDING_MODEL: Path = REPO_ROOT / "models" / "multilingual-e5-small"

    TELEGRAM_BOT_TOKEN: str | None = None
    TELEGRAM_API_BASE_URL: str = "https://api.telegram.org/bot"
    TELEGRAM_WEBHOOK_URL: str | None = None
    TELEGRAM_WEBHOOK_SECRET: str | None = None

    ZALO_APP_ID: str | None = None
    ZALO_APP_SECRET: str | None = None
    ZALO_OA_SECRET_KEY: str | None = None
    ZALO_ACCESS_TOKEN: str | None = None
    ZALO_REFRESH_TOKEN: str | None = None
    ZALO_API_BASE_URL: str = "https://openapi.zalo.me"
    ZALO_OAUTH_BASE_URL: str = "https://oauth.zaloapp.com"
    ZALO_MESSAGE_WINDOW_HOURS: int = Field(default=48, ge=1, le=24 * 7)

    @field_validator("DONGHANH_LOG_LEVEL")
    @classmethod
    def _known_log_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level

    @field_validator("DATABASE_URL")
    @classmethod
    def _supported_database(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not value.startswith(("sqlite://", "postgresql+psycopg://")):
            raise ValueError("must start with sqlite:// or postgresql+psycopg://")
        return value

    @field_validator("TELEGRAM_API_BASE_URL", "ZALO_API_BASE_URL", "ZALO_OAUTH_BASE_URL", "TELEGRAM_WEBHOOK_URL")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not re.match(r"^https?://[^\s/]+", value):
            raise ValueError("must be an http:// or https:// URL")
        return value

    @field_validator("TELEGRAM_WEBHOOK_SECRET")
    @classmethod
    def _telegram_secret(cls, value: str | None) -> str | None:
        if value is not None and not _TELEGRAM_SECRET.match(value):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @model_validator(mode="after")
    def _coherent(self) -> Settings:
        if self.TELEGRAM_WEBHOOK_URL and not self.TELEGRAM_WEBHOOK_SECRET:
            raise ValueError("TELEGRAM_WEBHOOK_URL needs TELEGRAM_WEBHOOK_SECRET")
        if self.TELEGRAM_WEBHOOK_URL and not self.TELEGRAM_BOT_TOKEN:
            raise ValueError("TELEGRAM_WEBHOOK_URL needs TELEGRAM_BOT_TOKEN")
        if self.DONGHANH_ENV is Environment.production:
            key = self.DONGHANH_SECRET_KEY or ""
            if len(key) < 32 or key.lower() in _PLACEHOLDERS:
                raise ValueError("DONGHANH_SECRET_KEY must be set to a random value of 32+ characters in production")
        return self

    @property
    def database_url(self) -> str:
        """The database URL in force: DATABASE_URL or the SQLite file under the var directory."""
        return self.DATABASE_URL or f"sqlite:///{self.DONGHANH_VAR_DIR / 'donghanh.db'}"

    @property
    def telegram_enabled(self) -> bool:
        return bool(self.TELEGRAM_BOT_TOKEN)

    @property
    def zalo_enabled(self) -> bool:
        return bool(self.ZALO_OA_SECRET_KEY and self.ZALO_ACCESS_TOKEN)


def unknown_environment_names(environ: dict[str, str] | os._Environ[str]) -> list[str]:
    """Names under the project's prefixes that no setting reads."""
    known = set(Settings.model_fields)
    return sorted(name for name in environ if name.startswith(OWNED_PREFIXES) and name not in known)


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning every problem into one readable `SettingsError`.

    Args:
        **overrides: values that take precedence over the environment (used by tests and the CLI).
    """
    unknown = unknown_environment_names(os.environ)
    if unknown:
        raise SettingsError(
            "Unknown setting(s): "
            + ", ".join(unknown)
            + ". Known settings: "
            + ", ".join(sorted(Settings.model_fields))
        )
    try:
        return Settings(**overrides)
    except ValidationError as error:
        lines = []
        for problem in error.errors():
            name = ".".join(str(part) for part in problem["loc"]) or "configuration"
            lines.append(f"  {name}: {problem['msg']}")
        raise SettingsError("Invalid configuration:\n" + "\n".join(lines)) from None
