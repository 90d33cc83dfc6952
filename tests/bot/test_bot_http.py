"""End-to-end over HTTP: signed Slack payloads → waitress → Bolt → the Web API stand-in.

The WSGI app runs in-process with a fake classifier (see conftest.running_bot); the same flows
against the real ``python -m bot`` subprocess and a trained model are in test_bot_subprocess.py.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.bot.listener_doubles import label_of
from tests.harness import (
    BOT_TOKEN,
    BOT_USER_ID,
    RunningBot,
    dm_event,
    mention_event,
    post,
    post_command,
    post_event,
    start_bot,
    stop_bot,
)


def _text_of(call) -> str:
    return call.body.get("text", "")


def test_slash_command_acks_fast_and_replies_via_response_url(running_bot: RunningBot):
    standin = running_bot.standin
    reply = post_command(
        running_bot.events_url, running_bot.secret, "What a great movie", standin.response_url("a")
    )
    assert reply.status == 200
    assert reply.body == ""
    assert reply.elapsed < 3
    [call] = standin.wait_for("response_url")
    assert call.path == "/response/a"
    assert call.body["response_type"] == "ephemeral"
    assert label_of(call.body["text"]) == "positive" and "93%" in call.body["text"]
    blocks = json.dumps(call.body["blocks"])
    assert "Positive" in blocks and "93%" in blocks and "What a great movie" in blocks
    standin.settle(0.3)
    assert len(standin.calls_to("response_url")) == 1
    assert standin.calls_to("chat.postMessage") == []


@pytest.mark.parametrize("text", ["", "   ", "help", "HELP"])
def test_empty_or_help_command_answers_usage(running_bot: RunningBot, text: str):
    standin = running_bot.standin
    reply = post_command(
        running_bot.events_url, running_bot.secret, text, standin.response_url("u")
    )
    assert reply.status == 200
    [call] = standin.wait_for("response_url")
    assert "Usage" in call.body["text"] and "/sentiment" in call.body["text"]
    assert call.body["response_type"] == "ephemeral"
    assert running_bot.classifier.calls == []


def test_in_channel_response_type(standin, fake_classifier):
    bot, server = start_bot(standin, fake_classifier, response_type="in_channel")
    try:
        reply = post_command(bot.events_url, bot.secret, "love it", standin.response_url("c"))
        assert reply.status == 200
        assert json.loads(reply.body)["response_type"] == "in_channel"
        [call] = standin.wait_for("response_url")
        assert call.body["response_type"] == "in_channel"
    finally:
        stop_bot(bot, server)


def test_mention_is_cleaned_scored_and_answered_in_thread(running_bot: RunningBot):
    standin = running_bot.standin
    event = mention_event(
        f"<@{BOT_USER_ID}> <!here> this is a great day :tada: <#C123|general> <https://x.io|link>",
        ts="1700000001.000100",
    )
    reply = post_event(running_bot.events_url, running_bot.secret, event, "EvMention1")
    assert reply.status == 200
    [call] = standin.wait_for("chat.postMessage")
    assert call.body["channel"] == "C0CHAN001"
    assert call.body["thread_ts"] == "1700000001.000100"
    assert running_bot.classifier.calls == [["this is a great day link"]]
    assert label_of(call.body["text"]) == "positive"
    assert call.headers.get("Authorization") == f"Bearer {BOT_TOKEN}"


def test_mention_inside_a_thread_replies_in_that_thread(running_bot: RunningBot):
    event = mention_event(
        f"<@{BOT_USER_ID}> awful service", ts="1700000002.000300", thread_ts="1700000000.000001"
    )
    post_event(running_bot.events_url, running_bot.secret, event, "EvMention2")
    [call] = running_bot.standin.wait_for("chat.postMessage")
    assert call.body["thread_ts"] == "1700000000.000001"
    assert label_of(call.body["text"]) == "negative"


def test_empty_mention_gets_one_line_help_in_thread(running_bot: RunningBot):
    event = mention_event(f"<@{BOT_USER_ID}>  :wave:", ts="1700000003.000100")
    post_event(running_bot.events_url, running_bot.secret, event, "EvMention3")
    [call] = running_bot.standin.wait_for("chat.postMessage")
    assert call.body["thread_ts"] == "1700000003.000100"
    assert "Mention" in call.body["text"] and "\n" not in call.body["text"]
    assert running_bot.classifier.calls == []


def test_direct_message_is_answered_in_the_dm(running_bot: RunningBot):
    post_event(running_bot.events_url, running_bot.secret, dm_event("I love this"), "EvDm1")
    [call] = running_bot.standin.wait_for("chat.postMessage")
    assert call.body["channel"] == "D0DM00001"
    assert "thread_ts" not in call.body
    assert label_of(call.body["text"]) == "positive"


@pytest.mark.parametrize(
    "extra",
    [
        {"bot_id": "BOTHER01"},
        {"user": BOT_USER_ID},
        {"subtype": "bot_message", "bot_id": "BOTHER01"},
        {"subtype": "message_changed"},
        {"subtype": "message_deleted"},
    ],
)
def test_bots_edits_and_own_messages_are_not_answered(running_bot: RunningBot, extra):
    reply = post_event(
        running_bot.events_url, running_bot.secret, dm_event("great", **extra), "EvIgnored"
    )
    assert reply.status == 200
    running_bot.standin.settle(0.5)
    assert running_bot.standin.calls_to("chat.postMessage") == []
    assert running_bot.classifier.calls == []


def test_retried_event_gets_exactly_one_reply(running_bot: RunningBot):
    standin = running_bot.standin
    event = dm_event("good stuff", ts="1700000005.000100")
    first = post_event(running_bot.events_url, running_bot.secret, event, "EvRetry1")
    retry_headers = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    second = post_event(
        running_bot.events_url, running_bot.secret, event, "EvRetry1", extra_headers=retry_headers
    )
    third = post_event(
        running_bot.events_url,
        running_bot.secret,
        event,
        "EvRetry1",
        extra_headers={"X-Slack-Retry-Num": "2", "X-Slack-Retry-Reason": "http_timeout"},
    )
    assert (first.status, second.status, third.status) == (200, 200, 200)
    standin.wait_for("chat.postMessage")
    standin.settle(0.7)
    assert len(standin.calls_to("chat.postMessage")) == 1


def test_retry_of_an_event_never_received_is_answered(running_bot: RunningBot):
    event = dm_event("good stuff", ts="1700000006.000100")
    reply = post_event(
        running_bot.events_url,
        running_bot.secret,
        event,
        "EvLostFirst",
        extra_headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_error"},
    )
    assert reply.status == 200
    assert len(running_bot.standin.wait_for("chat.postMessage")) == 1


def test_forged_signature_is_rejected(running_bot: RunningBot):
    standin = running_bot.standin
    reply = post_command(
        running_bot.events_url, "not-the-secret", "great", standin.response_url("forged")
    )
    assert reply.status == 401
    reply = post_event(running_bot.events_url, "not-the-secret", dm_event("great"), "EvForged")
    assert reply.status == 401
    standin.settle(0.5)
    assert standin.calls == []
    assert running_bot.classifier.calls == []


def test_stale_timestamp_is_rejected(running_bot: RunningBot):
    standin = running_bot.standin
    stale = int(time.time()) - 6 * 60
    reply = post_command(
        running_bot.events_url,
        running_bot.secret,
        "great",
        standin.response_url("stale"),
        timestamp=stale,
    )
    assert reply.status == 401
    standin.settle(0.5)
    assert standin.calls == []


def test_forged_event_does_not_poison_the_retry_cache(running_bot: RunningBot):
    event = dm_event("great", ts="1700000007.000100")
    assert post_event(running_bot.events_url, "forged", event, "EvPoison").status == 401
    assert post_event(running_bot.events_url, running_bot.secret, event, "EvPoison").status == 200
    assert len(running_bot.standin.wait_for("chat.postMessage")) == 1


def test_scoring_error_apologises_logs_the_request_id_and_keeps_serving(
    running_bot: RunningBot, caplog: pytest.LogCaptureFixture
):
    standin = running_bot.standin
    caplog.set_level(logging.ERROR)
    post_event(running_bot.events_url, running_bot.secret, dm_event("boom"), "EvBoom42")
    [call] = standin.wait_for("chat.postMessage")
    assert "Sorry" in call.body["text"] and "EvBoom42" in call.body["text"]
    deadline = time.monotonic() + 5
    while "EvBoom42" not in caplog.text and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "EvBoom42" in caplog.text
    reply = post_command(
        running_bot.events_url, running_bot.secret, "great", standin.response_url("after")
    )
    assert reply.status == 200
    assert label_of(standin.wait_for("response_url")[0].body["text"]) == "positive"


def test_rate_limited_and_failing_calls_are_retried(running_bot: RunningBot):
    standin = running_bot.standin
    standin.fail_next("chat.postMessage", 429)
    standin.fail_next("response_url", 500)
    post_event(running_bot.events_url, running_bot.secret, dm_event("great"), "EvRateLimited")
    post_command(running_bot.events_url, running_bot.secret, "great", standin.response_url("r"))
    assert len(standin.wait_for("chat.postMessage", timeout=15)) == 1
    assert len(standin.wait_for("response_url", timeout=15)) == 1
    assert len(standin.calls_to("chat.postMessage:failed")) == 1
    assert len(standin.calls_to("response_url:failed")) == 1


def test_low_confidence_and_non_english_are_said_plainly(running_bot: RunningBot):
    standin = running_bot.standin
    post_command(running_bot.events_url, running_bot.secret, "meh", standin.response_url("low"))
    post_command(
        running_bot.events_url,
        running_bot.secret,
        "Das ist ein sehr gut Film",
        standin.response_url("de"),
    )
    calls = {c.path: c.body for c in standin.wait_for("response_url", 2)}
    low = calls["/response/low"]
    assert "Low confidence" in low["text"] and "55%" in low["text"]
    assert "Low confidence" in json.dumps(low["blocks"])
    german = calls["/response/de"]
    assert "English" in german["text"] and "English" in json.dumps(german["blocks"])


def test_url_verification_challenge(running_bot: RunningBot):
    body = json.dumps({"token": "x", "challenge": "c-123", "type": "url_verification"})
    reply = post(running_bot.events_url, body, running_bot.secret, content_type="application/json")
    assert reply.status == 200
    assert "c-123" in reply.body


def test_healthz_reports_model_version_and_accuracy(running_bot: RunningBot):
    with urllib.request.urlopen(f"{running_bot.url}/healthz", timeout=5) as response:
        assert response.status == 200
        payload = json.loads(response.read())
    assert payload["status"] == "ok"
    assert payload["model_version"] == "fake-1" and payload["runtime"] == "fake"
    assert payload["test_accuracy"] == 0.875
    assert payload["auth"] == "single-workspace"
    assert payload["database"] is None  # this in-process bot has no database


def test_healthz_is_503_until_the_model_is_loaded():
    from bot.runners.http import SlackWsgiApp

    statuses = []
    app = SlackWsgiApp()
    body = app({"PATH_INFO": "/healthz", "REQUEST_METHOD": "GET"}, lambda s, h: statuses.append(s))
    assert statuses == ["503 Service Unavailable"]
    assert json.loads(b"".join(body))["status"] == "loading"
    app({"PATH_INFO": "/slack/events", "REQUEST_METHOD": "POST"}, lambda s, h: statuses.append(s))
    assert statuses[-1].startswith("503")
    app({"PATH_INFO": "/nope", "REQUEST_METHOD": "GET"}, lambda s, h: statuses.append(s))
    assert statuses[-1].startswith("404")


def test_fifty_concurrent_commands_all_acked_within_3s_each_answered_once(
    running_bot: RunningBot,
):
    standin = running_bot.standin
    n = 50

    def fire(i: int):
        return post_command(
            running_bot.events_url,
            running_bot.secret,
            f"great movie number {i}",
            standin.response_url(f"burst-{i}"),
        )

    with ThreadPoolExecutor(max_workers=n) as pool:
        replies = list(pool.map(fire, range(n)))
    assert [r.status for r in replies] == [200] * n
    assert max(r.elapsed for r in replies) < 3.0
    standin.wait_for("response_url", n, timeout=20)
    standin.settle(0.5)
    paths = sorted(c.path for c in standin.calls_to("response_url"))
    assert paths == sorted(f"/response/burst-{i}" for i in range(n))


def test_works_when_the_standin_has_no_auth_test(fake_classifier):
    from tests.harness import SlackStandin

    with SlackStandin(auth_test=False) as standin:
        bot, server = start_bot(standin, fake_classifier)
        try:
            event = mention_event(f"<@{BOT_USER_ID}> great", ts="1700000009.000100")
            post_event(bot.events_url, bot.secret, event, "EvNoAuth")
            [call] = standin.wait_for("chat.postMessage")
            assert call.body["thread_ts"] == "1700000009.000100"
        finally:
            stop_bot(bot, server)


def test_unsubscribed_event_types_are_acked_not_404(running_bot: RunningBot):
    event = {"type": "reaction_added", "user": "U1", "reaction": "tada", "event_ts": "1.2"}
    reply = post_event(running_bot.events_url, running_bot.secret, event, "EvReaction")
    assert reply.status == 200
    running_bot.standin.settle(0.3)
    assert running_bot.standin.calls_to("chat.postMessage") == []
