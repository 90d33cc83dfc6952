"""Bounded retries for every Slack call, and the one reader of ``Retry-After``.

slack_sdk's handlers, subclassed: connection errors, HTTP 429 and 500/503. Every wait is capped
(``MAX_RETRY_WAIT_SECONDS``), ``Retry-After`` may be fractional ("1.5" made slack_sdk raise
ValueError), and no retry starts when it could not finish before the reply's deadline. A *read
timeout* is never retried: the request reached Slack and may have been posted, so a retry could
post twice.
"""

from __future__ import annotations

import math
import random
import socket
import time
from collections.abc import Mapping
from typing import Any

from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

#: The longest any single retry waits, whatever Retry-After says.
MAX_RETRY_WAIT_SECONDS = 10.0
MAX_RETRIES = 2
#: No attempt is started with less time than this left before the deadline.
MIN_ATTEMPT_SECONDS = 0.5


def parse_retry_after(value: Any) -> float | None:
    """Seconds from a Retry-After header value ("3", "1.5", ["2"]); None when absent or nonsense."""
    if isinstance(value, (list, tuple)):
        value = value[0] if value else None
    if value is None:
        return None
    try:
        seconds = float(str(value).strip())
    except ValueError:
        return None
    if not math.isfinite(seconds) or seconds < 0:
        return None
    return seconds


def retry_after(headers: Mapping[str, Any] | None) -> float | None:
    """The ``Retry-After`` of a response's headers (any capitalisation), in seconds; None when
    there is none or it is unreadable. Use with ``SlackApiError.response.headers`` or
    ``HttpResponse.headers``."""
    for name, value in (headers or {}).items():
        if str(name).lower() == "retry-after":
            return parse_retry_after(value)
    return None


class _Bounded:
    """Mixin: a cap on every wait and an optional absolute deadline (``time.monotonic``)."""

    max_wait: float = MAX_RETRY_WAIT_SECONDS
    deadline: float | None = None

    def __init__(self, max_retry_count: int = MAX_RETRIES, deadline: float | None = None):
        super().__init__(max_retry_count=max_retry_count)  # type: ignore[call-arg]
        self.deadline = deadline

    def _wait(self, state: RetryState, response: HttpResponse | None) -> float:
        """How long to sleep before the next attempt (exponential backoff, capped)."""
        return self._backoff(state)

    def prepare_for_next_attempt(
        self, *, state: RetryState, response: HttpResponse | None = None, **_: Any
    ) -> None:
        state.next_attempt_requested = True
        time.sleep(self._wait(state, response))
        state.increment_current_attempt()

    def _fits(self, wait: float) -> bool:
        if self.deadline is None:
            return True
        return time.monotonic() + wait + MIN_ATTEMPT_SECONDS < self.deadline

    def _backoff(self, state: RetryState) -> float:
        interval = self.interval_calculator.calculate_sleep_duration(state.current_attempt)  # type: ignore[attr-defined]
        return min(float(interval), self.max_wait)


class BoundedConnectionErrorRetryHandler(_Bounded, ConnectionErrorRetryHandler):
    """Retry refused/reset connections (nothing was posted); never a read timeout."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if isinstance(error, (TimeoutError, socket.timeout)):
            return False  # the request may have been delivered: retrying could post twice
        return super()._can_retry(
            state=state, request=request, response=response, error=error
        ) and self._fits(self._backoff(state))


class BoundedServerErrorRetryHandler(_Bounded, ServerErrorRetryHandler):
    """Retry HTTP 500/503 with backoff, within the deadline."""

    def _can_retry(self, *, state: RetryState, **kwargs: Any) -> bool:
        return super()._can_retry(state=state, **kwargs) and self._fits(self._backoff(state))


class BoundedRateLimitRetryHandler(_Bounded, RateLimitErrorRetryHandler):
    """Retry HTTP 429 after Retry-After (fractional allowed), capped, within the deadline."""

    def __init__(
        self,
        max_retry_count: int = MAX_RETRIES,
        deadline: float | None = None,
        max_wait: float = MAX_RETRY_WAIT_SECONDS,
    ):
        super().__init__(max_retry_count=max_retry_count, deadline=deadline)
        self.max_wait = max_wait

    @staticmethod
    def asked_wait(response: HttpResponse | None) -> float:
        """What Slack's Retry-After asks for (1 s when absent or unreadable)."""
        asked = retry_after(response.headers if response is not None else None)
        return 1.0 if asked is None else asked

    def wait_for(self, response: HttpResponse | None) -> float:
        """The wait before the retry: what Slack asked, plus jitter, never over ``max_wait``."""
        return min(self.asked_wait(response) + random.uniform(0, 0.2), self.max_wait)

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or response.status_code != 429:
            return False
        asked = self.asked_wait(response)
        # Slack asking for longer than we hold a reply: give up (logged) rather than hammer it.
        return asked <= self.max_wait and self._fits(asked)

    def _wait(self, state: RetryState, response: HttpResponse | None) -> float:
        return self.wait_for(response)


def retry_handlers(
    max_retries: int = MAX_RETRIES, deadline: float | None = None
) -> list[RetryHandler]:
    """Retry policy for every Slack call: connection errors, rate limits, server errors."""
    return [
        BoundedConnectionErrorRetryHandler(max_retries, deadline),
        BoundedRateLimitRetryHandler(max_retries, deadline),
        BoundedServerErrorRetryHandler(max_retries, deadline),
    ]
