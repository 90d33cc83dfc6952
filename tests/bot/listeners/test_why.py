"""The "Why?" button: the text travels in the button, the explanation goes to the clicker only."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from bot.analysis import Analyzer
from bot.answers import answer_text
from bot.listeners import why
from bot.replies import (
    WHY_ACTION,
    WHY_VALUE_MAX_CHARS,
    answer_message,
    text_of_why_value,
    why_value,
)
from tests.bot.listener_doubles import FakeClient, context_for, make_deps


@dataclass(frozen=True)
class Effect:
    """The shape of ``bot.analysis.WordEffect``."""

    words: str
    toward: str
    effect: float


class ExplainingAnalyzer(Analyzer):
    """The analyzer with a fixed explanation, standing in for the model's own."""

    def __init__(self, classifier: Any, effects: list[Effect]):
        super().__init__(classifier, 0.6)
        self.effects = effects
        self.explained: list[tuple[str, int]] = []

    def explain(self, text: str, top: int = 5) -> list[Effect]:
        self.explained.append((text, top))
        return self.effects[:top]


@pytest.fixture
def analyzer(fake_classifier) -> ExplainingAnalyzer:
    return ExplainingAnalyzer(
        fake_classifier, [Effect("great", "positive", 0.42), Effect("not bad", "positive", 0.05)]
    )


def button_of(message: dict) -> dict:
    [actions] = [b for b in message["blocks"] if b.get("block_id") == WHY_ACTION]
    [button] = actions["elements"]
    return button


def click(value: str, **extra: Any) -> dict:
    return {
        "type": "block_actions",
        "trigger_id": "trig-why",
        "user": {"id": "U1"},
        "channel": {"id": "C1"},
        "actions": [{"action_id": WHY_ACTION, "type": "button", "value": value}],
        **extra,
    }


def test_every_answer_carries_a_why_button_with_its_text(analyzer, caplog):
    answer = answer_text(analyzer, "a <@U1> great day", request_id="r1", logger=None)  # type: ignore[arg-type]
    button = button_of(answer_message(answer, {"text": "help"}))
    assert button["action_id"] == WHY_ACTION and button["text"]["text"] == "Why?"
    assert text_of_why_value(button["value"]) == ("a great day", False)


def test_a_long_text_is_cut_to_fit_the_button(analyzer):
    value = why_value("great " * 1000)
    assert len(value) <= WHY_VALUE_MAX_CHARS
    text, cut = text_of_why_value(value)
    assert cut and text and ("great " * 1000).startswith(text)
    assert len(why_value("é" * 1990)) <= WHY_VALUE_MAX_CHARS


def test_click_explains_the_words_ephemerally_at_the_response_url(analyzer):
    deps = make_deps(analyzer)
    client = FakeClient()
    body = click(why_value("a great day"), response_url="https://hooks/why")
    why.answer_why(body=body, client=client, context=context_for(deps))
    [(url, message)] = deps.send_response.sent
    assert url == "https://hooks/why"
    assert message["response_type"] == "ephemeral" and message["replace_original"] is False
    assert analyzer.explained == [("a great day", why.TOP_EFFECTS)]
    lines = message["text"].splitlines()
    assert lines[0] == "*Why positive?* The words that moved the answer most:"
    assert lines[1] == "• “great” → positive (without it, positive drops 42 points)"
    assert client.calls == []


def test_click_without_response_url_posts_an_ephemeral_message(analyzer):
    deps = make_deps(analyzer)
    client = FakeClient()
    why.answer_why(body=click(why_value("awful")), client=client, context=context_for(deps))
    [posted] = client.called("chat.postEphemeral")
    assert posted["channel"] == "C1" and posted["user"] == "U1"
    assert posted["text"].startswith("*Why negative?*")


@pytest.mark.parametrize("value", ["not json", json.dumps({"txt": 1}), "", json.dumps([1])])
def test_a_button_value_that_is_not_ours_is_answered_plainly(analyzer, value):
    deps = make_deps(analyzer)
    body = click(value, response_url="https://hooks/why")
    why.answer_why(body=body, client=FakeClient(), context=context_for(deps))
    [(_, message)] = deps.send_response.sent
    assert message["text"] == why.UNREADABLE and analyzer.explained == []


def test_explaining_failure_apologises_with_the_request_id(analyzer, caplog):
    deps = make_deps(analyzer)
    body = click(why_value("boom"), response_url="https://hooks/why")
    why.answer_why(body=body, client=FakeClient(), context=context_for(deps))
    [(_, message)] = deps.send_response.sent
    assert "trig-why" in message["text"] and "trig-why" in caplog.text
