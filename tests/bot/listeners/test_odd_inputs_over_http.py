"""Odd and malformed payloads through the signed HTTP path: always a 200 for what Slack sends,
a request-id-tagged log line, a clear answer where someone can be answered, never Bolt's
"Failed to run an internal function", and never a score for a text with nothing readable."""

from __future__ import annotations

import json
import logging
import time
import urllib.parse
from typing import Any

import pytest

from bot.views import EMPTY_TRY, TRY_BUTTON_ACTION
from tests.harness import (
    API_APP_ID,
    TEAM_ID,
    RunningBot,
    event_body,
    mention_event,
    post,
    post_command,
)

USER = "U0HUMAN01"
BOLT_FAILURE = "Failed to run"


def post_interactive(bot: RunningBot, payload: dict[str, Any]) -> int:
    body = urllib.parse.urlencode({"payload": json.dumps(payload)})
    return post(bot.events_url, body, bot.secret).status


def post_event(bot: RunningBot, event: dict[str, Any], event_id: str) -> int:
    body = event_body(event, event_id)
    return post(bot.events_url, body, bot.secret, content_type="application/json").status


def block_actions(action_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "api_app_id": API_APP_ID,
        "team": {"id": TEAM_ID, "domain": "standin"},
        "user": {"id": USER, "username": "ada", "team_id": TEAM_ID},
        "trigger_id": "13345224609.738474920.odd",
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "b1",
                "action_ts": f"{time.time():.6f}",
            }
        ],
        **extra,
    }


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO)
    return caplog


@pytest.mark.parametrize("channel_type", [None, "im"])
def test_event_without_channel_is_answered_in_a_dm_and_logged(
    running_bot: RunningBot, logs, channel_type
):
    event = mention_event("what a great day")
    del event["channel"]
    if channel_type:
        event = {**event, "type": "message", "channel_type": channel_type}
    assert post_event(running_bot, event, "EvNoChannel1") == 200
    [posted] = running_bot.standin.wait_for("chat.postMessage")
    assert posted.body["channel"] == USER
    assert posted.body["text"].startswith("Sentiment: positive (")
    assert BOLT_FAILURE not in logs.text
    assert "id=EvNoChannel1" in logs.text and "without a channel" in logs.text


@pytest.mark.parametrize(
    "state",
    ["text", {"values": ["x"]}, {"values": {"try_sentiment": {"try_text": "v"}}}, None],
)
def test_try_it_with_a_state_of_the_wrong_shape_gets_the_hint(running_bot: RunningBot, logs, state):
    view = {"id": "V0VIEW001", "type": "home", "hash": "1.a", "state": state}
    assert post_interactive(running_bot, block_actions(TRY_BUTTON_ACTION, view=view)) == 200
    [published] = running_bot.standin.wait_for("views.publish")
    assert EMPTY_TRY in json.dumps(published.body)
    assert running_bot.classifier.calls == [] and BOLT_FAILURE not in logs.text


def test_block_actions_with_an_unknown_action_id_gets_200(running_bot: RunningBot, logs):
    assert post_interactive(running_bot, block_actions("from_an_older_version")) == 200
    running_bot.standin.settle(0.3)
    assert "from_an_older_version" in logs.text and "acked" in logs.text
    assert BOLT_FAILURE not in logs.text


@pytest.mark.parametrize(
    "text", ["\u200b\u200d\u2060", "\u202e\u2067\u2069", "\x00\x00", "\x01\x7f"]
)
def test_a_command_of_nothing_readable_gets_usage_not_a_score(running_bot: RunningBot, text):
    standin = running_bot.standin
    reply = post_command(
        running_bot.events_url, running_bot.secret, text, standin.response_url("z")
    )
    assert reply.status == 200
    [call] = standin.wait_for("response_url")
    assert call.body["text"].startswith("Usage") and "%" not in call.body["text"].split(":")[0]
    assert running_bot.classifier.calls == []


def test_a_mention_of_nothing_readable_gets_the_help_line(running_bot: RunningBot):
    event = mention_event("<@U0BOT0001> \u200b\u202e\x00")
    assert post_event(running_bot, event, "EvInvisible1") == 200
    [posted] = running_bot.standin.wait_for("chat.postMessage")
    assert posted.body["text"].startswith("Mention") and running_bot.classifier.calls == []
