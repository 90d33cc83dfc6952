"""Settings validation, log redaction and the retry cache."""

from __future__ import annotations

import logging

import pytest
from bot_helpers import fake_token

from bot.dedupe import SeenEvents, event_key
from bot.logs import RedactingFilter, redact
from bot.settings import SettingsError, load_settings, read_environment

GOOD_HTTP = {
    "SLACK_BOT_TOKEN": fake_token("xoxb", "1-2-abc"),
    "SLACK_SIGNING_SECRET": "s3cr3t-value",
}


def test_no_credentials_means_console():
    settings = load_settings("auto", {})
    assert settings.mode == "console"
    assert settings.port == 3000 and settings.api_url == "https://slack.com/api/"


def test_http_settings_with_defaults_and_overrides():
    env = {
        **GOOD_HTTP,
        "PORT": "8080",
        "LOG_LEVEL": "debug",
        "SLACK_API_URL": "https://slack-gov.com/api",
        "MODEL_DIR": "/models/v3",
        "SENTIMENT_RESPONSE_TYPE": "in_channel",
        "SENTIMENT_CONFIDENCE_THRESHOLD": "0.7",
    }
    settings = load_settings("auto", env)
    assert settings.mode == "http"
    assert settings.port == 8080 and settings.log_level == "DEBUG"
    assert settings.api_url == "https://slack-gov.com/api/"
    assert settings.model_dir == "/models/v3"
    assert settings.response_type == "in_channel" and settings.confidence_threshold == 0.7


def test_missing_http_credentials_are_all_listed_with_where_to_get_them():
    with pytest.raises(SettingsError) as caught:
        load_settings("http", {})
    message = str(caught.value)
    assert "SLACK_BOT_TOKEN" in message and "OAuth & Permissions" in message
    assert "SLACK_SIGNING_SECRET" in message and "Signing Secret" in message
    assert "SLACK_APP_TOKEN" not in message


def test_socket_mode_needs_the_app_token():
    with pytest.raises(SettingsError) as caught:
        load_settings("socket", {"SLACK_BOT_TOKEN": fake_token("xoxb", "1")})
    assert "SLACK_APP_TOKEN" in str(caught.value) and "connections:write" in str(caught.value)
    settings = load_settings(
        "socket",
        {"SLACK_BOT_TOKEN": fake_token("xoxb", "1"), "SLACK_APP_TOKEN": fake_token("xapp", "1")},
    )
    assert settings.mode == "socket"


def test_malformed_values_are_reported_without_secret_values():
    env = {
        "SLACK_BOT_TOKEN": fake_token("xoxp", "user-token-hushhush"),
        "SLACK_SIGNING_SECRET": "sec ret",
        "PORT": "99999",
        "LOG_LEVEL": "loud",
        "SLACK_API_URL": "ftp://x",
        "SENTIMENT_RESPONSE_TYPE": "shout",
        "SENTIMENT_CONFIDENCE_THRESHOLD": "2",
    }
    with pytest.raises(SettingsError) as caught:
        load_settings("http", env)
    message = str(caught.value)
    for name in (
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "PORT",
        "LOG_LEVEL",
        "SLACK_API_URL",
        "SENTIMENT_RESPONSE_TYPE",
        "SENTIMENT_CONFIDENCE_THRESHOLD",
    ):
        assert name in message
    assert "hushhush" not in message and "sec ret" not in message
    assert len(caught.value.problems) == 7


def test_app_token_only_hints_at_socket_mode():
    with pytest.raises(SettingsError) as caught:
        load_settings("auto", {"SLACK_APP_TOKEN": fake_token("xapp", "1")})
    assert "python -m bot socket" in str(caught.value)


def test_repr_hides_secrets():
    settings = load_settings("http", GOOD_HTTP)
    assert fake_token("xoxb", "1-2-abc") not in repr(settings) and "s3cr3t" not in repr(settings)


def test_dotenv_is_read_but_environment_wins(tmp_path):
    dotenv = tmp_path / ".env"
    dotenv.write_text("PORT=4000\nLOG_LEVEL=ERROR\n# comment\nMODEL_DIR=/from/dotenv\n")
    env = read_environment({"PORT": "5000"}, dotenv_path=dotenv)
    assert env["PORT"] == "5000" and env["LOG_LEVEL"] == "ERROR"
    assert env["MODEL_DIR"] == "/from/dotenv"
    assert read_environment({}, dotenv_path=tmp_path / "missing") == {}


def test_redaction_of_tokens_and_secrets():
    text = (
        f"Authorization: Bearer {fake_token('xoxb', '123-456-abcDEF')} and "
        f"{fake_token('xapp', '1-A1-xyz')}, secret mysecretvalue"
    )
    cleaned = redact(text, ["mysecretvalue"])
    assert "abcDEF" not in cleaned and "xyz" not in cleaned and "mysecretvalue" not in cleaned
    assert fake_token("xoxb", "***") in cleaned


def test_redacting_filter_rewrites_records():
    record = logging.LogRecord(
        "x",
        logging.DEBUG,
        __file__,
        1,
        "headers: %s",
        ({"Authorization": fake_token("xoxb", "9-9-z")},),
        None,
    )
    RedactingFilter(["s3cr3t"]).filter(record)
    assert fake_token("xoxb", "9-9-z") not in record.getMessage()


def test_seen_events_ttl_and_bound():
    now = [0.0]
    seen = SeenEvents(ttl=10, max_entries=3, clock=lambda: now[0])
    assert seen.first_time("a") and not seen.first_time("a")
    now[0] = 11
    assert seen.first_time("a")  # expired, so new again
    for key in "bcd":
        assert seen.first_time(key)
    assert len(seen) <= 3


def test_event_key():
    assert event_key({"type": "event_callback", "event_id": "Ev1"}) == "Ev1"
    assert event_key({"type": "event_callback", "event": {"channel": "C", "ts": "1"}})
    assert event_key({"command": "/sentiment"}) is None
