"""@-mentions and DMs: threads, bots ignored, one answer per message, odd payloads."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bot.analysis import Analyzer
from bot.listeners import messages
from tests.bot.listener_doubles import FakeClient, context_for, label_of, make_deps


@pytest.fixture
def context(fake_classifier):
    return context_for(make_deps(Analyzer(fake_classifier, 0.6)))


def _mention(text: str, **extra: Any) -> dict:
    return {
        "type": "app_mention",
        "user": "UH",
        "text": text,
        "ts": "1.1",
        "channel": "C1",
        **extra,
    }


def test_mention_reply_in_thread(context):
    client = FakeClient()
    messages.answer_mention(
        body={"event_id": "E1"}, event=_mention("<@UB> great"), client=client, context=context
    )
    [posted] = client.posted
    assert posted["channel"] == "C1" and posted["thread_ts"] == "1.1"
    assert "blocks" in posted and label_of(posted["text"]) == "positive"


def test_mention_help_uses_bot_id_from_authorizations(context):
    client = FakeClient()
    body = {"authorizations": [{"user_id": "UB", "is_bot": True}]}
    messages.answer_mention(body=body, event=_mention("<@UB>"), client=client, context=context)
    assert "<@UB>" in client.posted[0]["text"]


def test_mention_by_a_bot_is_ignored(context):
    client = FakeClient()
    event = _mention("great", bot_id="B2")
    messages.answer_mention(body={}, event=event, client=client, context=context)
    event = _mention("great", user="UB")
    messages.answer_mention(
        body={}, event=event, client=client, context={**context, "bot_user_id": "UB"}
    )
    assert client.posted == []


def test_same_message_via_mention_and_dm_is_answered_once(context):
    client = FakeClient()
    event = _mention("great", channel="D1", channel_type="im")
    messages.answer_mention(body={}, event=event, client=client, context=context)
    dm = {**event, "type": "message"}
    messages.answer_dm(body={}, event=dm, client=client, context=context)
    assert len(client.posted) == 1


def test_dm_only_answers_im_messages_from_people(context):
    client = FakeClient()
    base = {"type": "message", "user": "UH", "text": "great", "channel": "D1"}

    def answer(event: dict) -> None:
        messages.answer_dm(body={}, event={**base, **event}, client=client, context=context)

    answer({"ts": "1", "channel_type": "channel"})
    answer({"ts": "2", "channel_type": "im", "subtype": "channel_join"})
    answer({"ts": "3", "channel_type": "im", "user": None})
    assert client.posted == []
    answer({"ts": "4", "channel_type": "im", "thread_ts": "0.5"})
    assert client.posted[0]["thread_ts"] == "0.5"


def test_post_failure_is_logged_with_its_request_id_not_raised(context, caplog):
    client = FakeClient(error="not_in_channel")
    messages.answer_mention(
        body={"event_id": "Ev9"}, event=_mention("great"), client=client, context=context
    )
    [line] = [r.getMessage() for r in caplog.records if r.name == "bot.outbox"]
    assert "id=Ev9" in line and "outcome=failed" in line and "not_in_channel" in line


@pytest.mark.parametrize("listener", ["answer_mention", "answer_dm"])
def test_event_without_channel_answers_its_author_in_a_dm(context, caplog, listener: str):
    caplog.set_level(logging.INFO)
    client = FakeClient()
    event = _mention("great", channel_type="im")
    del event["channel"]
    getattr(messages, listener)(
        body={"event_id": "EvNoChan"}, event=event, client=client, context=context
    )
    [posted] = client.posted
    assert posted["channel"] == "UH" and label_of(posted["text"]) == "positive"
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("id=EvNoChan" in w and "without a channel" in w for w in warnings)


def test_event_without_channel_or_user_is_logged_only(context, caplog):
    client = FakeClient()
    event = {"type": "app_mention", "text": "great", "ts": "1.1"}
    messages.answer_mention(
        body={"event_id": "EvBare"}, event=event, client=client, context=context
    )
    assert client.posted == []
    assert "id=EvBare" in caplog.text and "nobody to answer" in caplog.text


@pytest.mark.parametrize(
    "text", ["\u200b\u200c\u200d", "\u202e\u2066\u2069", "\x00\x01\x7f", "\ufeff"]
)
def test_text_of_nothing_readable_gets_the_help_line_not_a_score(context, fake_classifier, text):
    client = FakeClient()
    messages.answer_mention(body={}, event=_mention(text), client=client, context=context)
    [posted] = client.posted
    assert posted["text"].startswith("Mention")
    assert label_of(posted["text"]) is None and fake_classifier.calls == []
