"""bot.settings: the environment read, validated and reported in one message; secrets hidden."""

from __future__ import annotations

import pytest

from bot.settings import SettingsError, load_settings, read_environment
from tests.harness import fake_token

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


# -- auth modes, database, model, command ----------------------------------------------------

OAUTH = {
    "SLACK_CLIENT_ID": "1111.2222",
    "SLACK_CLIENT_SECRET": "client-secret-hush",
    "SLACK_SCOPES": "commands, chat:write,app_mentions:read",
    "SLACK_SIGNING_SECRET": "s3cr3t-value",
}


def test_bot_token_means_single_workspace_and_client_credentials_mean_oauth():
    assert load_settings("http", GOOD_HTTP).auth_mode == "single-workspace"
    settings = load_settings("auto", OAUTH)
    assert settings.mode == "http" and settings.auth_mode == "oauth"
    assert settings.scopes == ("commands", "chat:write", "app_mentions:read")
    assert settings.bot_token is None and "client-secret-hush" not in repr(settings)
    assert "client-secret-hush" in settings.secrets


def test_both_auth_modes_at_once_is_one_clear_problem():
    with pytest.raises(SettingsError) as caught:
        load_settings("http", {**OAUTH, **GOOD_HTTP})
    assert len(caught.value.problems) == 1
    assert "choose one auth mode" in str(caught.value)


def test_http_with_no_auth_mode_names_both_options():
    with pytest.raises(SettingsError) as caught:
        load_settings("http", {"SLACK_SIGNING_SECRET": "x"})
    [problem] = caught.value.problems
    assert "SLACK_BOT_TOKEN" in problem and "SLACK_CLIENT_ID" in problem


def test_half_configured_oauth_lists_what_is_missing():
    with pytest.raises(SettingsError) as caught:
        load_settings("http", {"SLACK_CLIENT_ID": "1.2", "SLACK_SIGNING_SECRET": "x"})
    message = str(caught.value)
    assert "SLACK_CLIENT_SECRET is not set" in message and "SLACK_SCOPES is not set" in message
    with pytest.raises(SettingsError, match="SLACK_REDIRECT_URI is malformed"):
        load_settings("http", {**OAUTH, "SLACK_REDIRECT_URI": "slack.example/redirect"})


def test_socket_mode_refuses_client_credentials():
    env = {**OAUTH, "SLACK_BOT_TOKEN": fake_token("xoxb", "1"), "SLACK_APP_TOKEN": "xapp-1"}
    with pytest.raises(SettingsError, match="Socket Mode serves one"):
        load_settings("socket", env)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "sqlite:///sentiment-bot.sqlite3"),
        ({"DATABASE_PATH": "/var/bot/db.sqlite3"}, "sqlite:////var/bot/db.sqlite3"),
        ({"DATABASE_URL": "postgres://u:p@h:5432/d"}, "postgresql+psycopg://u:p@h:5432/d"),
        ({"DATABASE_URL": "postgresql://u@h/d"}, "postgresql+psycopg://u@h/d"),
        ({"DATABASE_URL": "sqlite:///x.db", "DATABASE_PATH": "ignored"}, "sqlite:///x.db"),
    ],
)
def test_database_url_forms(env, expected):
    assert load_settings("http", {**GOOD_HTTP, **env}).database_url == expected


def test_database_password_is_masked_and_unknown_schemes_refused():
    settings = load_settings("http", {**GOOD_HTTP, "DATABASE_URL": "postgres://u:pw-hush@h/d"})
    assert "pw-hush" not in repr(settings) and "pw-hush" in settings.secrets
    with pytest.raises(SettingsError, match="DATABASE_URL is malformed"):
        load_settings("http", {**GOOD_HTTP, "DATABASE_URL": "mysql://h/d"})


