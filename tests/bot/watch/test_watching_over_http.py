"""Channel watching end to end: signed Slack payloads → the real HTTP server → Bolt → the Web API
stand-in, with the keyword classifier, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
import time
import urllib.parse
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from watch_helpers import (
    MEMBER,
    OUTSIDER,
    WATCHED,
    WatchStandin,
    block_action,
    channel_message,
    dm_of,
    post_watch_command,
)

from bot.db.schema import event_claims
from bot.watch.store import claim_key
from bot.watch.tables import WATCH_TABLES, hourly_counts, watched_channels
from tests.harness import (
    REPO,
    SIGNING_SECRET,
    TEAM_ID,
    FakeClassifier,
    RunningBot,
    dm_event,
    post,
    post_event,
    start_bot,
    stop_bot,
)

SHARES = re.compile(r"(\d+)% positive, (\d+)% negative, (\d+)% no clear sentiment")
OTHER = "C0OTHER01"


@pytest.fixture
def watch_standin() -> Iterator[WatchStandin]:
    with WatchStandin() as standin:
        standin.set_members(WATCHED, [MEMBER, "UBOT0001"])
        standin.set_members(OTHER, [MEMBER, "UBOT0001"])
        yield standin


@pytest.fixture
def bot(watch_standin, migrated_database) -> Iterator[RunningBot]:
    running, server = start_bot(watch_standin, FakeClassifier(), database=migrated_database)
    try:
        yield running
    finally:
        stop_bot(running, server)


def command(bot: RunningBot, text: str, name: str, **kw) -> dict:
    """Run a /sentiment command and return its (one) response_url answer."""
    standin = bot.standin
    reply = post_watch_command(
        bot.events_url, SIGNING_SECRET, text, standin.response_url(name), **kw
    )
    assert reply.status == 200 and reply.body == ""  # private: an empty ack
    calls = [c for c in standin.wait_for("response_url", 1, timeout=10) if c.path.endswith(name)]
    deadline = time.monotonic() + 10
    while not calls and time.monotonic() < deadline:
        time.sleep(0.02)
        calls = [c for c in standin.calls_to("response_url") if c.path.endswith(f"/{name}")]
    assert len(calls) == 1, calls
    assert calls[0].body["response_type"] == "ephemeral"
    return calls[0].body


def send(bot: RunningBot, texts: list[str], channel: str = WATCHED, start: int = 0) -> None:
    now = time.time()
    for i, text in enumerate(texts, start):
        event = channel_message(text, f"{now - 60 + i * 0.001:.6f}", channel=channel)
        assert post_event(bot.events_url, SIGNING_SECRET, event, f"EvMsg{channel}{i}").status == 200


def wait_counted(database, total: int, timeout: float = 10.0) -> int:
    deadline = time.monotonic() + timeout
    while True:
        with database.engine.connect() as connection:
            rows = connection.execute(select(hourly_counts)).all()
        counted = sum(r.positive + r.negative + r.neutral for r in rows)
        if counted >= total or time.monotonic() > deadline:
            return counted
        time.sleep(0.05)


def test_watch_tells_the_channel_once_and_only_members_may_change_it(bot, migrated_database):
    standin = bot.standin
    refused = command(bot, "watch", "outsider", user=OUTSIDER)
    assert f"Only members of <#{WATCHED}>" in refused["text"]
    assert standin.calls_to("chat.postMessage") == []
    answer = command(bot, "watch", "first")
    assert f"Watching <#{WATCHED}>" in answer["text"]
    assert "already watched" in command(bot, "watch", "second")["text"]
    [announcement] = standin.calls_to("chat.postMessage")
    assert announcement.body["channel"] == WATCHED
    assert "keep only counts" in announcement.body["text"]
    assert "no message text" in announcement.body["text"]
    assert "not watched" in command(bot, "unwatch", "un1", channel=OTHER)["text"]
    assert "deleted its counts" in command(bot, "unwatch", "un2")["text"]
    assert "not a member of" in command(bot, "watch", "nobot", channel="C0NOBOT01")["text"]


def test_messages_are_counted_after_the_ack_and_mood_reads_the_counts(bot, migrated_database):
    standin = bot.standin
    command(bot, "watch", "w")
    assert "too few to say (0 messages)" in command(bot, "mood", "early")["text"]
    texts = ["great", "awful", "love it", "bad", "great day", "hate it", "good", "meh"]
    send(bot, texts)
    send(bot, ["unwatched: great"], channel=OTHER, start=100)
    assert wait_counted(migrated_database, len(texts)) == len(texts)
    standin.settle(0.3)
    scored = [t for call in bot.classifier.calls for t in call]
    assert sorted(scored) == sorted(texts)  # the unwatched channel's message was not scored
    answer = command(bot, "mood 7d", "m7")
    # the keyword model: 4 positive + "meh" (0.55, positive) = 5; 3 negative; no neutral
    assert SHARES.search(answer["text"]).groups() == ("63", "37", "0")
    assert "(8 messages)" in answer["text"]
    assert standin.calls_to("conversations.history") == []
    blocks = json.dumps(answer["blocks"], ensure_ascii=False)
    assert "█" in blocks and "hate" not in blocks
    assert SHARES.search(command(bot, "mood 24h", "m24")["text"]).groups() == ("63", "37", "0")


def test_retries_edits_and_bots_are_not_counted_twice_or_at_all(bot, migrated_database):
    command(bot, "watch", "w")
    ts = f"{time.time() - 5:.6f}"
    event = channel_message("great", ts)
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    post_event(bot.events_url, SIGNING_SECRET, event, "EvOnce")
    post_event(bot.events_url, SIGNING_SECRET, event, "EvOnce", extra_headers=retry)
    post_event(bot.events_url, SIGNING_SECRET, event, "EvOnceOtherId")  # a replay, new event id
    edited = channel_message("awful", ts, subtype="message_changed")
    post_event(bot.events_url, SIGNING_SECRET, edited, "EvEdit")
    deleted = channel_message("", ts, subtype="message_deleted")
    post_event(bot.events_url, SIGNING_SECRET, deleted, "EvDelete")
    by_bot = channel_message("awful", f"{time.time():.6f}", bot_id="B0OTHER01")
    post_event(bot.events_url, SIGNING_SECRET, by_bot, "EvBot")
    bot.standin.settle(0.5)
    assert wait_counted(migrated_database, 1, timeout=1) == 1
    with migrated_database.engine.connect() as connection:
        [row] = connection.execute(select(hourly_counts)).all()
    assert (row.positive, row.negative, row.neutral) == (1, 0, 0)


def test_direct_messages_are_still_answered_while_channels_are_counted(bot):
    post_event(bot.events_url, SIGNING_SECRET, dm_event("great"), "EvDm")
    [reply] = bot.standin.wait_for("chat.postMessage")
    assert reply.body["channel"] == "D0DM00001"
    assert "Sentiment: positive (93% confident)" in reply.body["text"]


def test_unwatched_mood_reads_at_most_15_per_request_and_waits_out_429(bot):
    standin = bot.standin
    history = [
        {"type": "message", "user": MEMBER, "text": w, "ts": f"17000000{i:02d}.000100"}
        for i, w in enumerate(["great", "bad", "good", "awful"] * 5)
    ]
    standin.set_history(OTHER, history)
    standin.fail_next("conversations.history", 429, retry_after="1")
    started = time.monotonic()
    answer = command(bot, "mood 20", "hist", channel=OTHER)
    calls = standin.calls_to("conversations.history")
    ok = [c for c in calls if c.method == "conversations.history"]
    assert all(
        int(c.body["limit"]) <= 15 for c in calls + standin.calls_to("conversations.history:failed")
    )
    assert len(standin.calls_to("conversations.history:failed")) == 1
    assert len(ok) == 2 and time.monotonic() - started >= 1.0  # waited out Retry-After
    assert "I read 20 messages of history (2 requests of at most 15" in answer["text"] + json.dumps(
        answer["blocks"]
    )
    assert "/sentiment watch" in json.dumps(answer["blocks"])


def test_alert_fires_once_with_figures_and_a_link_never_a_quote(bot, migrated_database):
    standin = bot.standin
    command(bot, "watch", "w")
    answer = command(bot, "alert 40% <#C0ALERTS1|alerts>", "a")
    assert "40%" in answer["text"] and "<#C0ALERTS1>" in answer["text"]
    send(bot, ["great"] * 20 + ["dreadful awful"] * 14 + ["great"] * 6 + ["so bad"] * 10)
    wait_counted(migrated_database, 50)
    standin.settle(0.5)
    notices = [c for c in standin.calls_to("chat.postMessage") if c.body["channel"] == "C0ALERTS1"]
    assert len(notices) == 1
    text = notices[0].body["text"]
    # messages are counted in the order their deliveries are processed, so the crossing is seen
    # at 8 or more negatives of the last 20 (40% or more), once
    figures = re.search(r"(\d+) of its last 20 messages \((\d+)%\) were negative", text)
    assert figures is not None and 8 <= int(figures.group(1)) <= 20
    assert int(figures.group(2)) == 5 * int(figures.group(1))
    assert f"channel={WATCHED}" in text and "dreadful" not in text and "awful" not in text
    dm = command(bot, "alert 30", "dm")
    assert "you by DM" in dm["text"]
    with migrated_database.engine.connect() as connection:
        row = connection.execute(select(watched_channels)).one()
    assert row.alert_destination == dm_of(MEMBER) and row.alert_threshold == pytest.approx(0.3)
    assert "turned off" in command(bot, "alert off", "off")["text"]


def test_reactions_are_opt_in_and_only_for_strong_messages(bot, migrated_database):
    standin = bot.standin
    command(bot, "watch", "w")
    send(bot, ["great"], start=0)
    wait_counted(migrated_database, 1)
    standin.settle(0.3)
    assert standin.calls_to("reactions.add") == []  # off by default
    assert "reactions on" in command(bot, "reactions on", "r")["text"]
    send(bot, ["great", "awful", "meh", "plain words"], start=10)
    wait_counted(migrated_database, 5)
    standin.settle(0.3)
    names = sorted(c.body["name"] for c in standin.calls_to("reactions.add"))
    assert names == ["slightly_frowning_face", "slightly_smiling_face"]


def test_archived_channel_and_uninstall_delete_the_counts(bot, migrated_database):
    command(bot, "watch", "w")
    command(bot, "watch", "w2", channel=OTHER)
    send(bot, ["great", "bad"])
    send(bot, ["good"], channel=OTHER, start=50)
    wait_counted(migrated_database, 3)
    archive = {"type": "channel_archive", "channel": WATCHED, "user": MEMBER}
    assert post_event(bot.events_url, SIGNING_SECRET, archive, "EvArchive").status == 200
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and wait_counted(migrated_database, 0) != 1:
        time.sleep(0.05)
    with migrated_database.engine.connect() as connection:
        assert {r.channel_id for r in connection.execute(select(hourly_counts))} == {OTHER}
    uninstall = {"type": "app_uninstalled"}
    assert post_event(bot.events_url, SIGNING_SECRET, uninstall, "EvUninstall").status == 200
    with migrated_database.engine.connect() as connection:
        for table in WATCH_TABLES:
            assert connection.execute(select(table)).all() == [], table.name


def test_app_home_lists_watched_channels_and_toggles_them(bot, migrated_database):
    standin = bot.standin
    opened = {"type": "app_home_opened", "user": MEMBER, "channel": "D0DM00001", "tab": "home"}
    post_event(bot.events_url, SIGNING_SECRET, opened, "EvHome")
    [published] = standin.wait_for("views.publish")
    assert "Channel mood" in json.dumps(published.body)
    pick = {"type": "conversations_select", "action_id": "mood_watch_pick"}
    body = block_action({**pick, "selected_conversation": WATCHED})
    payload = urllib.parse.urlencode({"payload": json.dumps(body)})
    assert post(bot.events_url, payload, SIGNING_SECRET).status == 200
    standin.wait_for("views.publish", 2)
    view = json.dumps(standin.calls_to("views.publish")[-1].body)
    assert f"<#{WATCHED}> is watched" in view and "Stop watching" in view
    assert standin.wait_for("chat.postMessage")[0].body["channel"] == WATCHED  # told once
    stop = block_action({"type": "button", "action_id": "mood_unwatch", "value": WATCHED})
    outsider = block_action(
        {"type": "button", "action_id": "mood_unwatch", "value": WATCHED}, user=OUTSIDER
    )
    post(bot.events_url, urllib.parse.urlencode({"payload": json.dumps(outsider)}), SIGNING_SECRET)
    standin.wait_for("views.publish", 3)
    assert "Only members" in json.dumps(standin.calls_to("views.publish")[-1].body)
    post(bot.events_url, urllib.parse.urlencode({"payload": json.dumps(stop)}), SIGNING_SECRET)
    standin.wait_for("views.publish", 4)
    with migrated_database.engine.connect() as connection:
        assert connection.execute(select(watched_channels)).all() == []


def test_stored_rows_hold_none_of_the_words(bot, migrated_database):
    command(bot, "watch", "w")
    words = [f"great zebra{i} quokka marmalade" for i in range(10)]
    words += [f"awful walrus{i} pelican" for i in range(10)]
    send(bot, words)
    assert wait_counted(migrated_database, 20) == 20
    with migrated_database.engine.connect() as connection:
        dump = " ".join(
            str(value)
            for table in WATCH_TABLES
            for row in connection.execute(select(table))
            for value in row
        )
    assert TEAM_ID in dump and WATCHED in dump  # the rows are there
    for word in ("zebra", "quokka", "marmalade", "walrus", "pelican", "great", "awful", MEMBER):
        assert word not in dump


def test_the_manifest_subscribes_to_what_watching_listens_for():
    from bot.listeners.watching import CHANNEL_GONE_EVENTS

    manifest = (REPO / "manifest.yml").read_text()
    for event in ("message.channels", "message.groups", "app_uninstalled", *CHANNEL_GONE_EVENTS):
        assert re.search(rf"^      - {re.escape(event)}\b", manifest, re.M), event


@pytest.fixture
def tuned_bot(watch_standin, migrated_database) -> Iterator[RunningBot]:
    """A bot with every MOOD_* setting away from its default."""
    running, server = start_bot(
        watch_standin,
        FakeClassifier(),
        database=migrated_database,
        mood_retention_days=1,
        mood_alert_window=25,
        mood_alert_cooldown_minutes=90,
        mood_reaction_confidence=0.95,
    )
    try:
        yield running
    finally:
        stop_bot(running, server)


def test_the_mood_settings_reach_counting_alerts_reactions_and_retention(
    tuned_bot, migrated_database
):
    bot, standin = tuned_bot, tuned_bot.standin
    command(bot, "watch", "w")
    answer = command(bot, "alert 40%", "a")
    assert "of the last 25 messages" in answer["text"] and "every 90 min" in answer["text"]
    command(bot, "reactions on", "r")
    old_ts = f"{time.time() - 3 * 86_400:.6f}"
    post_event(bot.events_url, SIGNING_SECRET, channel_message("great", old_ts), "EvOld")
    key = claim_key(TEAM_ID, WATCHED, old_ts)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # counted (its claim is there) ...
        with migrated_database.engine.connect() as connection:
            claimed = connection.execute(
                select(event_claims).where(event_claims.c.claim_key == key)
            ).first()
        if claimed:
            break
        time.sleep(0.05)
    assert claimed is not None
    # ... and its hour, past MOOD_RETENTION_DAYS=1, purged by the app right after counting
    assert wait_counted(migrated_database, 1, timeout=0.5) == 0
    send(bot, ["great", "awful"], start=10)  # keyword model: 0.93 and 0.96 sure
    assert wait_counted(migrated_database, 2) == 2
    standin.settle(0.3)
    names = [c.body["name"] for c in standin.calls_to("reactions.add")]
    assert names == ["slightly_frowning_face"]  # 0.96 >= 0.95; 0.93 is not


def test_mood_settings_are_validated():
    from bot.settings import SettingsError, load_settings

    env = {"MOOD_ALERT_WINDOW": "10", "MOOD_REACTION_CONFIDENCE": "2", "MOOD_RETENTION_DAYS": "0"}
    with pytest.raises(SettingsError) as caught:
        load_settings("console", env)
    for name in env:
        assert name in str(caught.value)
