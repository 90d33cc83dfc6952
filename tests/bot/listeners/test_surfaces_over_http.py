"""The new surfaces end to end: signed Slack payloads → HTTP → Bolt → the Web API stand-in.

Message shortcut, App Home (+ try-it box), Workflow Builder step and ``/sentiment mood``, first
in-process (waitress + the real app, keyword classifier: exact labels and shares), then against
the real ``python -m bot`` subprocess serving the bundled model (the steering bars).
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.bot.listener_doubles import label_of
from tests.harness import (
    API_APP_ID,
    BOT_TOKEN,
    REAL_BOT,
    SIGNING_SECRET,
    TEAM_ID,
    Reply,
    RunningBot,
    SlackStandin,
    fake_token,
    launch_bot,
    post,
    post_command,
    post_event,
    wait_healthy,
)

CHANNEL = "C0CHAN001"  # the channel command_body() sends from
USER = "U0HUMAN01"
SHARES = re.compile(r"(\d+)% positive, (\d+)% negative, (\d+)% no clear sentiment")

# -- payloads, as Slack sends them ---------------------------------------------------------------


def post_interactive(url: str, secret: str, payload: dict[str, Any]) -> Reply:
    """Interactive payloads (shortcuts, buttons) arrive form-encoded as ``payload=<json>``."""
    return post(url, urllib.parse.urlencode({"payload": json.dumps(payload)}), secret)


def message_action(text: str | None, response_url: str, **message: Any) -> dict[str, Any]:
    msg: dict[str, Any] = {"type": "message", "user": "U0AUTHOR1", "ts": "1700000300.000100"}
    if text is not None:
        msg["text"] = text
    msg.update(message)
    return {
        "type": "message_action",
        "token": "deprecated-verification-token",
        "action_ts": f"{time.time():.6f}",
        "team": {"id": TEAM_ID, "domain": "standin"},
        "user": {"id": USER, "username": "ada", "team_id": TEAM_ID, "name": "ada"},
        "channel": {"id": CHANNEL, "name": "general"},
        "is_enterprise_install": False,
        "enterprise": None,
        "api_app_id": API_APP_ID,
        "callback_id": "analyze_sentiment",
        "trigger_id": "13345224609.738474920.8088930838d88f008e0",
        "response_url": response_url,
        "message_ts": msg["ts"],
        "message": msg,
    }


def home_opened(tab: str = "home") -> dict[str, Any]:
    return {
        "type": "app_home_opened",
        "user": USER,
        "channel": "D0DM00001",
        "tab": tab,
        "event_ts": f"{time.time():.6f}",
    }


def try_it_click(text: str) -> dict[str, Any]:
    from bot.views import TRY_BLOCK_ID, TRY_BUTTON_ACTION, TRY_INPUT_ACTION

    value = {"type": "plain_text_input", "value": text}
    return {
        "type": "block_actions",
        "token": "deprecated-verification-token",
        "api_app_id": API_APP_ID,
        "team": {"id": TEAM_ID, "domain": "standin"},
        "user": {"id": USER, "username": "ada", "team_id": TEAM_ID},
        "is_enterprise_install": False,
        "trigger_id": "13345224609.738474920.try",
        "container": {"type": "view", "view_id": "V0VIEW001"},
        "view": {
            "id": "V0VIEW001",
            "type": "home",
            "hash": "1700000000.abc",
            "state": {"values": {TRY_BLOCK_ID: {TRY_INPUT_ACTION: value}}},
        },
        "actions": [
            {
                "type": "button",
                "action_id": TRY_BUTTON_ACTION,
                "block_id": "b1",
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }


FUNCTION_TOKEN = fake_token("xwfp", "test-function-token")


def function_executed(text: Any, execution_id: str = "Fx0EXEC001") -> dict[str, Any]:
    return {
        "type": "function_executed",
        "function": {
            "id": "Fn0FUNC001",
            "callback_id": "analyze_sentiment",
            "title": "Analyze sentiment",
            "type": "app",
            "app_id": API_APP_ID,
        },
        "inputs": {"text": text},
        "function_execution_id": execution_id,
        "workflow_execution_id": "Wx0WORK001",
        "event_ts": f"{time.time():.6f}",
        "bot_access_token": FUNCTION_TOKEN,
    }


def channel_history(texts: list[str]) -> list[dict[str, Any]]:
    """Messages for the stand-in, newest first, with a join and a bot message mixed in."""
    messages = [
        {"type": "message", "user": f"U{i:04d}", "text": t, "ts": f"{1700000000 + i}.000100"}
        for i, t in enumerate(texts)
    ]
    messages.append(
        {
            "type": "message",
            "subtype": "channel_join",
            "user": "U0JOINER",
            "text": "joined",
            "ts": "1699999990.000100",
        }
    )
    messages.append(
        {
            "type": "message",
            "bot_id": "B0OTHER01",
            "text": "great great great",
            "ts": "1699999991.000100",
        }
    )
    return sorted(messages, key=lambda m: float(m["ts"]), reverse=True)


def decoded(value: Any) -> Any:
    """A Web API argument as sent: slack_sdk sends nested objects either as JSON or as a JSON
    string inside a form, depending on the method."""
    return json.loads(value) if isinstance(value, str) else value


def shares_in(text: str) -> tuple[int, int, int]:
    match = SHARES.search(text)
    assert match, text
    return tuple(int(g) for g in match.groups())  # type: ignore[return-value]


# -- in process: the real app, keyword classifier ------------------------------------------------


def test_message_shortcut_gets_one_ephemeral_answer(running_bot: RunningBot):
    standin = running_bot.standin
    payload = message_action("the launch went great", standin.response_url("sc"))
    reply = post_interactive(running_bot.events_url, running_bot.secret, payload)
    assert reply.status == 200 and reply.elapsed < 3
    [call] = standin.wait_for("response_url")
    assert call.path == "/response/sc" and call.body["response_type"] == "ephemeral"
    assert (
        label_of(call.body["text"]) == "positive" and "the launch went great" in call.body["text"]
    )
    standin.settle(0.3)
    assert len(standin.calls_to("response_url")) == 1
    assert standin.calls_to("chat.postMessage") == []


def test_message_shortcut_on_a_file_only_message(running_bot: RunningBot):
    standin = running_bot.standin
    payload = message_action(None, standin.response_url("f"), files=[{"id": "F0FILE001"}])
    assert post_interactive(running_bot.events_url, running_bot.secret, payload).status == 200
    [call] = standin.wait_for("response_url")
    assert "no text" in call.body["text"] and running_bot.classifier.calls == []


def test_message_shortcut_falls_back_to_a_dm(running_bot: RunningBot):
    standin = running_bot.standin
    dead = "http://127.0.0.1:9/response/unreachable"  # nothing listens on the discard port
    payload = message_action("awful service", dead)
    assert post_interactive(running_bot.events_url, running_bot.secret, payload).status == 200
    [posted] = standin.wait_for("chat.postMessage", timeout=20)
    assert posted.body["channel"] == USER and label_of(posted.body["text"]) == "negative"


def test_app_home_opened_publishes_the_home_tab(running_bot: RunningBot):
    standin = running_bot.standin
    reply = post_event(running_bot.events_url, running_bot.secret, home_opened(), "EvHome1")
    assert reply.status == 200
    [call] = standin.wait_for("views.publish")
    assert call.body["user_id"] == USER
    view = decoded(call.body["view"])
    assert view["type"] == "home"
    text = json.dumps(view)
    assert running_bot.classifier.info.version in text and "/sentiment mood" in text
    post_event(running_bot.events_url, running_bot.secret, home_opened("messages"), "EvHome2")
    standin.settle(0.3)
    assert len(standin.calls_to("views.publish")) == 1  # the Messages tab is left alone


def test_try_it_box_publishes_the_answer(running_bot: RunningBot):
    standin = running_bot.standin
    payload = try_it_click("I love this app")
    reply = post_interactive(running_bot.events_url, running_bot.secret, payload)
    assert reply.status == 200 and reply.elapsed < 3
    [call] = standin.wait_for("views.publish")
    text = json.dumps(decoded(call.body["view"]))
    assert "Positive" in text and "I love this app" in text


def test_workflow_step_completes_with_three_outputs(running_bot: RunningBot):
    standin = running_bot.standin
    event = function_executed("the survey was great")
    reply = post_event(running_bot.events_url, running_bot.secret, event, "EvFunc1")
    assert reply.status == 200 and reply.elapsed < 3
    [call] = standin.wait_for("functions.completeSuccess")
    outputs = decoded(call.body["outputs"])
    assert outputs == {"label": "positive", "confidence": 0.93, "p_positive": 0.93}
    assert call.body["function_execution_id"] == "Fx0EXEC001"
    assert call.headers.get("Authorization") == f"Bearer {FUNCTION_TOKEN}"  # the step's token
    assert standin.calls_to("functions.completeError") == []


def test_workflow_step_fails_with_a_reason(running_bot: RunningBot):
    standin = running_bot.standin
    event = function_executed("   ", execution_id="Fx0EXEC002")
    assert post_event(running_bot.events_url, running_bot.secret, event, "EvFunc2").status == 200
    [call] = standin.wait_for("functions.completeError")
    assert "empty" in call.body["error"] and call.body["function_execution_id"] == "Fx0EXEC002"


def test_mood_reads_history_and_answers_with_three_shares(running_bot: RunningBot):
    standin = running_bot.standin
    standin.set_history(CHANNEL, channel_history(["great", "awful", "love it", "meh", "bad"]))
    reply = post_command(
        running_bot.events_url, running_bot.secret, "mood 5", standin.response_url("m")
    )
    assert reply.status == 200 and reply.elapsed < 3 and reply.body == ""
    [call] = standin.wait_for("response_url")
    assert call.body["response_type"] == "ephemeral"
    assert shares_in(call.body["text"]) == (40, 40, 20)
    [history] = standin.calls_to("conversations.history")
    assert history.body["channel"] == CHANNEL and int(history.body["limit"]) <= 15
    scored = [text for call in running_bot.classifier.calls for text in call]
    assert sorted(scored) == sorted(["great", "awful", "love it", "meh", "bad"])  # each once
    blocks = json.dumps(call.body["blocks"])
    assert blocks.count("standin.slack.com/archives/") == 2  # permalinks, not quotes
    assert "love it" not in blocks and "awful" not in blocks


def test_mood_retries_a_rate_limited_history_call(running_bot: RunningBot):
    standin = running_bot.standin
    standin.set_history(CHANNEL, channel_history(["great", "bad"]))
    standin.fail_next("conversations.history", 429, retry_after="0")
    post_command(running_bot.events_url, running_bot.secret, "mood", standin.response_url("r"))
    [call] = standin.wait_for("response_url")
    assert shares_in(call.body["text"]) == (50, 50, 0)
    assert len(standin.calls_to("conversations.history:failed")) == 1
    assert len(standin.calls_to("conversations.history")) == 1


def test_mood_tells_the_user_when_rate_limiting_persists(running_bot: RunningBot):
    standin = running_bot.standin
    standin.set_history(CHANNEL, channel_history(["great"]))
    standin.fail_next("conversations.history", *[429] * 10, retry_after="0")
    post_command(running_bot.events_url, running_bot.secret, "mood", standin.response_url("r"))
    [call] = standin.wait_for("response_url")
    assert "rate-limiting" in call.body["text"] and "try again" in call.body["text"]
    assert len(standin.calls_to("conversations.history:failed")) >= 2  # it did retry
    assert running_bot.classifier.calls == []


@pytest.mark.parametrize(
    ("error", "needle"),
    [("not_in_channel", "/invite @sentiment"), ("missing_scope", "groups:history")],
)
def test_mood_explains_membership_and_scopes(running_bot: RunningBot, error: str, needle: str):
    standin = running_bot.standin
    standin.fail_api("conversations.history", error, needed="groups:history")
    post_command(running_bot.events_url, running_bot.secret, "mood", standin.response_url("e"))
    [call] = standin.wait_for("response_url")
    assert needle in call.body["text"] and call.body["response_type"] == "ephemeral"


def test_plain_text_starting_with_mood_is_scored(running_bot: RunningBot):
    standin = running_bot.standin
    text = "mood swings are awful"
    post_command(running_bot.events_url, running_bot.secret, text, standin.response_url("t"))
    [call] = standin.wait_for("response_url")
    assert (
        label_of(call.body["text"]) == "negative"
        and standin.calls_to("conversations.history") == []
    )


def test_forged_interactive_payload_is_refused(running_bot: RunningBot):
    standin = running_bot.standin
    payload = message_action("great", standin.response_url("x"))
    assert post_interactive(running_bot.events_url, "wrong-secret", payload).status == 401
    standin.settle(0.3)
    assert standin.calls_to("response_url") == []


# -- the real `python -m bot` with a trained model -----------------------------------------------


@pytest.fixture
def served_model_dir(request: pytest.FixtureRequest) -> Path:
    """The model shipped in the package (no training needed), else a briefly trained one."""
    try:
        from model.serving.bundle import BUNDLED_MODEL_DIR
    except ImportError:
        BUNDLED_MODEL_DIR = None
    if BUNDLED_MODEL_DIR is not None and (Path(BUNDLED_MODEL_DIR) / "manifest.json").is_file():
        return Path(BUNDLED_MODEL_DIR)
    return Path(request.getfixturevalue("model_dir"))


@pytest.fixture
def real_bot(served_model_dir: Path, tmp_path: Path) -> Iterator[tuple[str, SlackStandin, Path]]:
    model_dir = served_model_dir
    with SlackStandin() as standin:
        # LOG_LEVEL INFO, the default: at DEBUG slack_sdk logs request bodies.
        bot = launch_bot(standin, tmp_path, command=REAL_BOT, args=(), MODEL_DIR=str(model_dir))
        try:
            wait_healthy(bot.url, bot.popen)
            yield bot.events_url, standin, bot.log_path
        finally:
            bot.stop()


def test_real_bot_serves_every_new_surface(real_bot, served_model_dir):
    import model

    events_url, standin, log_path = real_bot
    version = model.load(served_model_dir).info.version
    labels = ("positive", "negative", "no clear sentiment")

    # message shortcut: one ephemeral answer naming the label
    payload = message_action("what a wonderful day", standin.response_url("shortcut"))
    assert post_interactive(events_url, SIGNING_SECRET, payload).status == 200
    # App Home: views.publish mentioning the model version
    assert post_event(events_url, SIGNING_SECRET, home_opened(), "EvRealHome").status == 200
    # workflow step: completes with the three outputs
    event = function_executed("the support team was wonderful")
    assert post_event(events_url, SIGNING_SECRET, event, "EvRealFunc").status == 200
    # mood: reads history, answers with the three shares
    standin.set_history(
        CHANNEL, channel_history(["what a wonderful day", "a dull, lifeless mess", "great"])
    )
    mood = post_command(events_url, SIGNING_SECRET, "mood 3", standin.response_url("mood"))
    assert mood.status == 200 and mood.elapsed < 3

    replies = {c.path: c.body for c in standin.wait_for("response_url", 2, timeout=30)}
    shortcut = replies["/response/shortcut"]
    assert shortcut["response_type"] == "ephemeral"
    assert any(label in shortcut["text"] for label in labels)
    assert sum(shares_in(replies["/response/mood"]["text"])) == 100
    [home] = standin.wait_for("views.publish", timeout=20)
    assert version in json.dumps(decoded(home.body["view"]))
    [done] = standin.wait_for("functions.completeSuccess", timeout=20)
    outputs = decoded(done.body["outputs"])
    assert outputs["label"] in ("positive", "negative", "neutral")
    assert 0.5 <= outputs["confidence"] <= 1 and 0 <= outputs["p_positive"] <= 1

    # mood again with history answering 429 every time: retried, then the user is told
    standin.fail_next("conversations.history", *[429] * 10, retry_after="0")
    post_command(events_url, SIGNING_SECRET, "mood", standin.response_url("limited"))
    calls = standin.wait_for("response_url", 3, timeout=30)
    [limited] = [c.body for c in calls if c.path == "/response/limited"]
    assert "rate-limiting" in limited["text"]
    assert len(standin.calls_to("conversations.history:failed")) >= 2

    log = log_path.read_text()
    for secret_text in ("wonderful", "lifeless", BOT_TOKEN, FUNCTION_TOKEN):
        assert secret_text not in log, secret_text
