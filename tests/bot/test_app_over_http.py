"""Hostile payloads and a flaky Slack through the whole HTTP app (waitress + guard + events
handler + Bolt + outbox), in-process with the keyword classifier, against the Web API stand-in:
payload-shaped texts, oversized and unsigned posts, long texts, reply log lines, a stalled
channel, half-open sockets, fractional Retry-After, mutated signed payloads."""

from __future__ import annotations

import copy
import io
import json
import logging
import random
import socket
import time
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.bot.listener_doubles import label_of
from tests.harness import (
    BOT_USER_ID,
    RunningBot,
    command_body,
    dm_event,
    event_body,
    mention_event,
    post,
    post_command,
    post_event,
    start_bot,
    stop_bot,
)


def test_command_with_payload_in_its_text_is_answered(running_bot: RunningBot):
    standin = running_bot.standin
    text = "the payload arrived and I love it"
    reply = post_command(
        running_bot.events_url, running_bot.secret, text, standin.response_url("p")
    )
    assert reply.status == 200
    [call] = standin.wait_for("response_url")
    assert label_of(call.body["text"]) == "positive"
    assert running_bot.classifier.calls == [[text]]


def test_command_from_a_channel_named_payload_is_answered(running_bot: RunningBot):
    standin = running_bot.standin
    fields = dict(urllib.parse.parse_qsl(command_body("great", standin.response_url("pc"))))
    fields["channel_name"] = "payload-team"
    reply = post(running_bot.events_url, urllib.parse.urlencode(fields), running_bot.secret)
    assert reply.status == 200
    assert label_of(standin.wait_for("response_url")[0].body["text"]) == "positive"


def _raw_post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_oversized_unsigned_post_is_413_with_a_short_log(running_bot: RunningBot, caplog):
    caplog.set_level(logging.DEBUG)
    body = b"text=" + b"A" * 20_000_000
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    status, _ = _raw_post(running_bot.events_url, body, headers)
    assert status == 413
    assert "AAAA" not in caplog.text and len(caplog.text) < 10_000


def test_unsigned_junk_is_401_not_500(running_bot: RunningBot):
    for body in (b"[1]", b"\xef\xbb\xbf{}", b"\xff\xfe", b"{bad"):
        headers = {
            "Content-Type": "application/json",
            "X-Slack-Request-Timestamp": "yesterday",
            "X-Slack-Signature": "v0=00",
        }
        assert _raw_post(running_bot.events_url, body, headers)[0] == 401


def test_long_text_is_cut_and_the_reply_says_so(running_bot: RunningBot):
    standin = running_bot.standin
    text = "great " * 10_000  # 60,000 characters
    reply = post_command(
        running_bot.events_url, running_bot.secret, text, standin.response_url("l")
    )
    assert reply.status == 200
    [call] = standin.wait_for("response_url")
    assert "40,000" in call.body["text"] and "40,000" in json.dumps(call.body["blocks"])
    [[scored]] = running_bot.classifier.calls
    assert len(scored) <= 40_000


def test_reply_log_line_has_id_surface_label_and_no_text(running_bot: RunningBot, caplog):
    caplog.set_level(logging.INFO)
    standin = running_bot.standin
    body = command_body(
        "a wonderful secret sentence", standin.response_url("log"), trigger_id="Tr.LOG.1"
    )
    post(running_bot.events_url, body, running_bot.secret)
    standin.wait_for("response_url")
    deadline = time.monotonic() + 5
    while "outcome=delivered" not in caplog.text and time.monotonic() < deadline:
        time.sleep(0.05)
    lines = [r.getMessage() for r in caplog.records if r.name in ("bot.http", "bot.outbox")]
    assert any(
        line.startswith("request id=Tr.LOG.1 team=T0TEAM001 surface=command status=200")
        for line in lines
    )
    assert any(
        "reply id=Tr.LOG.1 " in line and "label=positive outcome=delivered" in line
        for line in lines
    )
    assert "secret sentence" not in caplog.text
    assert "/response/log" not in caplog.text


def test_stalled_channel_does_not_delay_an_unrelated_command(standin, fake_classifier, caplog):
    """32 mentions to a channel whose chat.postMessage stalls 5 s, then /sentiment elsewhere."""
    caplog.set_level(logging.INFO)
    bot, server = start_bot(standin, fake_classifier, reply_deadline_seconds=6)
    try:
        standin.stall("chat.postMessage", 5.0, channel="C0CHAN001")

        def mention(i: int):
            event = mention_event(f"<@{BOT_USER_ID}> great {i}", ts=f"1700000200.{i:06d}")
            return post_event(bot.events_url, bot.secret, event, f"EvStall{i}")

        with ThreadPoolExecutor(max_workers=8) as pool:
            assert all(r.status == 200 for r in pool.map(mention, range(32)))
        sent = time.monotonic()
        post_command(bot.events_url, bot.secret, "great", standin.response_url("other"))
        [call] = standin.wait_for("response_url", timeout=5)
        assert call.at - sent < 2.0
        # every stalled mention ends in a reply or exactly one log line with its event id
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            done = [f"reply id=EvStall{i} " in caplog.text for i in range(32)]
            if all(done):
                break
            time.sleep(0.2)
        lines = [r.getMessage() for r in caplog.records if r.name == "bot.outbox"]
        for i in range(32):
            assert sum(f"reply id=EvStall{i} " in line for line in lines) == 1, i
    finally:
        standin.stall("chat.postMessage", 0, channel="C0CHAN001")
        stop_bot(bot, server)


