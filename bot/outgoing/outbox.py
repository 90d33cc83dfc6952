"""Replies leave the listener threads through one outbox, per destination, within a deadline.

:class:`Outbox` queues them per destination lane (a channel, a ``response_url``, a Home tab)
and sends from its executor, at most ``PER_DESTINATION`` at a time per lane: a channel whose
``chat.postMessage`` stalls ties up two sending threads and its own queue, not every worker, so
other people's replies are not delayed behind it. Each reply has a deadline from the moment its
request arrived; a reply that cannot be delivered by then is dropped. Every reply ends in one
log line with its request id and outcome (delivered, failed, unknown, expired), never its text.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient

from bot.metrics import METRICS, Metrics, surface_label
from bot.outgoing.destinations import ChannelPost, Destination, Payload, ResponseUrl
from bot.outgoing.reply_meta import ReplyMeta
from bot.outgoing.response_url import ResponseSender
from bot.outgoing.retry import MIN_ATTEMPT_SECONDS
from bot.outgoing.slack_errors import describe, is_timeout
from bot.outgoing.web_client import WEB_API_TIMEOUT_SECONDS

log = logging.getLogger("bot.outbox")

#: From the request's arrival to the reply's last attempt.
DEFAULT_REPLY_DEADLINE_SECONDS = 30.0
#: Sends in flight per channel / response_url (Slack allows about one message per second per
#: channel anyway); the rest of that destination's replies wait in its queue.
PER_DESTINATION = 2
#: Queued replies per destination beyond which new ones are refused at once (logged).
MAX_QUEUED_PER_DESTINATION = 200
OUTBOX_THREADS = 32

#: Called with the payload that could not be delivered (e.g. to send it elsewhere).
OnFailure = Callable[[Payload], None]


@dataclass
class _Reply:
    destination: Destination
    payload: Payload
    meta: ReplyMeta
    deadline: float
    started: float
    on_failure: OnFailure | None = None


class _Lane:
    __slots__ = ("active", "waiting")

    def __init__(self) -> None:
        self.active = 0
        self.waiting: deque[_Reply] = deque()


class Outbox:
    """Sends replies off the listener threads, per destination, each within its deadline.

    ``executor`` runs the sends (a thread pool by default; tests pass one that runs them at once,
    so a listener's reply has been sent when the listener returns).
    """

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
        executor: Executor | None = None,
    ):
        self.deadline_seconds = deadline_seconds
        self.api_timeout = api_timeout
        self.per_destination = per_destination
        self.max_queued = max_queued
        self.metrics = metrics
        self.response_sender = response_sender or ResponseSender(timeout=api_timeout)
        self._executor = executor or ThreadPoolExecutor(
            max_workers=threads, thread_name_prefix="outbox"
        )
        self._lanes: dict[str, _Lane] = {}
        #: Every reply accepted and not yet finished, so a shutdown can name what it abandons.
        self._open: dict[int, _Reply] = {}
        self._lock = threading.Lock()

    # -- what listeners call -----------------------------------------------------------------

    def send(
        self,
        destination: Destination,
        payload: Payload,
        meta: ReplyMeta,
        on_failure: OnFailure | None = None,
    ) -> None:
        """Queue ``payload`` for ``destination``; returns at once. ``on_failure`` runs (on the
        sending thread) when the reply is refused or fails, not when its outcome is unknown."""
        now = time.monotonic()
        received = meta.received_at if meta.received_at is not None else now
        reply = _Reply(
            destination, payload, meta, received + self.deadline_seconds, received, on_failure
        )
        lane_key = destination.lane
        with self._lock:
            self._open[id(reply)] = reply
            lane = self._lanes.setdefault(lane_key, _Lane())
            if lane.active < self.per_destination:
                lane.active += 1
                start: bool | None = True
            elif len(lane.waiting) >= self.max_queued:
                start = None
            else:
                lane.waiting.append(reply)
                start = False
        if start is None:
            self._finish(reply, "expired", "too many replies already queued for this destination")
        elif start:
            try:
                self._executor.submit(self._drain, reply)
            except RuntimeError:  # shutting down
                self._release(lane_key)
                self._finish(reply, "failed", "the process is shutting down")

    def post_message(
        self,
        client: WebClient,
        *,
        channel: str,
        message: Payload,
        meta: ReplyMeta,
        thread_ts: str | None = None,
    ) -> None:
        """Queue ``chat.postMessage`` to ``channel`` with ``client``'s token; returns at once."""
        self.send(ChannelPost(client, channel, thread_ts, meta.team), message, meta)

    def respond(self, response_url: str, message: Payload, meta: ReplyMeta) -> None:
        """Queue a post to a ``response_url``; returns at once."""
        self.send(ResponseUrl(response_url, self.response_sender), message, meta)

    def shutdown(self, wait: bool = True) -> None:
        """Stop taking replies; with ``wait``, finish (or expire) the queued ones first."""
        self._executor.shutdown(wait=wait)

    def abandon(self, reason: str) -> int:
        """Log every reply not yet finished as ``unknown`` with ``reason`` (a shutdown whose
        drain deadline passed); returns how many. A send still running is not interrupted."""
        with self._lock:
            left = list(self._open.values())
        for reply in left:
            self._finish(reply, "unknown", reason)
        return len(left)

    def pending(self) -> int:
        """Replies queued or being sent (for tests and metrics)."""
        with self._lock:
            return sum(lane.active + len(lane.waiting) for lane in self._lanes.values())

    # -- machinery ---------------------------------------------------------------------------

    def _release(self, lane_key: str) -> _Reply | None:
        """The lane's next queued reply, or None after marking one sender done."""
        with self._lock:
            lane = self._lanes[lane_key]
            if lane.waiting:
                return lane.waiting.popleft()
            lane.active -= 1
            if lane.active == 0:
                del self._lanes[lane_key]
            return None

    def _drain(self, reply: _Reply | None) -> None:
        while reply is not None:
            self._deliver(reply)
            reply = self._release(reply.destination.lane)

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
            reason = reply.destination.send(reply.payload, reply.deadline, self.api_timeout)
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
        with self._lock:
            if self._open.pop(id(reply), None) is None:
                return  # already finished (abandoned at shutdown, then completed)
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
        if outcome in ("failed", "expired") and reply.on_failure is not None:
            try:
                reply.on_failure(reply.payload)
            except Exception as error:
                log.warning(
                    "reply id=%s: its fallback failed: %s", meta.request_id, describe(error)
                )
