"""``run_digest`` on SQLite and PostgreSQL: one post per channel per ISO week, retried after a
failed post, to the destination chosen at watch time."""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackApiError

from bot.watch.digest import digest_span, run_digest, week_key
from bot.watch.store import WatchStore

NOW = 1_764_576_000.0 + 9 * 3600  # Mon 1 Dec 2025, 09:00 UTC
TEAM = "T0TEAM001"


class Client:
    def __init__(self, fail: bool = False):
        self.fail = fail
        self.posts: list[dict[str, Any]] = []

    def chat_postMessage(self, **kwargs: Any) -> dict:
        if self.fail:
            raise SlackApiError("refused", {"ok": False, "error": "not_in_channel"})
        self.posts.append(kwargs)
        return {"ok": True}


def test_week_key_and_span():
    assert week_key(NOW) == "2025-W49"
    start, end = digest_span(NOW)
    assert end % 24 == 0 and end - start == 168 and end * 3600 <= NOW < end * 3600 + 86400


def test_one_post_per_week_and_a_retry_after_a_failure(migrated_database):
    store = WatchStore(migrated_database, clock=lambda: NOW)
    store.watch(TEAM, "C0WATCH01", "C0LEADS01")
    store.watch(TEAM, "C0QUIET01")
    start, _ = digest_span(NOW)
    for i in range(6):
        store.count(TEAM, "C0WATCH01", f"{(start + 10) * 3600 + i}.000100", "negative")
    broken = run_digest(store, lambda team: Client(fail=True), NOW)
    assert (broken.posted, broken.failed) == (0, 2)
    client = Client()
    first = run_digest(store, lambda team: client, NOW)
    again = run_digest(store, lambda team: client, NOW + 3600)
    assert (first.posted, again.posted, again.already_posted) == (2, 0, 2)
    by_channel = {post["channel"]: post["text"] for post in client.posts}
    assert set(by_channel) == {"C0LEADS01", "C0QUIET01"}
    assert "0% positive, 100% negative" in by_channel["C0LEADS01"]
    assert "too few to say (0 messages)" in by_channel["C0QUIET01"]
    next_week = run_digest(store, lambda team: client, NOW + 7 * 86400)
    assert next_week.posted == 2
