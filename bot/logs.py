"""Logging setup with token redaction.

slack_sdk logs request headers at DEBUG (``Authorization: Bearer xoxb-…``) and Socket Mode URLs
carry tickets, so every record passes a filter that masks Slack tokens and the configured secrets
before it is formatted. That keeps tokens out of logs even at ``LOG_LEVEL=DEBUG``.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable

#: Slack token shapes: xoxb-/xoxp-/xoxa-/xoxe-/xoxs-/xoxr-…, app-level xapp-…
TOKEN_PATTERN = re.compile(r"\b(xox[a-z]|xapp)-[A-Za-z0-9-]+")
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Mask Slack tokens and the given secret values in ``text``."""
    text = TOKEN_PATTERN.sub(lambda m: f"{m.group(1)}-***", text)
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


class RedactingFilter(logging.Filter):
    """Rewrite each record's final message with tokens and secrets masked."""

    def __init__(self, secrets: Iterable[str] = ()):
        super().__init__()
        self.secrets = tuple(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed log call should not kill the request
            return True
        cleaned = redact(message, self.secrets)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        return True


def setup_logging(level: int | str = logging.INFO, secrets: Iterable[str] = ()) -> None:
    """Log to stderr through the redacting filter; quiet the chattiest libraries."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.addFilter(RedactingFilter(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    if logging.getLogger().level > logging.DEBUG:
        # waitress logs one line per queue-depth warning; keep them but not every INFO.
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)
