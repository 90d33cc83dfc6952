"""Outgoing calls to Slack: the Web API client, bounded retries, and the reply outbox.

Retries (slack_sdk's handlers, subclassed): connection errors, HTTP 429 and 500/503. Every wait
is capped (``MAX_RETRY_WAIT_SECONDS``), ``Retry-After`` may be fractional ("1.5" made slack_sdk
raise ValueError), and no retry starts when it could not finish before the reply's deadline.
A *read timeout* is never retried: the request reached Slack and may have been posted, so a retry
could post twice; that outcome is logged as "unknown", not as a failure.

Replies do not go out from the listener threads. :class:`Outbox` queues them per destination (a
channel, or a command's ``response_url``) and sends from its own pool, at most
``PER_DESTINATION`` at a time per destination: a channel whose ``chat.postMessage`` stalls ties
up two sending threads and its own queue, not every worker, so other people's replies are not
delayed behind it. Each reply has a deadline from the moment its request arrived; a reply that
cannot be delivered by then is dropped with one log line naming its request id.
"""

from __future__ import annotations

import copy
import dataclasses
import logging
import math
import random
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.webhook import WebhookClient

from bot.metrics import METRICS, Metrics, surface_label

log = logging.getLogger("bot.replies")

WEB_API_TIMEOUT_SECONDS = 10.0
RESPONSE_URL_TIMEOUT_SECONDS = 10.0
#: The longest any single retry waits, whatever Retry-After says.
MAX_RETRY_WAIT_SECONDS = 10.0
MAX_RETRIES = 2
#: From the request's arrival to the reply's last attempt.
DEFAULT_REPLY_DEADLINE_SECONDS = 30.0
#: Sends in flight per channel / response_url (Slack allows about one message per second per
#: channel anyway); the rest of that destination's replies wait in its queue.
PER_DESTINATION = 2
#: Queued replies per destination beyond which new ones are refused at once (logged).
MAX_QUEUED_PER_DESTINATION = 200
OUTBOX_THREADS = 32
#: No attempt is started with less time than this left before the deadline.
MIN_ATTEMPT_SECONDS = 0.5


def parse_retry_after(value: Any) -> float | None:
    """Seconds from a Retry-After header value ("3", "1.5"); None when absent or nonsense."""
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
        headers = response.headers if response is not None else {}
        for name, value in (headers or {}).items():
            if name.lower() == "retry-after":
                asked = parse_retry_after(value)
                return 1.0 if asked is None else asked
        return 1.0

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


def is_timeout(error: BaseException) -> bool:
    """True when Slack may have received the request but did not answer in time."""
    if isinstance(error, (TimeoutError, socket.timeout)):
        return True
    return isinstance(error, URLError) and isinstance(error.reason, (TimeoutError, socket.timeout))


def describe(error: BaseException) -> str:
    """A short, secret-free reason for a log line."""
    if isinstance(error, SlackApiError):
        response = error.response
        code = response.get("error") if response is not None else None
        status = getattr(response, "status_code", None)
        return f"slack error {code or 'unknown'} (HTTP {status})"
    if isinstance(error, URLError):
        return f"{type(error.reason).__name__ if error.reason else 'URLError'}"
    return type(error).__name__


class ResponseSender:
    """Posts a message to a slash command's ``response_url`` now, with bounded retries.

    Synchronous (for callers that need the result); replies from listeners go through
    :meth:`Outbox.respond`, which uses this with a deadline.
    """

    def __init__(self, timeout: float = RESPONSE_URL_TIMEOUT_SECONDS):
        self.timeout = timeout

    def send(self, response_url: str, message: dict[str, Any], deadline: float | None = None):
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


@dataclass(frozen=True)
class ReplyMeta:
    """What the reply's log line says about it: never the text."""

    request_id: str
    surface: str = "other"
    team: str | None = None
    label: str | None = None
    #: ``time.monotonic()`` when the request arrived (its deadline counts from there).
    received_at: float | None = None

    @classmethod
    def from_context(cls, context: Any, request_id: str | None = None) -> ReplyMeta:
        """Request id, surface, team and arrival time recorded by ``bot.web.events``;
        ``request_id`` is used when the context has none (Socket Mode)."""
        context = context or {}
        return cls(
            request_id=context.get("request_id") or request_id or "-",
            surface=context.get("surface") or "other",
            team=context.get("team_id"),
            received_at=context.get("received_at"),
        )

    def labelled(self, label: str | None) -> ReplyMeta:
        """The same reply, now that the verdict is known."""
        return dataclasses.replace(self, label=label)


@dataclass
class _Reply:
    destination: str
    send: Callable[[float], str | None]  # deadline -> None (delivered) or a failure reason
    meta: ReplyMeta
    deadline: float
    started: float


class _Lane:
    __slots__ = ("active", "waiting")

    def __init__(self) -> None:
        self.active = 0
        self.waiting: deque[_Reply] = deque()


