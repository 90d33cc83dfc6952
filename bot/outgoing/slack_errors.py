"""What went wrong with a call to Slack, in words safe for a log line (no tokens, no text)."""

from __future__ import annotations

import socket
from urllib.error import URLError

from slack_sdk.errors import SlackApiError


def slack_error_code(error: BaseException) -> str | None:
    """Slack's ``error`` field ("channel_not_found", "ratelimited" …) of a failed Web API call;
    None for anything that is not a :class:`SlackApiError` or carries no code."""
    if not isinstance(error, SlackApiError):
        return None
    response = error.response
    code = response.get("error") if response is not None else None
    return str(code) if code else None


def is_timeout(error: BaseException) -> bool:
    """True when Slack may have received the request but did not answer in time."""
    if isinstance(error, (TimeoutError, socket.timeout)):
        return True
    return isinstance(error, URLError) and isinstance(error.reason, (TimeoutError, socket.timeout))


def describe(error: BaseException) -> str:
    """A short, secret-free reason for a log line."""
    if isinstance(error, SlackApiError):
        status = getattr(error.response, "status_code", None)
        return f"slack error {slack_error_code(error) or 'unknown'} (HTTP {status})"
    if isinstance(error, URLError):
        return f"{type(error.reason).__name__ if error.reason else 'URLError'}"
    return type(error).__name__
