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


@pytest.fixture
def context(deps: Deps) -> dict[str, Any]:
    """What Bolt hands a listener: the deps middleware put them at ``context["deps"]``."""
    return {"deps": deps}


def _command(text: str) -> dict:
    return {"command": "/sentiment", "text": text, "response_url": "https://hooks/x"}


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


def test_command_answer(deps: Deps, context):
    commands.answer_sentiment(
        body={"trigger_id": "t1"}, command=_command("I love it"), context=context
    )
    [(url, message)] = deps.send_response.sent
    assert url == "https://hooks/x"
    assert message["response_type"] == "ephemeral" and "positive" in message["text"]


@pytest.mark.parametrize("text", ["", "help", " --help ", "<@U1>"])
def test_command_usage(deps: Deps, context, text: str):
    commands.answer_sentiment(body={}, command=_command(text), context=context)
    [(_, message)] = deps.send_response.sent
    assert message["text"].startswith("Usage")


def test_command_scoring_error(deps: Deps, context, caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.ERROR)
    commands.answer_sentiment(
        body={"trigger_id": "trig-9"}, command=_command("boom"), context=context
    )
    [(_, message)] = deps.send_response.sent
    assert "trig-9" in message["text"] and message["response_type"] == "ephemeral"
    assert "trig-9" in caplog.text


def test_command_without_response_url_is_ignored(deps: Deps, context):
    command = {"command": "/sentiment", "text": "great"}
    commands.answer_sentiment(body={}, command=command, context=context)
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


def test_mention_reply_in_thread(context):
    client = FakeClient()
    events.answer_mention(
        body={"event_id": "E1"}, event=_mention("<@UB> great"), client=client, context=context
    )
    [posted] = client.posted
    assert posted["channel"] == "C1" and posted["thread_ts"] == "1.1"
    assert "blocks" in posted and "positive" in posted["text"]


def test_mention_help_uses_bot_id_from_authorizations(context):
    client = FakeClient()
    body = {"authorizations": [{"user_id": "UB", "is_bot": True}]}
    events.answer_mention(body=body, event=_mention("<@UB>"), client=client, context=context)
    assert "<@UB>" in client.posted[0]["text"]


def test_mention_by_a_bot_is_ignored(context):
    client = FakeClient()
    event = _mention("great", bot_id="B2")
    events.answer_mention(body={}, event=event, client=client, context=context)
    event = _mention("great", user="UB")
    events.answer_mention(
        body={}, event=event, client=client, context={**context, "bot_user_id": "UB"}
    )
    assert client.posted == []


def test_same_message_via_mention_and_dm_is_answered_once(context):
    client = FakeClient()
    event = _mention("great", channel="D1", channel_type="im")
    events.answer_mention(body={}, event=event, client=client, context=context)
    dm = {**event, "type": "message"}
    events.answer_dm(body={}, event=dm, client=client, context=context)
    assert len(client.posted) == 1


def test_dm_only_answers_im_messages_from_people(context):
    client = FakeClient()
    base = {"type": "message", "user": "UH", "text": "great", "channel": "D1"}

    def answer(event: dict) -> None:
        events.answer_dm(body={}, event={**base, **event}, client=client, context=context)

    answer({"ts": "1", "channel_type": "channel"})
    answer({"ts": "2", "channel_type": "im", "subtype": "channel_join"})
    answer({"ts": "3", "channel_type": "im", "user": None})
    assert client.posted == []
    answer({"ts": "4", "channel_type": "im", "thread_ts": "0.5"})
    assert client.posted[0]["thread_ts"] == "0.5"


def test_post_failure_is_logged_not_raised(context, caplog: pytest.LogCaptureFixture):
    client = FakeClient(error="not_in_channel")
    events.answer_mention(body={}, event=_mention("great"), client=client, context=context)
    assert "not_in_channel" in caplog.text


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


def test_register_wires_every_surface_then_the_catch_all():
    from bot.listeners import SURFACES, register

    class FakeApp:
        def __init__(self) -> None:
            self.registered: list[tuple[str, Any]] = []

        def _record(self, kind: str, name: Any):
            return lambda *args, **kw: self.registered.append((kind, name))

        def __getattr__(self, kind: str):
            return lambda name, **kw: self._record(kind, name)

    app = FakeApp()
    register(app)
    kinds = [(kind, getattr(name, "pattern", name)) for kind, name in app.registered]
    assert ("event", "app_mention") in kinds and ("event", "message") in kinds
    assert ("command", "^/") in kinds
    assert kinds[-1] == ("event", ".*")  # the catch-all comes last
    assert len(SURFACES) >= 2


def _bolt_app(settings, classifier, **kwargs):
    from bot.app import create_app

    return create_app(settings, classifier, **kwargs)


def _command_body(standin, command: str = "/sentiment", text: str = "great") -> dict:
    return {
        "command": command,
        "text": text,
        "response_url": standin.response_url(command.strip("/")),
        "team_id": "T1",
        "user_id": "U1",
        "channel_id": "C1",
    }


def test_socket_mode_refusal_is_a_clear_error(standin, fake_classifier, tmp_path):
    from bot.runners import run
    from bot.runners.socket import SocketModeError, SocketRunner
    from tests.harness import fake_token, make_settings

    app_token = fake_token("xapp", "1-test")
    settings = make_settings(
        standin.api_url,
        mode="socket",
        app_token=app_token,
        database_url=f"sqlite:///{tmp_path / 'bot.db'}",
    )
    with pytest.raises(SocketModeError) as caught:
        run(SocketRunner(settings, lambda: fake_classifier))
    assert "unknown_method" in str(caught.value) and "SLACK_APP_TOKEN" in str(caught.value)
    assert app_token not in str(caught.value)


def test_socket_mode_requests_are_answered_without_signatures(standin, fake_classifier):
    from slack_bolt import BoltRequest

    from tests.harness import make_settings

    settings = make_settings(standin.api_url, mode="socket", signing_secret=None)
    app = _bolt_app(settings, fake_classifier)
    response = app.bolt.dispatch(BoltRequest(body=_command_body(standin), mode="socket_mode"))
    assert response.status == 200
    [call] = standin.wait_for("response_url")
    assert "positive" in call.body["text"]
    app.shutdown()


def test_other_commands_are_not_swallowed(standin, fake_classifier):
    from slack_bolt import BoltRequest

    from tests.harness import make_settings

    settings = make_settings(standin.api_url, mode="socket", signing_secret=None)
    app = _bolt_app(settings, fake_classifier)
    other = _command_body(standin, "/sentiment-mood")
    app.bolt.command("/sentiment-mood")(lambda ack: ack("mood here"))
    response = app.bolt.dispatch(BoltRequest(body=other, mode="socket_mode"))
    assert response.status == 200 and "mood here" in response.body
    standin.settle(0.3)
    assert standin.calls_to("response_url") == []
    assert fake_classifier.calls == []
    app.shutdown()


def test_configured_command_name(standin, fake_classifier):
    from slack_bolt import BoltRequest

    from tests.harness import make_settings

    settings = make_settings(standin.api_url, mode="socket", signing_secret=None, command="/tone")
    app = _bolt_app(settings, fake_classifier)
    ours = app.bolt.dispatch(BoltRequest(body=_command_body(standin, "/tone"), mode="socket_mode"))
    theirs = app.bolt.dispatch(
        BoltRequest(body=_command_body(standin, "/sentiment"), mode="socket_mode")
    )
    assert ours.status == 200 and theirs.status == 404
    [call] = standin.wait_for("response_url")
    assert call.path == "/response/tone"
    app.shutdown()
