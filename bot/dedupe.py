"""Slack retries: answer each event once.

Slack re-sends an event (with ``X-Slack-Retry-Num``) when it did not get our 200 within 3 s or
the request failed. Two naive policies are both wrong:

* dropping every request with ``X-Slack-Retry-Num`` loses events whose first delivery never
  reached us (network error, restart, a dyno that crashed before acking);
* answering every request double-replies whenever the first delivery *did* arrive but the ack
  was slow.

So the bot remembers the ``event_id`` of every event it accepted (thread-safe TTL cache, one hour,
bounded size) and acks-and-skips any delivery whose id it has seen, retry header or not; an
unseen id is processed even if it is a retry. The id is recorded only after signature
verification, so forged requests cannot poison the cache. Limit: the cache is per process; with
several web dynos a retry routed to another dyno could be answered twice (use one web dyno, or
Socket Mode, which has one connection per process).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

DEFAULT_TTL_SECONDS = 3600.0
DEFAULT_MAX_ENTRIES = 50_000


class SeenEvents:
    """A bounded, thread-safe set of recently seen ids that forgets them after ``ttl``."""

    def __init__(
        self,
        ttl: float = DEFAULT_TTL_SECONDS,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.ttl = ttl
        self.max_entries = max_entries
        self.clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def first_time(self, key: str) -> bool:
        """Record ``key``; True if it was not seen within the TTL (atomic check-and-set)."""
        now = self.clock()
        with self._lock:
            while self._seen:
                oldest_key, seen_at = next(iter(self._seen.items()))
                if now - seen_at < self.ttl and len(self._seen) < self.max_entries:
                    break
                del self._seen[oldest_key]
            if key in self._seen:
                return False
            self._seen[key] = now
            return True

    def __len__(self) -> int:
        return len(self._seen)


def event_key(body: dict[str, Any]) -> str | None:
    """The id that identifies one Events API delivery across retries, if the body has one."""
    if body.get("type") != "event_callback":
        return None
    event_id = body.get("event_id")
    if event_id:
        return str(event_id)
    event = body.get("event") or {}
    if event.get("channel") and event.get("ts"):
        return f"{event.get('type')}:{event['channel']}:{event['ts']}"
    return None


def make_dedupe_middleware(seen: SeenEvents) -> Callable[..., Any]:
    """Bolt global middleware: ack (200) and stop for an event already accepted."""

    def skip_duplicate_events(body: dict[str, Any], request: Any, logger: Any, next: Any) -> Any:
        key = event_key(body)
        if key is not None and not seen.first_time(key):
            retry = (request.headers.get("x-slack-retry-num") or [None])[0]
            reason = (request.headers.get("x-slack-retry-reason") or [None])[0]
            logger.info(
                "skipping duplicate delivery of %s (retry=%s reason=%s)", key, retry, reason
            )
            from slack_bolt import BoltResponse

            return BoltResponse(status=200, body="")
        return next()

    return skip_duplicate_events
