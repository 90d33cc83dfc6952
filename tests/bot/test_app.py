"""The built app (``bot.app.create_app``) over Bolt's own dispatch: Socket Mode requests, other
commands left alone, the configured command name."""

from __future__ import annotations

import pytest

from tests.bot.listener_doubles import label_of


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
    assert label_of(call.body["text"]) == "positive"
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
