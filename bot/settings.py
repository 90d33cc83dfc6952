"""Configuration: one typed, frozen model read from the environment and ``./.env``.

This is the only module of the bot that reads the environment; everything else (the model
loader included) receives values from :class:`Settings`. Validation happens up front so that a
misconfigured deployment fails at start with one message that lists every problem and where to
fix it, instead of failing on the first Slack request. Secret values are never echoed back.

The model is a pydantic-settings ``BaseSettings``: each variable is one field whose alias is the
environment variable, whose default is its only default, and whose ``description`` is the text
that ``.env.example``, the ``env`` block of ``app.json`` and ``docs/configuration.md`` are
generated from (plus the Heroku config-var table in ``docs/operations.md``). To add a setting:

1. add one field to :class:`Settings` with :func:`setting` (alias, default, description, group);
2. run ``make config-docs`` (= ``python -m bot.settings_docs``) and commit what it rewrote.

``tests/bot/test_settings_docs.py`` fails until step 2 is done. Checks that need several fields
or the run mode (which credentials a mode needs) live in :func:`mode_problems`, so that they are
reported together with the per-field errors rather than after them.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlparse

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    PlainSerializer,
    ValidationError,
    ValidationInfo,
    field_serializer,
    field_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
RESPONSE_TYPES = ("ephemeral", "in_channel")
MODEL_RUNTIMES = ("lite", "tensorflow")
MAX_WEB_CONCURRENCY = 32

#: Modes a user can ask for; "auto" means HTTP if any Slack credential is set, else console.
#: "migrate" creates or upgrades the database schema and exits.
MODES = ("auto", "http", "socket", "console", "migrate", "digest")

#: Authorization modes: one workspace with a bot token, or many installed through OAuth.
AUTH_SINGLE = "single-workspace"
AUTH_OAUTH = "oauth"

#: Any of these set means "talk to Slack" (``python -m bot`` then serves HTTP, not the console).
SLACK_CREDENTIALS = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
)

_APP_PAGE = "api.slack.com/apps → your app"
#: The bot scopes manifest.yml asks for (tests/bot/test_manifest.py checks they agree).
_MANIFEST_SCOPES = (
    "commands,app_mentions:read,chat:write,im:history,channels:history,groups:history,"
    "channels:read,groups:read,reactions:write,im:write"
)
_COMMAND_NAME = re.compile(r"^/[a-z0-9_\-]{1,31}$")


class SecretText(str):
    """A secret kept as ``str`` (Bolt and slack_sdk take plain strings) that never shows itself:
    ``repr`` masks it, so neither ``repr(settings)``, ``str(settings)`` nor a traceback's locals
    print it, and :data:`Secret` masks it in ``model_dump``. Log lines are redacted separately
    with :attr:`Settings.secrets` (bot/logs.py)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "'***'"


