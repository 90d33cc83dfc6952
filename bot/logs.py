"""Logging setup: secrets masked, request bodies and ``response_url``s kept out, one line each.

Every record passes one filter on the handler, whatever logger it came from (ours, Bolt's,
slack_sdk's, waitress's), before it is formatted:

* Slack tokens and the configured secrets are masked, even at ``LOG_LEVEL=DEBUG`` (slack_sdk
  logs ``Authorization: Bearer xoxb-…`` at DEBUG, Socket Mode URLs carry tickets);
* ``response_url``s are masked: each is a 30-minute capability to post in a channel, and
  slack_sdk's webhook client logs the URL it retries at INFO;
* Bolt's lines that embed a request body (a failed signature check logged the whole body, 40 MB
  for a 40 MB POST; an unhandled request logs the payload) keep their first words only;
* control characters are escaped, so text from a request cannot forge extra log lines;
* a message is cut at ``MAX_MESSAGE_CHARS`` and a traceback at ``MAX_TRACEBACK_CHARS``.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable

#: Slack token shapes: xoxb-/xoxp-/xoxa-/xoxe-/xoxs-/xoxr-…, app-level xapp-…
TOKEN_PATTERN = re.compile(r"\b(xox[a-z]|xapp)-[A-Za-z0-9-]+")
#: response_url / webhook shapes: hooks.slack.com/commands/…, …/actions/…, …/services/….
RESPONSE_URL_PATTERN = re.compile(
    r"(https?://[^\s/'\"]+/(?:commands|actions|services|workflows)/)[^\s'\"]+", re.IGNORECASE
)
#: ``'response_url': '…'`` in a logged dict (any URL shape, e.g. a local stand-in).
RESPONSE_URL_FIELD = re.compile(r"""(["']?response_url["']?\s*[:=]\s*["']?)[^\s'",}&]+""")
#: Bolt messages that embed a request body: keep only what precedes the body.
BODY_BEARING_PREFIXES = (
    "Invalid request signature detected",
    "Unhandled request (",
    "request body:",
    "Request body:",
)
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029\x85]|\r|\n")
MAX_MESSAGE_CHARS = 2000
MAX_TRACEBACK_CHARS = 20_000
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
SLACK_SDK_CLIENT_LOGGERS = ("slack_sdk.web.base_client", "slack_sdk.webhook.client")


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Mask Slack tokens, response URLs and the given secret values in ``text``."""
    text = TOKEN_PATTERN.sub(lambda m: f"{m.group(1)}-***", text)
    text = RESPONSE_URL_PATTERN.sub(lambda m: f"{m.group(1)}***", text)
    text = RESPONSE_URL_FIELD.sub(lambda m: f"{m.group(1)}***", text)
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


def _escape_control(match: re.Match[str]) -> str:
    char = match.group(0)
    return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char, f"\\x{ord(char):02x}")


def one_line(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """``text`` with control characters escaped and cut to ``limit`` characters."""
    if len(text) > limit:
        text = f"{text[:limit]}… [{len(text) - limit} more characters not logged]"
    return CONTROL_CHARS.sub(_escape_control, text)


def drop_bodies(message: str) -> str:
    """Bolt's body-bearing messages reduced to their first words."""
    for prefix in BODY_BEARING_PREFIXES:
        if message.startswith(prefix):
            return f"{prefix.rstrip(' (:')} (payload not logged)"
    return message


class RedactingFilter(logging.Filter):
    """Rewrite each record's final message: secrets masked, bodies dropped, one line."""

    def __init__(self, secrets: Iterable[str] = ()):
        super().__init__()
        self.secrets = tuple(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed log call should not kill the request
            message = one_line(repr(record.msg))
        # Cut before the regexes run, so a huge message costs little.
        head = message[: MAX_MESSAGE_CHARS * 2]
        cleaned = one_line(redact(drop_bodies(head), self.secrets))
        if len(message) > len(head):
            cleaned += f" [{len(message) - len(head)} more characters not logged]"
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            trace = record.exc_text[-MAX_TRACEBACK_CHARS:]
            record.exc_text = redact(trace, self.secrets)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        return True


def setup_logging(level: int | str = logging.INFO, secrets: Iterable[str] = ()) -> None:
    """Log to stderr through the redacting filter.

    waitress's "Task queue depth is N" warnings stay on: they are the first sign that requests
    arrive faster than the worker threads answer them. slack_sdk's clients log every failed
    attempt at ERROR (several per reply under a flaky Slack, without the request id); above DEBUG
    they are left to ``bot.outgoing.outbox``, which logs one line per reply with its outcome.
    """
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.addFilter(RedactingFilter(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    quiet = logging.CRITICAL if logging.getLogger().level > logging.DEBUG else logging.NOTSET
    for name in SLACK_SDK_CLIENT_LOGGERS:
        logging.getLogger(name).setLevel(quiet)
