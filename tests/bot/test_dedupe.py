"""bot.dedupe: the in-process retry cache and the key an event is deduplicated by."""

from __future__ import annotations

from bot.dedupe import SeenEvents, event_key


def test_seen_events_ttl_and_bound():
    now = [0.0]
    seen = SeenEvents(ttl=10, max_entries=3, clock=lambda: now[0])
    assert seen.first_time("a") and not seen.first_time("a")
    now[0] = 11
    assert seen.first_time("a")  # expired, so new again
    for key in "bcd":
        assert seen.first_time(key)
    assert len(seen) <= 3


def test_event_key():
    assert event_key({"type": "event_callback", "event_id": "Ev1"}) == "Ev1"
    assert event_key({"type": "event_callback", "event": {"channel": "C", "ts": "1"}})
    assert event_key({"command": "/sentiment"}) is None
