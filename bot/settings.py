"""Configuration: one frozen object read from the environment and ``./.env``.

This is the only module of the bot that reads the environment; everything else (the model
loader included) receives values from :class:`Settings`. Validation happens up front so that a
misconfigured deployment fails at start with one message that lists every problem and where to
fix it, instead of failing on the first Slack request. Secret values are never echoed back, only
the variable names.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

DEFAULT_API_URL = "https://slack.com/api/"
DEFAULT_PORT = 3000
DEFAULT_CONFIDENCE_THRESHOLD = 0.6
DEFAULT_DATABASE_PATH = "sentiment-bot.sqlite3"
DEFAULT_COMMAND = "/sentiment"
MAX_WEB_CONCURRENCY = 32
#: HTTP hardening (issue 11): body cap, idle-connection timeout, reply deadline.
DEFAULT_MAX_BODY_BYTES = 1_000_000
DEFAULT_IDLE_TIMEOUT_SECONDS = 15
DEFAULT_REPLY_DEADLINE_SECONDS = 30.0
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
RESPONSE_TYPES = ("ephemeral", "in_channel")
MODEL_RUNTIMES = ("lite", "tensorflow")

#: Modes a user can ask for; "auto" means HTTP if any Slack credential is set, else console.
#: "migrate" creates or upgrades the database schema and exits.
MODES = ("auto", "http", "socket", "console", "migrate")

#: Authorization modes: one workspace with a bot token, or many installed through OAuth.
AUTH_SINGLE = "single-workspace"
AUTH_OAUTH = "oauth"

_APP_PAGE = "https://api.slack.com/apps → your app"

#: Where each variable's value comes from, shown when it is missing or malformed.
WHERE = {
    "SLACK_BOT_TOKEN": f"{_APP_PAGE} → OAuth & Permissions → Bot User OAuth Token (xoxb-…)",
    "SLACK_SIGNING_SECRET": f"{_APP_PAGE} → Basic Information → App Credentials → Signing Secret",
    "SLACK_APP_TOKEN": (
        f"{_APP_PAGE} → Basic Information → App-Level Tokens → generate one with the "
        "connections:write scope (xapp-…)"
    ),
    "SLACK_CLIENT_ID": f"{_APP_PAGE} → Basic Information → App Credentials → Client ID",
    "SLACK_CLIENT_SECRET": f"{_APP_PAGE} → Basic Information → App Credentials → Client Secret",
    "SLACK_SCOPES": (
        "the bot scopes of manifest.yml, comma-separated "
        "(e.g. commands,app_mentions:read,chat:write,im:history,channels:history,groups:history)"
    ),
    "SLACK_REDIRECT_URI": (
        "https://<your app>/slack/oauth_redirect, also listed under OAuth & Permissions → "
        "Redirect URLs (optional: Slack uses the app's only redirect URL when unset)"
    ),
    "SLACK_COMMAND": f"the slash command's name, default {DEFAULT_COMMAND}",
    "DATABASE_URL": (
        "a SQLAlchemy URL: sqlite:///path/to/file.db, or postgres://user:pass@host:5432/db "
        "(Heroku's form is accepted)"
    ),
    "DATABASE_PATH": f"the SQLite file used when DATABASE_URL is unset, default "
    f"{DEFAULT_DATABASE_PATH}",
    "MODEL_DIR": "a trained model directory (default: the model package's default model)",
    "MODEL_RUNTIME": "lite or tensorflow (default: automatic)",
    "WEB_CONCURRENCY": f"the number of HTTP processes, 1-{MAX_WEB_CONCURRENCY}, default 1",
    "PORT": "a TCP port number, 1-65535 (Heroku sets it for you)",
    "LOG_LEVEL": "one of " + ", ".join(LOG_LEVELS),
    "SLACK_API_URL": f"an http(s) URL ending in /api/, default {DEFAULT_API_URL}",
    "SENTIMENT_RESPONSE_TYPE": "ephemeral (only the caller sees it) or in_channel",
    "SENTIMENT_CONFIDENCE_THRESHOLD": "a number between 0.5 and 1, default 0.6",
    "HOST": "an interface address to bind, default 0.0.0.0",
    "HTTP_MAX_BODY_BYTES": (
        f"the largest request body accepted, 10000-50000000 bytes, default {DEFAULT_MAX_BODY_BYTES}"
    ),
    "HTTP_IDLE_TIMEOUT_SECONDS": (
        "seconds before an idle connection is closed, 1-300, default "
        f"{DEFAULT_IDLE_TIMEOUT_SECONDS}"
    ),
    "SLACK_REPLY_DEADLINE_SECONDS": (
        "seconds from a request to its reply's last delivery attempt, 5-1800, default "
        f"{DEFAULT_REPLY_DEADLINE_SECONDS:.0f}"
    ),
}

SLACK_CREDENTIALS = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
)
#: Variables holding secrets: never printed, and left empty in .env.example.
SECRET_VARIABLES = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_CLIENT_SECRET",
)

_COMMAND_NAME = re.compile(r"^/[a-z0-9_\-]{1,31}$")


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
    client_id: str | None = None
    client_secret: str | None = None
    scopes: tuple[str, ...] = ()
    redirect_uri: str | None = None
    #: None: the model package's default (artifacts/model, or a model bundled with the package).
    model_dir: str | None = None
    model_runtime: str | None = None
    database_url: str = f"sqlite:///{DEFAULT_DATABASE_PATH}"
    command: str = DEFAULT_COMMAND
    host: str = "0.0.0.0"
    port: int = DEFAULT_PORT
    web_concurrency: int = 1
    log_level: str = "INFO"
    api_url: str = DEFAULT_API_URL
    response_type: str = "ephemeral"
    confidence_threshold: float = DEFAULT_CONFIDENCE_THRESHOLD
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    idle_timeout_seconds: int = DEFAULT_IDLE_TIMEOUT_SECONDS
    reply_deadline_seconds: float = DEFAULT_REPLY_DEADLINE_SECONDS
    #: Variables that were set explicitly (so the console can tell a default from a choice).
    explicit: frozenset[str] = field(default_factory=frozenset)

    @property
    def auth_mode(self) -> str | None:
        """``oauth`` with client credentials, ``single-workspace`` with a bot token, else None."""
        if self.client_id and self.client_secret:
            return AUTH_OAUTH
        if self.bot_token:
            return AUTH_SINGLE
        return None

    def __repr__(self) -> str:
        # Never let a secret reach a log line or a traceback through repr().
        def hidden(value: str | None) -> str:
            return "None" if value is None else "'***'"

        return (
            f"Settings(mode={self.mode!r}, auth_mode={self.auth_mode!r}, "
            f"bot_token={hidden(self.bot_token)}, signing_secret={hidden(self.signing_secret)}, "
            f"app_token={hidden(self.app_token)}, client_id={self.client_id!r}, "
            f"client_secret={hidden(self.client_secret)}, scopes={self.scopes!r}, "
            f"redirect_uri={self.redirect_uri!r}, model_dir={self.model_dir!r}, "
            f"model_runtime={self.model_runtime!r}, database={redact_url(self.database_url)!r}, "
            f"command={self.command!r}, host={self.host!r}, port={self.port}, "
            f"web_concurrency={self.web_concurrency}, log_level={self.log_level!r}, "
            f"api_url={self.api_url!r}, response_type={self.response_type!r}, "
            f"confidence_threshold={self.confidence_threshold})"
        )

    @property
    def secrets(self) -> tuple[str, ...]:
        """The secret values, for log redaction (the database password included)."""
        values = (
            self.bot_token,
            self.signing_secret,
            self.app_token,
            self.client_secret,
            urlparse(self.database_url).password,
        )
        return tuple(s for s in values if s)


def redact_url(url: str) -> str:
    """``url`` with its password masked, for logs and messages."""
    parsed = urlparse(url)
    if not parsed.password:
        return url
    return url.replace(f":{parsed.password}@", ":***@", 1)


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


def database_url(env: Mapping[str, str]) -> str:
    """The SQLAlchemy URL: DATABASE_URL, or the SQLite file at DATABASE_PATH.

    Heroku hands out ``postgres://`` URLs, a scheme SQLAlchemy dropped; both it and
    ``postgresql://`` are mapped to the psycopg 3 driver explicitly.
    """
    url = _get(env, "DATABASE_URL")
    if url is None:
        path = _get(env, "DATABASE_PATH") or DEFAULT_DATABASE_PATH
        return f"sqlite:///{path}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


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
    client_id = _get(env, "SLACK_CLIENT_ID")
    client_secret = _get(env, "SLACK_CLIENT_SECRET")
    scopes = tuple(s for s in re.split(r"[\s,]+", _get(env, "SLACK_SCOPES") or "") if s)
    redirect_uri = _get(env, "SLACK_REDIRECT_URI")
    oauth = bool(client_id or client_secret)

    if mode == "http":
        if oauth and bot_token:
            problems.append(
                "both SLACK_BOT_TOKEN and SLACK_CLIENT_ID/SLACK_CLIENT_SECRET are set: choose one "
                "auth mode — unset SLACK_BOT_TOKEN for multi-workspace installs through OAuth, "
                "or unset the client credentials to serve the one workspace of the bot token"
            )
        elif not oauth and not bot_token:
            problems.append(
                "no auth mode is configured: set SLACK_BOT_TOKEN for one workspace (get it from "
                f"{WHERE['SLACK_BOT_TOKEN']}), or SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and "
                "SLACK_SCOPES to let workspaces install the app through OAuth"
            )
        if oauth and not bot_token:
            for name, value in (
                ("SLACK_CLIENT_ID", client_id),
                ("SLACK_CLIENT_SECRET", client_secret),
            ):
                if not value:
                    missing(name)
            if not scopes:
                missing("SLACK_SCOPES")
        if not signing_secret:
            missing("SLACK_SIGNING_SECRET")
        if app_token and not signing_secret:
            problems.append(
                "SLACK_APP_TOKEN is set: to use Socket Mode instead of HTTP, "
                "run `python -m bot socket`"
            )
    if mode == "socket":
        if oauth:
            problems.append(
                "SLACK_CLIENT_ID/SLACK_CLIENT_SECRET are set, but Socket Mode serves one "
                "workspace (SLACK_BOT_TOKEN); run `python -m bot http` for OAuth installs"
            )
        for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"):
            if not _get(env, name):
                missing(name)
    if mode in ("http", "socket"):
        if bot_token and not bot_token.startswith("xoxb-"):
            malformed("SLACK_BOT_TOKEN", "it does not start with xoxb-")
        if mode == "socket" and app_token and not app_token.startswith("xapp-"):
            malformed("SLACK_APP_TOKEN", "it does not start with xapp-")
        if signing_secret and any(c.isspace() for c in signing_secret):
            malformed("SLACK_SIGNING_SECRET", "it contains whitespace")
        if redirect_uri and urlparse(redirect_uri).scheme not in ("http", "https"):
            malformed("SLACK_REDIRECT_URI", "it is not an http(s) URL")

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
    web_concurrency = bounded(
        "WEB_CONCURRENCY", int, 1, MAX_WEB_CONCURRENCY, 1, "is not a process count"
    )

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

    max_body_bytes = bounded(
        "HTTP_MAX_BODY_BYTES", int, 10_000, 50_000_000, DEFAULT_MAX_BODY_BYTES, "is out of range"
    )
    idle_timeout = bounded(
        "HTTP_IDLE_TIMEOUT_SECONDS", int, 1, 300, DEFAULT_IDLE_TIMEOUT_SECONDS, "is out of range"
    )
    reply_deadline = bounded(
        "SLACK_REPLY_DEADLINE_SECONDS",
        float,
        5,
        1800,
        DEFAULT_REPLY_DEADLINE_SECONDS,
        "is out of range",
    )

    model_runtime = (_get(env, "MODEL_RUNTIME") or "").lower() or None
    if model_runtime is not None and model_runtime not in MODEL_RUNTIMES:
        malformed("MODEL_RUNTIME", f"{model_runtime!r} is not a runtime")

    command = _get(env, "SLACK_COMMAND") or DEFAULT_COMMAND
    if not _COMMAND_NAME.match(command):
        malformed("SLACK_COMMAND", f"{command!r} is not a slash command name like /sentiment")

    db_url = database_url(env)
    scheme = urlparse(db_url).scheme
    if not (scheme.startswith("sqlite") or scheme.startswith("postgresql")):
        malformed("DATABASE_URL", f"{scheme or 'no'} scheme; use sqlite or postgres(ql)")

    if problems:
        raise SettingsError(problems, mode)
    return Settings(
        mode=mode,
        bot_token=bot_token,
        signing_secret=signing_secret,
        app_token=app_token,
        client_id=client_id,
        client_secret=client_secret,
        scopes=scopes,
        redirect_uri=redirect_uri,
        model_dir=_get(env, "MODEL_DIR"),
        model_runtime=model_runtime,
        database_url=db_url,
        command=command,
        host=_get(env, "HOST") or "0.0.0.0",
        port=port,
        web_concurrency=web_concurrency,
        log_level=log_level,
        api_url=api_url,
        response_type=response_type,
        confidence_threshold=threshold,
        max_body_bytes=max_body_bytes,
        idle_timeout_seconds=idle_timeout,
        reply_deadline_seconds=reply_deadline,
        explicit=frozenset(name for name in WHERE if _get(env, name)),
    )


def log_level_number(settings: Settings) -> int:
    """The ``logging`` level for ``settings.log_level``."""
    return getattr(logging, settings.log_level, logging.INFO)
