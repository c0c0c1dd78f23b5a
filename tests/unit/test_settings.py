"""Configuration: the documented names, defaults, and start-up refused with a clear message on bad values."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError, load_settings

SPEC_NAMES = {
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_API_BASE_URL",
    "TELEGRAM_WEBHOOK_URL",
    "TELEGRAM_WEBHOOK_SECRET",
    "ZALO_APP_ID",
    "ZALO_APP_SECRET",
    "ZALO_OA_SECRET_KEY",
    "ZALO_ACCESS_TOKEN",
    "ZALO_REFRESH_TOKEN",
    "ZALO_API_BASE_URL",
    "ZALO_OAUTH_BASE_URL",
    "DATABASE_URL",
}


def test_every_spec_name_is_a_setting() -> None:
    assert SPEC_NAMES <= set(Settings.model_fields)


def test_defaults_give_sqlite_under_var_and_polling_telegram() -> None:
    settings = load_settings()
    assert settings.database_url.startswith("sqlite:///")
    assert settings.database_url.endswith("var/donghanh.db")
    assert settings.TELEGRAM_API_BASE_URL == "https://api.telegram.org/bot"
    assert settings.TELEGRAM_WEBHOOK_URL is None
    assert not settings.telegram_enabled


def test_environment_values_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u:p@127.0.0.1:5432/dh")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", "http://127.0.0.1:8081/bot")
    settings = load_settings()
    assert settings.database_url == "postgresql+psycopg://u:p@127.0.0.1:5432/dh"
    assert settings.TELEGRAM_API_BASE_URL == "http://127.0.0.1:8081/bot"
    assert settings.telegram_enabled


def test_dotenv_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("ZALO_APP_ID=42\n", encoding="utf-8")
    assert load_settings().ZALO_APP_ID == "42"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DATABASE_URL", "mysql://x", "DATABASE_URL: Value error, must start with sqlite:// or postgresql+psycopg://"),
        ("TELEGRAM_WEBHOOK_SECRET", "has spaces!", "TELEGRAM_WEBHOOK_SECRET: Value error, must be 1-256 characters"),
        ("ZALO_API_BASE_URL", "openapi.zalo.me", "ZALO_API_BASE_URL: Value error, must be an http:// or https:// URL"),
        ("ZALO_MESSAGE_WINDOW_HOURS", "0", "ZALO_MESSAGE_WINDOW_HOURS: Input should be greater than or equal to 1"),
        ("DONGHANH_ENV", "staging", "DONGHANH_ENV: Input should be 'development', 'production' or 'test'"),
        ("DONGHANH_LOG_LEVEL", "LOUD", "DONGHANH_LOG_LEVEL: Value error, must be one of DEBUG"),
    ],
)
def test_invalid_value_stops_with_a_message_naming_it(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    assert message in str(raised.value)


def test_unknown_name_under_a_project_prefix_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRETS", "abc")
    with pytest.raises(SettingsError, match="Unknown setting\\(s\\): TELEGRAM_WEBHOOK_SECRETS"):
        load_settings()


def test_unknown_name_in_dotenv_is_refused(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("ZALO_SECRET=1\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="ZALO_SECRET: Extra inputs are not permitted"):
        load_settings()


def test_webhook_without_secret_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", "https://bot.example.vn/webhooks/telegram")
    with pytest.raises(SettingsError, match="TELEGRAM_WEBHOOK_URL needs TELEGRAM_WEBHOOK_SECRET"):
        load_settings()


@pytest.mark.parametrize("key", [None, "changeme", "short"])
def test_production_refuses_a_missing_or_placeholder_secret_key(
    monkeypatch: pytest.MonkeyPatch, key: str | None
) -> None:
    monkeypatch.setenv("DONGHANH_ENV", "production")
    if key is not None:
        monkeypatch.setenv("DONGHANH_SECRET_KEY", key)
    with pytest.raises(SettingsError, match="DONGHANH_SECRET_KEY must be set"):
        load_settings()


def test_production_accepts_a_real_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DONGHANH_ENV", "production")
    monkeypatch.setenv("DONGHANH_SECRET_KEY", "k" * 16 + "9f8e7d6c5b4a3210")
    assert load_settings().DONGHANH_ENV.value == "production"
