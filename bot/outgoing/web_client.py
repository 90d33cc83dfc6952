"""The process's one Web API client, and the per-attempt copies replies are sent with."""

from __future__ import annotations

import copy
import time

from slack_sdk import WebClient

from bot.outgoing.retry import MIN_ATTEMPT_SECONDS, retry_handlers

WEB_API_TIMEOUT_SECONDS = 10.0


def make_web_client(
    token: str | None, api_url: str, timeout: float = WEB_API_TIMEOUT_SECONDS
) -> WebClient:
    """The process's one WebClient, pointed at ``SLACK_API_URL`` (Slack, GovSlack, a stand-in)."""
    return WebClient(
        token=token,
        base_url=api_url,
        timeout=timeout,  # type: ignore[arg-type]
        retry_handlers=retry_handlers(),
    )


def attempt_timeout(deadline: float, limit: float = WEB_API_TIMEOUT_SECONDS) -> float:
    """The timeout for one attempt that must end by ``deadline`` (``time.monotonic``)."""
    return max(MIN_ATTEMPT_SECONDS, min(limit, deadline - time.monotonic()))


def client_until(
    client: WebClient, deadline: float, limit: float = WEB_API_TIMEOUT_SECONDS
) -> WebClient:
    """A copy of ``client`` (same token and URL) whose timeout and retries end by ``deadline``."""
    bounded = copy.copy(client)
    bounded.timeout = attempt_timeout(deadline, limit)  # type: ignore[assignment]
    bounded.retry_handlers = retry_handlers(deadline=deadline)
    return bounded
