"""Slack retries: answer each event once, across processes and restarts.

Slack re-sends an event (with ``X-Slack-Retry-Num``) when it did not get our 200 within 3 s or
the request failed. Two naive policies are both wrong:

* dropping every request with ``X-Slack-Retry-Num`` loses events whose first delivery never
  reached us (network error, restart, a dyno that crashed before acking);
* answering every request double-replies whenever the first delivery *did* arrive but the ack
  was slow.

So each accepted event's ``event_id`` is *claimed* (:class:`Dedupe`): an atomic insert-if-absent
in the shared database (``bot.db.claims``), so a retry that lands on another process, or on this
one after a restart, finds the claim and is acked and skipped; an unclaimed id is processed even
if it is a retry. Claims are made only after signature verification, so forged requests cannot
poison them.

If the database fails, the bot keeps answering: the failure is logged, ``/healthz`` says
``degraded``, and only this process's memory (:class:`SeenEvents`) dedupes until it recovers.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.db import Database
    from bot.db.claims import ClaimStore

log = logging.getLogger(__name__)

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


class Dedupe:
    """Claims keys in the database when there is one; this process's memory otherwise.

    Every key is also remembered locally, so a retry reaching the same process is skipped
    without a database round trip, and while the database is down.
    """

    def __init__(
        self,
        store: ClaimStore | None = None,
        database: Database | None = None,
        local: SeenEvents | None = None,
    ):
        self.store = store
        self.database = database
        self.local = local if local is not None else SeenEvents()

    def first_time(self, key: str, team_id: str | None = None) -> bool:
        """True for the first delivery of ``key`` anywhere; never raises."""
        if not self.local.first_time(key):
            return False
        if self.store is None:
            return True
        from sqlalchemy.exc import SQLAlchemyError

        try:
            claimed = self.store.claim(key, team_id)
        except SQLAlchemyError as error:
            if self.database is not None:
                self.database.mark_failure(error)
            log.warning(
                "dedupe claim of %s failed (%s: %s); answering anyway",
                key,
                type(error).__name__,
                str(error).splitlines()[0][:120] if str(error) else "",
            )
            return True
        if self.database is not None:
            self.database.mark_ok()
        return claimed

    def forget_team(self, team_id: str) -> None:
        """Delete a workspace's claims (uninstall); failures are logged."""
        if self.store is None:
            return
        from sqlalchemy.exc import SQLAlchemyError

        try:
            self.store.forget_team(team_id)
        except SQLAlchemyError as error:
            log.warning("could not delete the claims of %s (%s)", team_id, type(error).__name__)


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


def make_dedupe_middleware(dedupe: Dedupe) -> Callable[..., Any]:
    """Bolt global middleware: ack (200) and stop for an event already claimed."""

    def skip_duplicate_events(body: dict[str, Any], request: Any, logger: Any, next: Any) -> Any:
        key = event_key(body)
        if key is not None and not dedupe.first_time(key, body.get("team_id")):
            retry = (request.headers.get("x-slack-retry-num") or [None])[0]
            reason = (request.headers.get("x-slack-retry-reason") or [None])[0]
            logger.info(
                "skipping duplicate delivery of %s (retry=%s reason=%s)", key, retry, reason
            )
            from slack_bolt import BoltResponse

            return BoltResponse(status=200, body="")
        return next()

    return skip_duplicate_events
