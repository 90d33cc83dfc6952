"""The "Analyze sentiment" message shortcut: an ephemeral answer, a DM when that fails."""

from __future__ import annotations

import json
import logging

import pytest

from bot.analysis import Analyzer
from bot.listeners import shortcut
from bot.replies import NOT_ENGLISH
from tests.bot.listener_doubles import FakeClient, context_for, label_of, make_deps


@pytest.fixture
def context(fake_classifier):
    return context_for(make_deps(Analyzer(fake_classifier, 0.6)), bot_user_id="UBOT")


def shortcut_body(text: str | None, extra: dict | None = None) -> dict:
    msg = {"type": "message", "user": "UAUTHOR", "ts": "1.2", **(extra or {})}
    if text is not None:
        msg["text"] = text
    return {
        "type": "message_action",
        "callback_id": "analyze_sentiment",
        "trigger_id": "trig-s",
        "user": {"id": "UCLICKER"},
        "channel": {"id": "C1"},
        "message": msg,
        "response_url": "https://hooks/shortcut",
    }


def test_shortcut_answers_ephemerally_with_label_and_author(context):
    client = FakeClient()
    shortcut.answer_shortcut(
        body=shortcut_body("what a great launch"), client=client, context=context
    )
    [(url, reply)] = context["deps"].send_response.sent
    assert url == "https://hooks/shortcut" and reply["response_type"] == "ephemeral"
    assert reply["replace_original"] is False
    assert label_of(reply["text"]) == "positive" and "what a great launch" in reply["text"]
    assert "<@UAUTHOR>" in json.dumps(reply["blocks"])
    assert client.calls == []


@pytest.mark.parametrize(
    "message",
    [
        {"files": [{"id": "F1"}]},  # a file only
        {"text": "", "blocks": [{"type": "divider"}]},  # Block Kit only
        {"text": ":tada: <https://example.com>"},  # nothing left after removing markup
        {"text": "\u200b\u2067\x00"},  # only invisible characters
    ],
)
def test_shortcut_on_a_message_without_text(context, message):
    body = shortcut_body(None, message)
    shortcut.answer_shortcut(body=body, client=FakeClient(), context=context)
    [(_, reply)] = context["deps"].send_response.sent
    assert reply["text"] == shortcut.NO_TEXT
    assert context["deps"].analyzer.classifier.calls == []


def test_shortcut_on_a_message_that_is_not_english(context):
    shortcut.answer_shortcut(
        body=shortcut_body("C'est vraiment une bonne idée, merci pour la réunion"),
        client=FakeClient(),
        context=context,
    )
    [(_, reply)] = context["deps"].send_response.sent
    assert reply["text"] == NOT_ENGLISH and label_of(reply["text"]) is None
    assert "confident" not in json.dumps(reply)


def test_shortcut_falls_back_to_a_dm_when_response_url_fails(context):
    context["deps"].send_response.ok = False
    client = FakeClient()
    shortcut.answer_shortcut(body=shortcut_body("awful"), client=client, context=context)
    [posted] = client.called("chat.postMessage")
    assert posted["channel"] == "UCLICKER" and label_of(posted["text"]) == "negative"
    assert "response_type" not in posted and "replace_original" not in posted


def test_shortcut_dm_failure_is_logged(context, caplog):
    context["deps"].send_response.ok = False
    client = FakeClient(error="cannot_dm_bot")
    shortcut.answer_shortcut(body=shortcut_body("awful"), client=client, context=context)
    assert "cannot_dm_bot" in caplog.text and "id=trig-s" in caplog.text


def test_shortcut_without_response_url_answers_in_a_dm(context):
    body = shortcut_body("great")
    del body["response_url"]
    client = FakeClient()
    shortcut.answer_shortcut(body=body, client=client, context=context)
    [posted] = client.called("chat.postMessage")
    assert posted["channel"] == "UCLICKER" and label_of(posted["text"]) == "positive"


def test_shortcut_scoring_failure_apologises_with_reference(context, caplog):
    caplog.set_level(logging.ERROR)
    shortcut.answer_shortcut(body=shortcut_body("boom"), client=FakeClient(), context=context)
    [(_, reply)] = context["deps"].send_response.sent
    assert "trig-s" in reply["text"] and "trig-s" in caplog.text
    assert "boom" not in caplog.text  # no message text in logs
