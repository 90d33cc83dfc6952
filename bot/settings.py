"""Configuration: one frozen object read from the environment and ``./.env``.

Validation happens up front so that a misconfigured deployment fails at start with one message
that lists every problem and where to fix it, instead of failing on the first Slack request.
Secret values are never echoed back, only the variable names.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

DEFAULT_API_URL = "https://slack.com/api/"
DEFAULT_PORT = 3000
DEFAULT_CONFIDENCE_THRESHOLD = 0.6
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
RESPONSE_TYPES = ("ephemeral", "in_channel")

#: Modes a user can ask for; "auto" means HTTP if any Slack credential is set, else console.
MODES = ("auto", "http", "socket", "console")

_APP_PAGE = "https://api.slack.com/apps → your app"

#: Where each variable's value comes from, shown when it is missing or malformed.
WHERE = {
    "SLACK_BOT_TOKEN": f"{_APP_PAGE} → OAuth & Permissions → Bot User OAuth Token (xoxb-…)",
    "SLACK_SIGNING_SECRET": f"{_APP_PAGE} → Basic Information → App Credentials → Signing Secret",
    "SLACK_APP_TOKEN": (
        f"{_APP_PAGE} → Basic Information → App-Level Tokens → generate one with the "
        "connections:write scope (xapp-…)"
    ),
    "PORT": "a TCP port number, 1-65535 (Heroku sets it for you)",
    "LOG_LEVEL": "one of " + ", ".join(LOG_LEVELS),
    "SLACK_API_URL": f"an http(s) URL ending in /api/, default {DEFAULT_API_URL}",
    "SENTIMENT_RESPONSE_TYPE": "ephemeral (only the caller sees it) or in_channel",
    "SENTIMENT_CONFIDENCE_THRESHOLD": "a number between 0.5 and 1, default 0.6",
    "HOST": "an interface address to bind, default 0.0.0.0",
}

SLACK_CREDENTIALS = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN")


class SettingsError(Exception):
    """Configuration is missing or malformed; ``str()`` is the full user-facing message."""

    def __init__(self, problems: list[str], mode: str):
        self.problems = problems
        self.mode = mode
        lines = [f"the Slack app cannot start in {mode} mode:"]
        lines += [f"  - {p}" for p in problems]
        lines.append(
            "Set them in the environment or in a .env file in the working directory "
            "(see .env.example and README.md)."
        )
        super().__init__("\n".join(lines))


@dataclass(frozen=True, repr=False)
class Settings:
    """Everything the bot reads from its environment, validated."""

    mode: str
    bot_token: str | None = None
    signing_secret: str | None = None
    app_token: str | None = None
    model_dir: str | None = None
    host: str = "0.0.0.0"
    port: int = DEFAULT_PORT
    log_level: str = "INFO"
    api_url: str = DEFAULT_API_URL
    response_type: str = "ephemeral"
    confidence_threshold: float = DEFAULT_CONFIDENCE_THRESHOLD

    def __repr__(self) -> str:
        # Never let a secret reach a log line or a traceback through repr().
        def hidden(value: str | None) -> str:
            return "None" if value is None else "'***'"

        return (
            f"Settings(mode={self.mode!r}, bot_token={hidden(self.bot_token)}, "
            f"signing_secret={hidden(self.signing_secret)}, app_token={hidden(self.app_token)}, "
            f"model_dir={self.model_dir!r}, host={self.host!r}, port={self.port}, "
            f"log_level={self.log_level!r}, api_url={self.api_url!r}, "
            f"response_type={self.response_type!r}, "
            f"confidence_threshold={self.confidence_threshold})"
        )

    @property
    def secrets(self) -> tuple[str, ...]:
        """The secret values, for log redaction."""
        return tuple(s for s in (self.bot_token, self.signing_secret, self.app_token) if s)


def read_environment(
    environ: Mapping[str, str] | None = None, dotenv_path: Path | None = None
) -> dict[str, str]:
    """Merge ``.env`` (working directory) under the process environment; env wins.

    Only ``./.env`` is read, not parent directories, so what is loaded is predictable.
    """
    env = dict(os.environ if environ is None else environ)
    path = Path.cwd() / ".env" if dotenv_path is None else dotenv_path
    if path.is_file():
        from dotenv import dotenv_values

        for key, value in dotenv_values(path).items():
            if value is not None and key not in env:
                env[key] = value
    return env


def _get(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "")
    value = value.strip() if isinstance(value, str) else ""
    return value or None


def has_slack_credentials(env: Mapping[str, str]) -> bool:
    """True if any Slack credential is set; with none, ``python -m bot`` starts the console."""
    return any(_get(env, name) for name in SLACK_CREDENTIALS)


def resolve_mode(mode: str, env: Mapping[str, str]) -> str:
    """Turn "auto" into "http" or "console" depending on whether credentials exist."""
    if mode != "auto":
        return mode
    return "http" if has_slack_credentials(env) else "console"


def load_settings(mode: str = "auto", env: Mapping[str, str] | None = None) -> Settings:
    """Validate the environment for ``mode``; raise SettingsError listing every problem."""
    env = read_environment() if env is None else env
    mode = resolve_mode(mode, env)
    if mode not in MODES[1:]:
        raise ValueError(f"unknown mode {mode!r}")
    problems: list[str] = []

    def missing(name: str) -> None:
        problems.append(f"{name} is not set — get it from {WHERE[name]}")

    def malformed(name: str, why: str) -> None:
        problems.append(f"{name} is malformed ({why}) — expected {WHERE[name]}")

    bot_token = _get(env, "SLACK_BOT_TOKEN")
    signing_secret = _get(env, "SLACK_SIGNING_SECRET")
    app_token = _get(env, "SLACK_APP_TOKEN")

    needed = {
        "http": ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"),
        "socket": ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"),
    }
    for name in needed.get(mode, ()):
        if not _get(env, name):
            missing(name)
    if mode == "http" and app_token and not signing_secret:
        problems.append(
            "SLACK_APP_TOKEN is set: to use Socket Mode instead of HTTP, run `python -m bot socket`"
        )
    if mode != "console":
        if bot_token and not bot_token.startswith("xoxb-"):
            malformed("SLACK_BOT_TOKEN", "it does not start with xoxb-")
        if mode == "socket" and app_token and not app_token.startswith("xapp-"):
            malformed("SLACK_APP_TOKEN", "it does not start with xapp-")
        if signing_secret and any(c.isspace() for c in signing_secret):
            malformed("SLACK_SIGNING_SECRET", "it contains whitespace")

    def bounded(
        name: str, parse: Callable[[str], Any], low: float, high: float, default: Any, why: str
    ) -> Any:
        raw = _get(env, name)
        if raw is None:
            return default
        try:
            value = parse(raw)
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            malformed(name, f"{raw!r} {why}")
            return default
        return value

    port = bounded("PORT", int, 1, 65535, DEFAULT_PORT, "is not a port number")

    log_level = (_get(env, "LOG_LEVEL") or "INFO").upper()
    if log_level == "WARN":
        log_level = "WARNING"
    if log_level not in LOG_LEVELS:
        malformed("LOG_LEVEL", f"{_get(env, 'LOG_LEVEL')!r} is not a log level")

    api_url = _get(env, "SLACK_API_URL") or DEFAULT_API_URL
    parsed = urlparse(api_url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        malformed("SLACK_API_URL", f"{api_url!r} is not an http(s) URL")
    if not api_url.endswith("/"):
        api_url += "/"

    response_type = (_get(env, "SENTIMENT_RESPONSE_TYPE") or "ephemeral").lower()
    if response_type not in RESPONSE_TYPES:
        malformed("SENTIMENT_RESPONSE_TYPE", f"{response_type!r} is not a response type")

    threshold = bounded(
        "SENTIMENT_CONFIDENCE_THRESHOLD",
        float,
        0.5,
        1.0,
        DEFAULT_CONFIDENCE_THRESHOLD,
        "is out of range",
    )

    if problems:
        raise SettingsError(problems, mode)
    return Settings(
        mode=mode,
        bot_token=bot_token,
        signing_secret=signing_secret,
        app_token=app_token,
        model_dir=_get(env, "MODEL_DIR"),
        host=_get(env, "HOST") or "0.0.0.0",
        port=port,
        log_level=log_level,
        api_url=api_url,
        response_type=response_type,
        confidence_threshold=threshold,
    )


def log_level_number(settings: Settings) -> int:
    """The ``logging`` level for ``settings.log_level``."""
    return getattr(logging, settings.log_level, logging.INFO)
