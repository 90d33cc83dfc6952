"""The App Home tab and its try-it box, including payloads of the wrong shape."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest

from bot.analysis import Analyzer
from bot.listeners import home
from bot.views import EMPTY_TRY, TRY_BLOCK_ID, TRY_INPUT_ACTION, home_view, submitted_text
from model import ModelInfo
from tests.bot.listener_doubles import FakeClient, context_for, make_deps


@pytest.fixture
def context(fake_classifier):
    return context_for(make_deps(Analyzer(fake_classifier, 0.6)))


def _info(**kw: Any) -> ModelInfo:
    values: dict[str, Any] = dict(path="/m", version="v-42", runtime="lite", test_accuracy=0.8797)
    values.update(kw)
    return ModelInfo(**values)


def test_home_view_describes_surfaces_model_and_privacy():
    info = _info(
        recipe="chat-v2",
        domains={
            "tweets": {"accuracy": 0.81, "f1": 0.8, "neutral_rate": 0.12, "examples": 2000},
            "reviews": {"accuracy": 0.9},
        },
        neutral={"method": "band", "threshold": 0.1},
    )
    view = home_view(info)
    assert view["type"] == "home" and len(view["blocks"]) <= 100
    text = json.dumps(view, ensure_ascii=False)
    for needle in (
        "v-42",
        "chat-v2",
        "88.0%",
        "*tweets*: accuracy 81.0%, F1 80.0%, no clear sentiment 12.0%, 2,000 examples",
        "*reviews*: accuracy 90.0%",
        "/sentiment mood",
        "Analyze sentiment",
        "Workflow Builder",
        "Nothing of your messages is stored",
        "English only",
    ):
        assert needle in text, needle
    assert TRY_BLOCK_ID in text


def test_home_view_reads_old_model_info_defensively():
    old = SimpleNamespace(version="old-1")  # no runtime, recipe, accuracy or domains
    text = json.dumps(home_view(old), ensure_ascii=False)
    assert "old-1" in text and "no per-domain measurements" in text
    assert "always picks positive or negative" in text
    assert "v" in json.dumps(home_view(None))  # even with no info at all


def test_home_opened_publishes_the_tab(context):
    client = FakeClient()
    home.publish_home(body={}, event={"user": "U1", "tab": "home"}, client=client, context=context)
    home.publish_home(
        body={}, event={"user": "U1", "tab": "messages"}, client=client, context=context
    )
    [published] = client.called("views.publish")
    assert published["user_id"] == "U1" and "fake-1" in json.dumps(published["view"])


def try_body(value: str | None) -> dict:
    state: dict[str, Any] = {
        "values": {TRY_BLOCK_ID: {TRY_INPUT_ACTION: {"type": "plain_text_input"}}}
    }
    if value is not None:
        state["values"][TRY_BLOCK_ID][TRY_INPUT_ACTION]["value"] = value
    return {"type": "block_actions", "user": {"id": "U1"}, "view": {"id": "V1", "state": state}}


def test_try_it_box_republishes_home_with_the_answer(context):
    client = FakeClient()
    home.answer_try(body=try_body("I love this"), client=client, context=context)
    home.answer_try(body=try_body(None), client=client, context=context)
    first, second = client.called("views.publish")
    assert "*Positive* \\u00b7 93% confident" in json.dumps(first["view"])
    assert "I love this" in json.dumps(first["view"])
    assert EMPTY_TRY in json.dumps(second["view"])
    assert submitted_text(None) == ""


def test_enter_in_the_try_it_box_uses_the_action_value(context):
    client = FakeClient()
    body = try_body(None)
    body["actions"] = [{"type": "plain_text_input", "action_id": TRY_INPUT_ACTION, "value": "bad"}]
    home.answer_try(body=body, client=client, context=context)
    assert "*Negative* \\u00b7 96% confident" in json.dumps(
        client.called("views.publish")[0]["view"]
    )


@pytest.mark.parametrize(
    "view",
    [
        {"state": "not a mapping"},
        {"state": {"values": ["a", "list"]}},
        {"state": {"values": {TRY_BLOCK_ID: "text"}}},
        {"state": {"values": {TRY_BLOCK_ID: {TRY_INPUT_ACTION: {"value": 42}}}}},
        "a string view",
        None,
    ],
)
def test_try_it_with_a_view_state_of_the_wrong_shape_gets_the_hint(context, view):
    client = FakeClient()
    body = {"type": "block_actions", "user": {"id": "U1"}, "view": view, "actions": "x"}
    home.answer_try(body=body, client=client, context=context)
    [published] = client.called("views.publish")
    assert EMPTY_TRY in json.dumps(published["view"])
    assert context["deps"].analyzer.classifier.calls == []


def test_try_it_without_a_user_is_logged_only(context, caplog):
    client = FakeClient()
    home.answer_try(body={"trigger_id": "tr-home", "user": "U1?"}, client=client, context=context)
    home.answer_try(body={"trigger_id": "tr-home"}, client=client, context=context)
    assert client.calls == [] and "id=tr-home" in caplog.text