#: The type of a secret field: validated as text, held as SecretText, dumped as "***".
Secret = Annotated[
    str,
    AfterValidator(SecretText),
    PlainSerializer(lambda _: "***", return_type=str),
]


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _log_level(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    value = value.upper()
    return "WARNING" if value == "WARN" else value


def _scopes(value: Any) -> Any:
    if isinstance(value, str):
        return tuple(s for s in re.split(r"[\s,]+", value) if s)
    return value


def setting(
    default: Any,
    description: str,
    *,
    env: str,
    group: str,
    secret: bool = False,
    example: str | None = None,
    heroku: str | None = None,
    heroku_required: bool = False,
    heroku_sets: bool = False,
    **constraints: Any,
) -> Any:
    """One environment variable: its name (``env``), default, description and where it is shown.

    ``group`` is its heading in ``.env.example`` and the docs; ``example`` is written to
    ``.env.example`` instead of the default; ``heroku`` is a note added to its ``app.json``
    description and shown in the Heroku table of ``docs/operations.md``, ``heroku_required``
    marks it required there, and ``heroku_sets`` keeps it out of ``app.json`` (the platform or
    an add-on sets it). ``constraints`` go to pydantic's
    ``Field`` (``ge``, ``le``, ``pattern``...).
    """
    extra: dict[str, Any] = {
        "group": group,
        "secret": secret,
        "example": example,
        "heroku": heroku,
        "heroku_required": heroku_required,
        "heroku_sets": heroku_sets,
    }
    return Field(
        default,
        validation_alias=env,
        description=description,
        json_schema_extra=extra,
        **constraints,
    )


class Settings(BaseSettings):
    """Everything the bot reads from its environment, validated (fields in documentation order)."""

    model_config = SettingsConfigDict(
        frozen=True, populate_by_name=True, extra="ignore", case_sensitive=True
    )

    #: The run mode (http, socket, console, migrate, digest): a command-line choice.
    mode: Literal["http", "socket", "console", "migrate", "digest"]

    # --- Slack: auth mode and credentials ---
    bot_token: Secret | None = setting(
        None,
        "Bot User OAuth Token (xoxb-…), from "
        f"{_APP_PAGE} → OAuth & Permissions. Single-workspace mode (HTTP and Socket Mode): "
        "set either this or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET, not both.",
        env="SLACK_BOT_TOKEN",
        group="Slack: auth mode (a bot token for one workspace, or OAuth installs)",
        secret=True,
        heroku_required=True,
    )
    client_id: str | None = setting(
        None,
        f"Client ID, from {_APP_PAGE} → Basic Information → App Credentials. Multi-workspace "
        "mode: workspaces install the app at /slack/install; installations are kept in the "
        "database. Needs SLACK_CLIENT_SECRET and SLACK_SCOPES too.",
        env="SLACK_CLIENT_ID",
        group="Slack: auth mode (a bot token for one workspace, or OAuth installs)",
    )
    client_secret: Secret | None = setting(
        None,
        f"Client Secret, from {_APP_PAGE} → Basic Information → App Credentials. "
        "OAuth installs only, together with SLACK_CLIENT_ID.",
        env="SLACK_CLIENT_SECRET",
        group="Slack: auth mode (a bot token for one workspace, or OAuth installs)",
        secret=True,
    )
    scopes: Annotated[tuple[str, ...], BeforeValidator(_scopes)] = setting(
        (),
        "OAuth installs only: the bot scopes to request, comma-separated: those of manifest.yml "
        f"({_MANIFEST_SCOPES}).",
        env="SLACK_SCOPES",
        group="Slack: auth mode (a bot token for one workspace, or OAuth installs)",
        example=_MANIFEST_SCOPES,
    )
    redirect_uri: str | None = setting(
        None,
        "OAuth installs only, optional: https://<your app>/slack/oauth_redirect, also listed "
        "under OAuth & Permissions → Redirect URLs. When unset, Slack uses the app's only "
        "configured redirect URL.",
        env="SLACK_REDIRECT_URI",
        group="Slack: auth mode (a bot token for one workspace, or OAuth installs)",
    )
    signing_secret: Secret | None = setting(
        None,
        f"Signing Secret, from {_APP_PAGE} → Basic Information → App Credentials. Needed in "
        "HTTP mode (`python -m bot`), both auth modes: every request's signature is checked "
        "with it.",
        env="SLACK_SIGNING_SECRET",
        group="Slack: request signing and Socket Mode",
        secret=True,
        heroku_required=True,
    )
    app_token: Secret | None = setting(
        None,
        f"App-Level Token (xapp-…) with the connections:write scope, from {_APP_PAGE} → Basic "
        "Information → App-Level Tokens. Needed only in Socket Mode (`python -m bot socket`).",
        env="SLACK_APP_TOKEN",
        group="Slack: request signing and Socket Mode",
        secret=True,
        heroku="On Heroku: only for the worker process (scale web=0 worker=1).",
    )
    command: str = setting(
        "/sentiment",
        "The slash command this app answers, matched exactly (a name like /sentiment).",
        env="SLACK_COMMAND",
        group="Slack: request signing and Socket Mode",
    )
    api_url: str = setting(
        "https://slack.com/api/",
        "Slack Web API base URL, an http(s) URL ending in /api/ (GovSlack: "
        "https://slack-gov.com/api/). Tests point it at a local stand-in.",
        env="SLACK_API_URL",
        group="Slack: request signing and Socket Mode",
    )

    # --- Database ---
    database_path: str = setting(
        "sentiment-bot.sqlite3",
        "The SQLite file used when DATABASE_URL is unset (zero setup, one machine).",
        env="DATABASE_PATH",
        group="Database: installations, OAuth state and event claims (ids and times, no text)",
        heroku="On Heroku the heroku-postgresql add-on sets DATABASE_URL, so leave it empty.",
    )
    database_url: str = setting(
        None,
        "SQLAlchemy URL: sqlite:///path/to/file.db, or postgres://user:pass@host:5432/db "
        "(Heroku's form is accepted). PostgreSQL for several processes or dynos; unset: the "
        "SQLite file at DATABASE_PATH.",
        env="DATABASE_URL",
        group="Database: installations, OAuth state and event claims (ids and times, no text)",
        heroku="Set by the heroku-postgresql add-on.",
        heroku_sets=True,
        validate_default=True,
    )
    database_deadline_seconds: float = setting(
        1.5,
        "The most a database call on the ack path (an event's claim) may take, 0.2-2.5 s; past "
        "it the event is answered without the shared claim and /healthz says degraded.",
        env="DATABASE_DEADLINE_SECONDS",
        group="Database: installations, OAuth state and event claims (ids and times, no text)",
        ge=0.2,
        le=2.5,
    )

    # --- Model ---
    #: None: the model package's default (artifacts/model, or the model bundled with the package).
    model_dir: str | None = setting(
        None,
        "A trained model directory. Unset: ./artifacts/model when it holds a model, else the "
        "model bundled with the package.",
        env="MODEL_DIR",
        group="Model",
        heroku="On Heroku leave it empty to serve the bundled model.",
    )
    model_runtime: Annotated[Literal["lite", "tensorflow"] | None, BeforeValidator(_lower)] = (
        setting(
            None,
            "lite (NumPy) or tensorflow. Unset: automatic (lite when the model is certified "
            "for it).",
            env="MODEL_RUNTIME",
            group="Model",
            heroku="The dyno has no TensorFlow, so leave it empty.",
        )
    )

    # --- HTTP server ---
    port: int = setting(
        3000,
        "The TCP port to listen on, 0-65535 (Heroku sets it; 0 lets the system pick a free one).",
        env="PORT",
        group="HTTP server",
        heroku="Set by Heroku.",
        heroku_sets=True,
        ge=0,
        le=65535,
    )
    host: str = setting(
        "0.0.0.0",
        "The interface address to bind.",
        env="HOST",
        group="HTTP server",
    )
    web_concurrency: int = setting(
        1,
        f"HTTP processes sharing the port, 1-{MAX_WEB_CONCURRENCY}; each holds its own model.",
        env="WEB_CONCURRENCY",
        group="HTTP server",
        heroku="Leave it empty: Heroku's Python buildpack sets it from the dyno size at boot.",
        ge=1,
        le=MAX_WEB_CONCURRENCY,
    )
    log_level: Annotated[
        Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"], BeforeValidator(_log_level)
    ] = setting(
        "INFO",
        "DEBUG, INFO, WARNING, ERROR or CRITICAL. Tokens are masked in logs at every level.",
        env="LOG_LEVEL",
        group="HTTP server",
    )
    max_body_bytes: int = setting(
        1_000_000,
        "The largest request body accepted, 10000-50000000 bytes; larger requests get 413.",
        env="HTTP_MAX_BODY_BYTES",
        group="HTTP server",
        ge=10_000,
        le=50_000_000,
    )
    idle_timeout_seconds: int = setting(
        15,
        "Idle or half-open connections are closed after this many seconds, 1-300.",
        env="HTTP_IDLE_TIMEOUT_SECONDS",
        group="HTTP server",
        ge=1,
        le=300,
    )

    # --- Replies ---
    response_type: Annotated[Literal["ephemeral", "in_channel"], BeforeValidator(_lower)] = setting(
        "ephemeral",
        "Who sees slash-command answers: ephemeral (only the caller) or in_channel "
        "(everyone in the channel).",
        env="SENTIMENT_RESPONSE_TYPE",
        group="Replies",
    )
    confidence_threshold: float = setting(
        0.6,
        "Below this confidence (0.5-1) the reply says plainly that the model is unsure.",
        env="SENTIMENT_CONFIDENCE_THRESHOLD",
        group="Replies",
        ge=0.5,
        le=1.0,
    )
    reply_deadline_seconds: float = setting(
        30.0,
        "A reply not delivered this many seconds after its request (5-1800) is dropped and logged.",
        env="SLACK_REPLY_DEADLINE_SECONDS",
        group="Replies",
        ge=5,
        le=1800,
    )

    # --- Channel mood (watching) ---
    mood_retention_days: int = setting(
        90,
        "Watched channels' hourly counts older than this many days (1-3650) are deleted by the "
        "app (while counting, and by `python -m bot digest`).",
        env="MOOD_RETENTION_DAYS",
        group="Channel mood: watched channels' counts (no text), alerts, reactions",
        ge=1,
        le=3650,
    )
    mood_alert_window: int = setting(
        20,
        "An alert compares the negative share of a watched channel's last this-many messages "
        "(20-1000) with its threshold.",
        env="MOOD_ALERT_WINDOW",
        group="Channel mood: watched channels' counts (no text), alerts, reactions",
        ge=20,
        le=1000,
    )
    mood_alert_cooldown_minutes: int = setting(
        360,
        "After an alert, no other for the same channel for this many minutes (1-10080), and "
        "only once the share has dropped below the threshold in between.",
        env="MOOD_ALERT_COOLDOWN_MINUTES",
        group="Channel mood: watched channels' counts (no text), alerts, reactions",
        ge=1,
        le=10080,
    )
    mood_reaction_confidence: float = setting(
        0.9,
        "In watched channels with `/sentiment reactions on`, a positive or negative message "
        "gets an emoji reaction when the model is at least this confident (0.5-1).",
        env="MOOD_REACTION_CONFIDENCE",
        group="Channel mood: watched channels' counts (no text), alerts, reactions",
        ge=0.5,
        le=1.0,
    )

    #: Variables that were set explicitly (so the console can tell a default from a choice).
    explicit: frozenset[str] = frozenset()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Values arrive only as arguments: load_settings() passes what read_environment()
        # read (the process environment over ./.env), so tests can hand in a plain mapping
        # and nothing is read behind the caller's back.
        return (init_settings,)

    @field_validator("api_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        parsed = urlparse(value)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError("not an http(s) URL")
        return value if value.endswith("/") else value + "/"

    @field_validator("command")
    @classmethod
    def _slash_command(cls, value: str) -> str:
        if not _COMMAND_NAME.match(value):
            raise ValueError("not a slash command name like /sentiment")
        return value

    @field_validator("database_url", mode="before")
    @classmethod
    def _sqlalchemy_url(cls, value: str | None, info: ValidationInfo) -> str:
        # Heroku hands out ``postgres://`` URLs, a scheme SQLAlchemy dropped; both it and
        # ``postgresql://`` are mapped to the psycopg 3 driver explicitly.
        if value is None:
            path = info.data.get("database_path") or DEFAULT_DATABASE_PATH
            return f"sqlite:///{path}"
        for prefix in ("postgres://", "postgresql://"):
            if value.startswith(prefix):
                return "postgresql+psycopg://" + value[len(prefix) :]
        scheme = urlparse(value).scheme
        if not (scheme.startswith("sqlite") or scheme.startswith("postgresql")):
            raise ValueError(f"{scheme or 'no'} scheme; use sqlite or postgres(ql)")
        return value

    @field_serializer("database_url")
    def _masked_url(self, value: str) -> str:
        return redact_url(value)

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        # The database URL may carry a password: show it masked, and say which auth mode is on.
        yield "auth_mode", self.auth_mode
        for name, value in super().__repr_args__():
            if name == "database_url":
                yield "database", redact_url(self.database_url)
            elif name != "explicit":
                yield name, value

    @property
    def auth_mode(self) -> str | None:
        """``oauth`` with client credentials, ``single-workspace`` with a bot token, else None."""
        if self.client_id and self.client_secret:
            return AUTH_OAUTH
        if self.bot_token:
            return AUTH_SINGLE
        return None

    @property
    def secrets(self) -> tuple[str, ...]:
        """The secret values, for log redaction (the database password included)."""
        values = (
            *(str(getattr(self, name)) for name in SECRET_FIELDS if getattr(self, name)),
            urlparse(self.database_url).password,
        )
        return tuple(s for s in values if s)


def _env_fields() -> dict[str, Any]:
    """Environment variable name -> pydantic FieldInfo, in documentation order."""
    return {
        info.validation_alias: info
        for info in Settings.model_fields.values()
        if isinstance(info.validation_alias, str)
    }


ENV_FIELDS = _env_fields()
#: Field name -> environment variable name.
ENV_NAMES = {
    name: info.validation_alias
    for name, info in Settings.model_fields.items()
    if isinstance(info.validation_alias, str)
}
#: Each variable's description: shown when it is missing or malformed.
WHERE = {env: info.description or "" for env, info in ENV_FIELDS.items()}
#: Variables holding secrets: never printed, and left empty in .env.example.
SECRET_VARIABLES = tuple(
    env for env, info in ENV_FIELDS.items() if (info.json_schema_extra or {}).get("secret")
)
SECRET_FIELDS = tuple(name for name, env in ENV_NAMES.items() if env in SECRET_VARIABLES)


def _default(name: str) -> Any:
    return Settings.model_fields[name].default


#: Defaults other modules use; each is defined once, on its field above.
DEFAULT_API_URL: str = _default("api_url")
DEFAULT_PORT: int = _default("port")
DEFAULT_CONFIDENCE_THRESHOLD: float = _default("confidence_threshold")
DEFAULT_DATABASE_PATH: str = _default("database_path")
DEFAULT_COMMAND: str = _default("command")
DEFAULT_MAX_BODY_BYTES: int = _default("max_body_bytes")
DEFAULT_IDLE_TIMEOUT_SECONDS: int = _default("idle_timeout_seconds")
DEFAULT_REPLY_DEADLINE_SECONDS: float = _default("reply_deadline_seconds")
DEFAULT_MOOD_RETENTION_DAYS: int = _default("mood_retention_days")
DEFAULT_MOOD_ALERT_WINDOW: int = _default("mood_alert_window")
DEFAULT_MOOD_ALERT_COOLDOWN_MINUTES: int = _default("mood_alert_cooldown_minutes")
DEFAULT_MOOD_REACTION_CONFIDENCE: float = _default("mood_reaction_confidence")


class SettingsError(Exception):
    """Configuration is missing or malformed; ``str()`` is the full user-facing message."""

    def __init__(self, problems: list[str], mode: str):
        self.problems = problems
        self.mode = mode
        lines = [f"the Slack app cannot start in {mode} mode:"]
        lines += [f"  - {p}" for p in problems]
        lines.append(
            "Set them in the environment or in a .env file in the working directory "
            "(see .env.example and docs/configuration.md)."
        )
        super().__init__("\n".join(lines))


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
    """The SQLAlchemy URL that DATABASE_URL (or DATABASE_PATH) in ``env`` gives."""
    return load_settings("console", env).database_url


def _missing(name: str) -> str:
    return f"{name} is not set — {WHERE[name]}"


def _malformed(name: str, why: str) -> str:
    return f"{name} is malformed ({why}) — expected: {WHERE[name]}"


def mode_problems(mode: str, values: Mapping[str, str]) -> list[str]:
    """What ``mode`` needs beyond well-formed fields: which credentials, in which shape.

    ``values`` are the non-empty variables by name. Kept outside the model's validators so these
    are listed together with the per-field errors, not only once those are fixed.
    """
    problems: list[str] = []
    bot_token = values.get("SLACK_BOT_TOKEN")
    signing_secret = values.get("SLACK_SIGNING_SECRET")
    app_token = values.get("SLACK_APP_TOKEN")
    redirect_uri = values.get("SLACK_REDIRECT_URI")
    oauth = bool(values.get("SLACK_CLIENT_ID") or values.get("SLACK_CLIENT_SECRET"))

    if mode == "http":
        if oauth and bot_token:
            problems.append(
                "both SLACK_BOT_TOKEN and SLACK_CLIENT_ID/SLACK_CLIENT_SECRET are set: choose one "
                "auth mode — unset SLACK_BOT_TOKEN for multi-workspace installs through OAuth, "
                "or unset the client credentials to serve the one workspace of the bot token"
            )
        elif not oauth and not bot_token:
            problems.append(
                "no auth mode is configured: set SLACK_BOT_TOKEN for one workspace "
                f"({WHERE['SLACK_BOT_TOKEN']}), or SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and "
                "SLACK_SCOPES to let workspaces install the app through OAuth"
            )
        if oauth and not bot_token:
            for name in ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"):
                if not values.get(name):
                    problems.append(_missing(name))
            if not _scopes(values.get("SLACK_SCOPES", "")):
                problems.append(_missing("SLACK_SCOPES"))
        if not signing_secret:
            problems.append(_missing("SLACK_SIGNING_SECRET"))
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
            if not values.get(name):
                problems.append(_missing(name))
    if mode in ("http", "socket"):
        if bot_token and not bot_token.startswith("xoxb-"):
            problems.append(_malformed("SLACK_BOT_TOKEN", "it does not start with xoxb-"))
        if mode == "socket" and app_token and not app_token.startswith("xapp-"):
            problems.append(_malformed("SLACK_APP_TOKEN", "it does not start with xapp-"))
        if signing_secret and any(c.isspace() for c in signing_secret):
            problems.append(_malformed("SLACK_SIGNING_SECRET", "it contains whitespace"))
        if redirect_uri and urlparse(redirect_uri).scheme not in ("http", "https"):
            problems.append(_malformed("SLACK_REDIRECT_URI", "it is not an http(s) URL"))
    return problems


def _field_problem(error: Any, values: Mapping[str, str]) -> str:
    """One pydantic error as a sentence naming the variable (a secret's value is never shown)."""
    name = str(error["loc"][0]) if error["loc"] else "settings"
    why = str(error["msg"]).removeprefix("Value error, ")
    why = why[0].lower() + why[1:] if why else "invalid"
    if name not in WHERE:
        return f"{name}: {why}"
    if name not in SECRET_VARIABLES and name in values:
        why = f"{values[name]!r}: {why}"
    return _malformed(name, why)


def load_settings(mode: str = "auto", env: Mapping[str, str] | None = None) -> Settings:
    """Validate the environment for ``mode``; raise SettingsError listing every problem."""
    env = read_environment() if env is None else env
    mode = resolve_mode(mode, env)
    if mode not in MODES[1:]:
        raise ValueError(f"unknown mode {mode!r}")
    values = {name: value for name in WHERE if (value := _get(env, name)) is not None}
    problems = mode_problems(mode, values)
    try:
        data: dict[str, Any] = {"mode": mode, "explicit": frozenset(values), **values}
        settings = Settings(**data)
    except ValidationError as error:
        problems += [_field_problem(e, values) for e in error.errors(include_input=False)]
    if problems:
        raise SettingsError(problems, mode)
    return settings


def log_level_number(settings: Settings) -> int:
    """The ``logging`` level for ``settings.log_level``."""
    return getattr(logging, settings.log_level, logging.INFO)
