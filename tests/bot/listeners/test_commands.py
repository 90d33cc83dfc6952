"""``/sentiment``: the ack, the answer through the outbox, usage, apologies, the exact matcher."""

from __future__ import annotations

import logging

import pytest

from bot.analysis import Analyzer
from bot.listeners import commands
from bot.listeners.deps import Deps
from tests.bot.listener_doubles import FakeAck, FakeClient, context_for, label_of, make_deps


@pytest.fixture
def deps(fake_classifier) -> Deps:
    return make_deps(Analyzer(fake_classifier, 0.6))


@pytest.fixture
def context(deps: Deps):
    return context_for(deps)


def _command(text: str) -> dict:
    return {"command": "/sentiment", "text": text, "response_url": "https://hooks/x"}


def _answer(context, text: str, body: dict | None = None) -> None:
    commands.answer_sentiment(
        body=body or {}, command=_command(text), context=context, client=FakeClient()
    )


def test_ack_is_empty_by_default(context):
    ack = FakeAck()
    commands.ack_sentiment(ack=ack, command=_command("great"), context=context)
    assert ack.calls == [{"text": ""}]


def test_ack_in_channel_except_for_usage(deps: Deps, context):
    deps.response_type = "in_channel"
    ack = FakeAck()
    commands.ack_sentiment(ack=ack, command=_command("great"), context=context)
    commands.ack_sentiment(ack=ack, command=_command(""), context=context)
    assert ack.calls == [{"text": "", "response_type": "in_channel"}, {"text": ""}]


def test_command_is_answered_with_its_label_at_its_response_url(deps: Deps, context):
    _answer(context, "I love it", {"trigger_id": "t1"})
    [(url, message)] = deps.send_response.sent
    assert url == "https://hooks/x"
    assert message["response_type"] == "ephemeral"
    assert label_of(message["text"]) == "positive"


def test_answer_logs_one_reply_line_with_the_request_id(context, caplog):
    caplog.set_level(logging.INFO, logger="bot.outbox")
    _answer(context, "awful", {"trigger_id": "trig-5"})
    [line] = [r.getMessage() for r in caplog.records if r.name == "bot.outbox"]
    assert "id=trig-5" in line and "label=negative" in line and "outcome=delivered" in line
    assert "awful" not in line


@pytest.mark.parametrize("text", ["", "help", " --help ", "<@U1>", "\u200b\u202e\x00"])
def test_command_without_readable_text_gets_usage(deps: Deps, context, text: str):
    _answer(context, text)
    [(_, message)] = deps.send_response.sent
    assert message["text"].startswith("Usage")
    assert label_of(message["text"]) is None


def test_command_scoring_error_apologises_with_the_request_id(
    deps: Deps, context, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.ERROR)
    _answer(context, "boom", {"trigger_id": "trig-9"})
    [(_, message)] = deps.send_response.sent
    assert "trig-9" in message["text"] and message["response_type"] == "ephemeral"
    assert "trig-9" in caplog.text


def test_command_without_response_url_is_logged_and_not_answered(deps: Deps, context, caplog):
    command = {"command": "/sentiment", "text": "great"}
    commands.answer_sentiment(
        body={"trigger_id": "t7"}, command=command, context=context, client=FakeClient()
    )
    assert deps.send_response.sent == []
    assert "id=t7" in caplog.text and "no response_url" in caplog.text


def test_listener_without_deps_says_how_to_build_the_app():
    with pytest.raises(LookupError, match="create_app"):
        commands.ack_sentiment(ack=FakeAck(), command=_command("great"), context={})


def test_command_matcher_is_exact(context):
    assert commands.is_sentiment_command({"command": "/sentiment"}, context)
    assert not commands.is_sentiment_command({"command": "/sentiment-mood"}, context)
    assert not commands.is_sentiment_command({"command": "/sentimental"}, context)
    context["deps"].command = "/mood"
    assert commands.is_sentiment_command({"command": "/mood"}, context)
    assert not commands.is_sentiment_command({"command": "/sentiment"}, context)