class Outbox:
    """Sends replies off the listener threads, per destination, each within its deadline."""

    def __init__(
        self,
        *,
        deadline_seconds: float = DEFAULT_REPLY_DEADLINE_SECONDS,
        api_timeout: float = WEB_API_TIMEOUT_SECONDS,
        per_destination: int = PER_DESTINATION,
        threads: int = OUTBOX_THREADS,
        max_queued: int = MAX_QUEUED_PER_DESTINATION,
        metrics: Metrics = METRICS,
        response_sender: ResponseSender | None = None,
    ):
        self.deadline_seconds = deadline_seconds
        self.api_timeout = api_timeout
        self.per_destination = per_destination
        self.max_queued = max_queued
        self.metrics = metrics
        self.response_sender = response_sender or ResponseSender(timeout=api_timeout)
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="outbox")
        self._lanes: dict[str, _Lane] = {}
        self._lock = threading.Lock()

    # -- what listeners call -----------------------------------------------------------------

    def post_message(
        self,
        client: WebClient,
        *,
        channel: str,
        message: dict[str, Any],
        meta: ReplyMeta,
        thread_ts: str | None = None,
    ) -> None:
        """Queue ``chat.postMessage`` to ``channel`` with ``client``'s token; returns at once."""

        def send(deadline: float) -> str | None:
            per_call = copy.copy(client)
            per_call.timeout = self._attempt_timeout(deadline)  # type: ignore[assignment]
            per_call.retry_handlers = retry_handlers(deadline=deadline)
            per_call.chat_postMessage(channel=channel, thread_ts=thread_ts, **message)
            return None

        self._submit(f"chat:{meta.team}:{channel}", send, meta)

    def respond(self, response_url: str, message: dict[str, Any], meta: ReplyMeta) -> None:
        """Queue a post to a slash command's ``response_url``; returns at once."""

        def send(deadline: float) -> str | None:
            return self.response_sender.send(response_url, message, deadline)

        self._submit(f"url:{response_url}", send, meta)

    def shutdown(self, wait: bool = True) -> None:
        """Stop taking replies; with ``wait``, finish (or expire) the queued ones first."""
        self._pool.shutdown(wait=wait)

    def pending(self) -> int:
        """Replies queued or being sent (for tests and metrics)."""
        with self._lock:
            return sum(lane.active + len(lane.waiting) for lane in self._lanes.values())

    # -- machinery ---------------------------------------------------------------------------

    def _attempt_timeout(self, deadline: float) -> float:
        return max(MIN_ATTEMPT_SECONDS, min(self.api_timeout, deadline - time.monotonic()))

    def _submit(self, destination: str, send: Callable[[float], str | None], meta: ReplyMeta):
        now = time.monotonic()
        received = meta.received_at if meta.received_at is not None else now
        reply = _Reply(destination, send, meta, received + self.deadline_seconds, received)
        with self._lock:
            lane = self._lanes.setdefault(destination, _Lane())
            if lane.active < self.per_destination:
                lane.active += 1
                start = True
            elif len(lane.waiting) >= self.max_queued:
                start = None
            else:
                lane.waiting.append(reply)
                start = False
        if start is None:
            self._finish(reply, "expired", "too many replies already queued for this destination")
        elif start:
            try:
                self._pool.submit(self._drain, reply)
            except RuntimeError:  # shutting down
                self._release(destination)
                self._finish(reply, "failed", "the process is shutting down")

    def _release(self, destination: str) -> _Reply | None:
        """The destination's next queued reply, or None after marking one sender done."""
        with self._lock:
            lane = self._lanes[destination]
            if lane.waiting:
                return lane.waiting.popleft()
            lane.active -= 1
            if lane.active == 0:
                del self._lanes[destination]
            return None

    def _drain(self, reply: _Reply | None) -> None:
        while reply is not None:
            self._deliver(reply)
            reply = self._release(reply.destination)

    def _deliver(self, reply: _Reply) -> None:
        if time.monotonic() + MIN_ATTEMPT_SECONDS >= reply.deadline:
            self._finish(
                reply,
                "expired",
                f"not sent within {self.deadline_seconds:.0f} s (queued behind slow replies "
                "to the same destination)",
            )
            return
        try:
            reason = reply.send(reply.deadline)
        except Exception as error:
            if is_timeout(error):
                self._finish(
                    reply,
                    "unknown",
                    "Slack did not answer in time; the reply may or may not have been posted",
                )
            else:
                self._finish(reply, "failed", describe(error))
            return
        if reason:
            self._finish(reply, "failed", reason)
        else:
            self._finish(reply, "delivered", None)

    def _finish(self, reply: _Reply, outcome: str, reason: str | None) -> None:
        meta = reply.meta
        elapsed = time.monotonic() - reply.started
        surface = surface_label(meta.surface)
        self.metrics.inc("sentiment_replies_total", surface=surface, outcome=outcome)
        self.metrics.observe("sentiment_reply_seconds", elapsed, surface=surface)
        line = "reply id=%s team=%s surface=%s label=%s outcome=%s ms=%.0f"
        args: tuple[Any, ...] = (
            meta.request_id,
            meta.team or "-",
            meta.surface,
            meta.label or "-",
            outcome,
            elapsed * 1000,
        )
        if outcome == "delivered":
            log.info(line, *args)
        else:
            log.warning(line + " reason=%s", *args, reason)
