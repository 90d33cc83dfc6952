"""Posting to a ``response_url`` (slash commands, shortcuts, buttons), with bounded retries."""

from __future__ import annotations

import logging
import time
from typing import Any

from slack_sdk.webhook import WebhookClient

from bot.outgoing.retry import MIN_ATTEMPT_SECONDS, retry_handlers
from bot.outgoing.slack_errors import describe, is_timeout

log = logging.getLogger("bot.outgoing")

RESPONSE_URL_TIMEOUT_SECONDS = 10.0


class ResponseSender:
    """Posts a message to a ``response_url`` now, with bounded retries.

    Synchronous (for callers that need the result at once, e.g. a progress note); replies go
    through :meth:`bot.outgoing.outbox.Outbox.send`, which uses this with a deadline.
    """

    def __init__(self, timeout: float = RESPONSE_URL_TIMEOUT_SECONDS):
        self.timeout = timeout

    def send(
        self, response_url: str, message: dict[str, Any], deadline: float | None = None
    ) -> str | None:
        """Send; return None on HTTP 200, else a short reason. Timeouts raise (outcome unknown)."""
        timeout = self.timeout
        if deadline is not None:
            timeout = max(MIN_ATTEMPT_SECONDS, min(timeout, deadline - time.monotonic()))
        client = WebhookClient(
            url=response_url,
            timeout=timeout,  # type: ignore[arg-type]
            retry_handlers=retry_handlers(deadline=deadline),
        )
        response = client.send_dict(message)
        if response.status_code != 200:
            detail = (response.body or "")[:40]
            return f"response_url answered HTTP {response.status_code} {detail!r}"
        return None

    def __call__(self, response_url: str, message: dict[str, Any]) -> bool:
        """Send ``message``; True on HTTP 200. Failures are logged (no URL), not raised."""
        try:
            reason = self.send(response_url, message)
        except Exception as error:
            if is_timeout(error):
                log.warning("response_url did not answer in time; the reply may have arrived")
            else:
                log.warning("posting to response_url failed: %s", describe(error))
            return False
        if reason:
            log.warning("posting to response_url failed: %s", reason)
            return False
        return True