def test_metrics_endpoint_over_http(running_bot: RunningBot):
    post_command(
        running_bot.events_url, running_bot.secret, "great", running_bot.standin.response_url("m")
    )
    with urllib.request.urlopen(f"{running_bot.url}/metrics", timeout=5) as response:
        text = response.read().decode()
        assert response.headers["Content-Type"].startswith("text/plain")
    assert 'sentiment_acks_total{surface="command"}' in text
    assert "sentiment_ack_seconds_count" in text


def test_half_open_sockets_do_not_block_signed_commands(running_bot: RunningBot):
    port = int(running_bot.url.rsplit(":", 1)[1])
    idle = []
    try:
        for _ in range(150):
            sock = socket.create_connection(("127.0.0.1", port))
            sock.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\n")
            idle.append(sock)
        standin = running_bot.standin
        with ThreadPoolExecutor(max_workers=10) as pool:
            replies = list(
                pool.map(
                    lambda i: post_command(
                        running_bot.events_url,
                        running_bot.secret,
                        "great",
                        standin.response_url(f"h{i}"),
                        timeout=3,
                    ),
                    range(10),
                )
            )
        assert all(r.status == 200 and r.elapsed < 3 for r in replies)
    finally:
        for sock in idle:
            sock.close()


@pytest.mark.parametrize("value", ["1.5", "0.2"])
def test_fractional_retry_after_from_slack_is_honoured(running_bot: RunningBot, value):
    standin = running_bot.standin
    standin.fail_next("response_url", 429, retry_after=value)
    post_command(running_bot.events_url, running_bot.secret, "great", standin.response_url("ra"))
    assert len(standin.wait_for("response_url", timeout=10)) == 1
    assert len(standin.calls_to("response_url:failed")) == 1


# -- fuzz: mutated signed payloads never reach a 5xx -------------------------------------------

FUZZ_SEEDS = [
    json.loads(event_body(mention_event(f"<@{BOT_USER_ID}> great", ts="1.1"), "EvF1")),
    json.loads(event_body(dm_event("great", ts="1.2"), "EvF2")),
    {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "U1", "team_id": "T1"},
        "trigger_id": "1.2",
        "container": {"type": "message", "channel_id": "C1"},
        "channel": {"id": "C1"},
        "message": {"ts": "1.1", "text": "hi"},
        "actions": [{"action_id": "a1", "block_id": "b", "type": "button", "value": "v"}],
    },
    {
        "type": "message_action",
        "callback_id": "analyze_sentiment",
        "team": {"id": "T1"},
        "user": {"id": "U1"},
        "channel": {"id": "C1"},
        "message": {"type": "message", "text": "great", "ts": "1.1", "user": "U2"},
        "trigger_id": "1.1",
    },
    {
        "type": "view_submission",
        "team": {"id": "T1"},
        "user": {"id": "U1"},
        "view": {"id": "V1", "callback_id": "cb", "type": "modal", "state": {"values": {}}},
    },
    {"type": "url_verification", "challenge": "c", "token": "t"},
]
FUZZ_VALUES = [None, 0, 5, 1.5, True, "", "x", [], [None], [1], [{}], {}, {"id": None}, {"id": 5}]


def _mutate(rng: random.Random, value, depth: int = 0) -> None:
    if isinstance(value, dict) and value:
        key = rng.choice(list(value))
        roll = rng.random()
        if roll < 0.5 or depth > 3:
            value[key] = copy.deepcopy(rng.choice(FUZZ_VALUES))
        elif roll < 0.7:
            del value[key]
        else:
            _mutate(rng, value[key], depth + 1)
    elif isinstance(value, list) and value:
        index = rng.randrange(len(value))
        if rng.random() < 0.5:
            value[index] = copy.deepcopy(rng.choice(FUZZ_VALUES))
        else:
            _mutate(rng, value[index], depth + 1)


def test_mutated_signed_payloads_get_no_5xx(standin, fake_classifier):
    """400 seeded mutations of real payloads (wrong types, nulls, missing keys) through the
    whole app: each is 2xx, 400 or 404, never a 5xx (Bolt indexes fields without checks)."""
    from bot.app import create_app
    from bot.metrics import Metrics
    from bot.web import SlackEventsHandler
    from bot.web.verify import signature_for
    from tests.harness import SIGNING_SECRET, make_settings

    app = create_app(make_settings(standin.api_url, port=0), fake_classifier)
    handler = SlackEventsHandler(app.bolt, SIGNING_SECRET, metrics=Metrics())
    rng = random.Random(11)
    statuses = Counter()
    try:
        for _ in range(400):
            payload = copy.deepcopy(rng.choice(FUZZ_SEEDS))
            for _ in range(rng.randint(1, 4)):
                _mutate(rng, payload)
            if payload.get("type") not in ("event_callback", "url_verification"):
                body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
                content_type = "application/x-www-form-urlencoded"
            else:
                body, content_type = json.dumps(payload).encode(), "application/json"
            timestamp = str(int(time.time()))
            environ = {
                "REQUEST_METHOD": "POST",
                "PATH_INFO": "/slack/events",
                "CONTENT_LENGTH": str(len(body)),
                "CONTENT_TYPE": content_type,
                "wsgi.input": io.BytesIO(body),
                "HTTP_X_SLACK_REQUEST_TIMESTAMP": timestamp,
                "HTTP_X_SLACK_SIGNATURE": signature_for(SIGNING_SECRET, timestamp, body),
            }
            seen: list[str] = []
            handler(environ, lambda status, headers, exc_info=None, out=seen: out.append(status))
            statuses[int(seen[0].split()[0])] += 1
    finally:
        app.shutdown(wait=True)
    assert not [s for s in statuses if s >= 500], statuses
    assert statuses[400] > 50 and statuses[200] > 50  # the mutations hit both paths