def test_model_runtime_dir_command_and_concurrency_come_from_settings():
    env = {
        **GOOD_HTTP,
        "MODEL_DIR": "/models/v4",
        "MODEL_RUNTIME": "LITE",
        "SLACK_COMMAND": "/tone",
        "WEB_CONCURRENCY": "3",
    }
    settings = load_settings("http", env)
    assert settings.model_dir == "/models/v4" and settings.model_runtime == "lite"
    assert settings.command == "/tone" and settings.web_concurrency == 3
    defaults = load_settings("http", GOOD_HTTP)
    assert defaults.model_dir is None and defaults.model_runtime is None
    assert defaults.command == "/sentiment" and defaults.web_concurrency == 1
    bad = {
        **GOOD_HTTP,
        "MODEL_RUNTIME": "gpu",
        "SLACK_COMMAND": "sentiment",
        "WEB_CONCURRENCY": "0",
    }
    with pytest.raises(SettingsError) as caught:
        load_settings("http", bad)
    assert len(caught.value.problems) == 3


def test_the_classifier_loader_passes_model_dir_and_runtime(monkeypatch):
    import model
    from bot.__main__ import classifier_loader

    seen = {}
    monkeypatch.setattr(
        model, "load", lambda path=None, runtime=None: seen.update(p=path, r=runtime)
    )
    env = {**GOOD_HTTP, "MODEL_DIR": "/m", "MODEL_RUNTIME": "tensorflow"}
    classifier_loader(load_settings("http", env))()
    assert seen == {"p": "/m", "r": "tensorflow"}


def test_model_runtime_in_dotenv_reaches_the_loader(tmp_path):
    dotenv = tmp_path / ".env"
    dotenv.write_text("MODEL_RUNTIME=lite\n")
    settings = load_settings("console", read_environment({}, dotenv_path=dotenv))
    assert settings.model_runtime == "lite"


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({**GOOD_HTTP, **OAUTH}, "choose one auth mode"),
        ({"SLACK_SIGNING_SECRET": "x"}, "no auth mode is configured"),
    ],
)
def test_mis_set_auth_mode_exits_2_with_one_message(tmp_path, extra, expected):
    import subprocess
    import sys

    from tests.harness import clean_env

    result = subprocess.run(
        [sys.executable, "-m", "bot", "http"],
        env=clean_env(**extra),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.count("error:") == 1 and expected in result.stderr
    assert "client-secret-hush" not in result.stderr and "Traceback" not in result.stderr


def test_str_dumps_and_the_database_password_never_show_secrets():
    env = {**OAUTH, "DATABASE_URL": "postgres://u:pw-hush@h/d"}
    settings = load_settings("http", env)
    shown = [str(settings), repr(settings), str(settings.model_dump()), settings.model_dump_json()]
    for text in shown:
        assert "client-secret-hush" not in text and "s3cr3t" not in text and "pw-hush" not in text
    # The values themselves stay plain strings for Bolt and slack_sdk.
    assert settings.client_secret == "client-secret-hush" and settings.signing_secret.isascii()


def test_every_problem_is_listed_at_once_across_fields_and_modes():
    env = {
        "SLACK_CLIENT_ID": "1.2",
        "PORT": "http",
        "WEB_CONCURRENCY": "99",
        "DATABASE_URL": "mysql://h/d",
        "SLACK_COMMAND": "/Bad Name",
    }
    with pytest.raises(SettingsError) as caught:
        load_settings("http", env)
    named = [problem.split(" ", 1)[0] for problem in caught.value.problems]
    assert named == [
        "SLACK_CLIENT_SECRET",
        "SLACK_SCOPES",
        "SLACK_SIGNING_SECRET",
        "SLACK_COMMAND",
        "DATABASE_URL",
        "PORT",
        "WEB_CONCURRENCY",
    ]


def test_scopes_of_only_separators_count_as_missing():
    with pytest.raises(SettingsError) as caught:
        load_settings("http", {**OAUTH, "SLACK_SCOPES": " , "})
    assert [p.split(" ", 1)[0] for p in caught.value.problems] == ["SLACK_SCOPES"]
