"""Listener unit tests with fake ack / response sender / client / context."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.analysis import Analyzer
from bot.listeners import commands, events
from bot.listeners.deps import Deps


class FakeAck:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def __call__(self, text: str = "", **kwargs: Any) -> None:
        self.calls.append({"text": text, **kwargs})


class FakeSender:
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict]] = []

    def __call__(self, url: str, message: dict) -> bool:
        self.sent.append((url, message))
        return True


class FakeClient:
    def __init__(self, error: str | None = None) -> None:
        self.posted: list[dict[str, Any]] = []
        self.error = error

    def chat_postMessage(self, **kwargs: Any) -> dict:
        if self.error:
            response = SlackResponse(
                client=None,
                http_verb="POST",
                api_url="chat.postMessage",
                req_args={},
                data={"ok": False, "error": self.error},
                headers={},
                status_code=200,
            )
            raise SlackApiError("failed", response)
        self.posted.append(kwargs)
        return {"ok": True}


@pytest.fixture
def deps(fake_classifier) -> Deps:
    return Deps(analyzer=Analyzer(fake_classifier, 0.6), send_response=FakeSender())


def _command(text: str) -> dict:
    return {"command": "/sentiment", "text": text, "response_url": "https://hooks/x"}


def test_ack_is_empty_by_default(deps: Deps):
    ack = FakeAck()
    commands.make_ack(deps)(ack=ack, command=_command("great"))
    assert ack.calls == [{"text": ""}]


def test_ack_in_channel_except_for_usage(deps: Deps):
    deps.response_type = "in_channel"
    ack = FakeAck()
    commands.make_ack(deps)(ack=ack, command=_command("great"))
    commands.make_ack(deps)(ack=ack, command=_command(""))
    assert ack.calls == [{"text": "", "response_type": "in_channel"}, {"text": ""}]


def test_command_answer(deps: Deps):
    commands.make_answer(deps)(body={"trigger_id": "t1"}, command=_command("I love it"))
    [(url, message)] = deps.send_response.sent
    assert url == "https://hooks/x"
    assert message["response_type"] == "ephemeral" and "positive" in message["text"]


@pytest.mark.parametrize("text", ["", "help", " --help ", "<@U1>"])
def test_command_usage(deps: Deps, text: str):
    commands.make_answer(deps)(body={}, command=_command(text))
    [(_, message)] = deps.send_response.sent
    assert message["text"].startswith("Usage")


def test_command_scoring_error(deps: Deps, caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.ERROR)
    commands.make_answer(deps)(body={"trigger_id": "trig-9"}, command=_command("boom"))
    [(_, message)] = deps.send_response.sent
    assert "trig-9" in message["text"] and message["response_type"] == "ephemeral"
    assert "trig-9" in caplog.text


def test_command_without_response_url_is_ignored(deps: Deps):
    commands.make_answer(deps)(body={}, command={"command": "/sentiment", "text": "great"})
    assert deps.send_response.sent == []


def _mention(text: str, **extra: Any) -> dict:
    return {
        "type": "app_mention",
        "user": "UH",
        "text": text,
        "ts": "1.1",
        "channel": "C1",
        **extra,
    }


def test_mention_reply_in_thread(deps: Deps):
    client = FakeClient()
    events.make_mention_answer(deps)(
        body={"event_id": "E1"}, event=_mention("<@UB> great"), client=client, context={}
    )
    [posted] = client.posted
    assert posted["channel"] == "C1" and posted["thread_ts"] == "1.1"
    assert "blocks" in posted and "positive" in posted["text"]


def test_mention_help_uses_bot_id_from_authorizations(deps: Deps):
    client = FakeClient()
    body = {"authorizations": [{"user_id": "UB", "is_bot": True}]}
    events.make_mention_answer(deps)(body=body, event=_mention("<@UB>"), client=client, context={})
    assert "<@UB>" in client.posted[0]["text"]


def test_mention_by_a_bot_is_ignored(deps: Deps):
    client = FakeClient()
    event = _mention("great", bot_id="B2")
    events.make_mention_answer(deps)(body={}, event=event, client=client, context={})
    event = _mention("great", user="UB")
    events.make_mention_answer(deps)(
        body={}, event=event, client=client, context={"bot_user_id": "UB"}
    )
    assert client.posted == []


def test_same_message_via_mention_and_dm_is_answered_once(deps: Deps):
    client = FakeClient()
    event = _mention("great", channel="D1", channel_type="im")
    events.make_mention_answer(deps)(body={}, event=event, client=client, context={})
    dm = {**event, "type": "message"}
    events.make_dm_answer(deps)(body={}, event=dm, client=client, context={})
    assert len(client.posted) == 1


def test_dm_only_answers_im_messages_from_people(deps: Deps):
    client = FakeClient()
    answer = events.make_dm_answer(deps)
    base = {"type": "message", "user": "UH", "text": "great", "channel": "D1"}
    answer(body={}, event={**base, "ts": "1", "channel_type": "channel"}, client=client, context={})
    answer(
        body={},
        event={**base, "ts": "2", "channel_type": "im", "subtype": "channel_join"},
        client=client,
        context={},
    )
    answer(
        body={},
        event={**base, "ts": "3", "channel_type": "im", "user": None},
        client=client,
        context={},
    )
    assert client.posted == []
    answer(
        body={},
        event={**base, "ts": "4", "channel_type": "im", "thread_ts": "0.5"},
        client=client,
        context={},
    )
    assert client.posted[0]["thread_ts"] == "0.5"


def test_post_failure_is_logged_not_raised(deps: Deps, caplog: pytest.LogCaptureFixture):
    client = FakeClient(error="not_in_channel")
    events.make_mention_answer(deps)(body={}, event=_mention("great"), client=client, context={})
    assert "not_in_channel" in caplog.text


def test_register_wires_listeners(deps: Deps):
    from bot.listeners import register

    class FakeApp:
        def __init__(self) -> None:
            self.registered: list[tuple[str, Any]] = []

        def command(self, name: Any):
            return lambda **kw: self.registered.append(("command", name))

        def event(self, name: Any):
            return lambda *args, **kw: self.registered.append(("event", name))

    app = FakeApp()
    register(app, deps)
    kinds = [(kind, getattr(name, "pattern", name)) for kind, name in app.registered]
    assert ("event", "app_mention") in kinds and ("event", "message") in kinds
    assert ("command", "^/sentiment") in kinds
    assert kinds[-1] == ("event", ".*")  # the catch-all comes last


def test_socket_mode_refusal_is_a_clear_error(standin, fake_classifier):
    from bot_helpers import fake_token, make_settings

    app_token = fake_token("xapp", "1-test")

    from bot import socket_mode

    settings = make_settings(standin.api_url, mode="socket", app_token=app_token)
    with pytest.raises(socket_mode.SocketModeError) as caught:
        socket_mode.run(settings, lambda: fake_classifier)
    assert "unknown_method" in str(caught.value) and "SLACK_APP_TOKEN" in str(caught.value)
    assert app_token not in str(caught.value)


def test_socket_mode_requests_are_answered_without_signatures(standin, fake_classifier):
    from bot_helpers import make_settings
    from slack_bolt import BoltRequest

    from bot.app import create_app

    settings = make_settings(standin.api_url, mode="socket", signing_secret=None)
    app = create_app(settings, fake_classifier)
    body = {
        "command": "/sentiment",
        "text": "great",
        "response_url": standin.response_url("socket"),
        "team_id": "T1",
        "user_id": "U1",
        "channel_id": "C1",
    }
    response = app.dispatch(BoltRequest(body=body, mode="socket_mode"))
    assert response.status == 200
    [call] = standin.wait_for("response_url")
    assert "positive" in call.body["text"]
    app.listener_runner.listener_executor.shutdown(wait=True)
