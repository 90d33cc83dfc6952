"""What no surface handles is still acked 200 (Slack retries, and shows users errors, otherwise)."""

from __future__ import annotations

import logging

from slack_bolt import BoltRequest

from bot.app import create_app
from tests.harness import make_settings


def dispatch(standin, fake_classifier, body: dict) -> int:
    app = create_app(
        make_settings(standin.api_url, mode="socket", signing_secret=None), fake_classifier
    )
    try:
        return app.bolt.dispatch(BoltRequest(body=body, mode="socket_mode")).status
    finally:
        app.shutdown()


def test_block_actions_with_an_unknown_action_id_gets_200(standin, fake_classifier, caplog):
    caplog.set_level(logging.INFO, logger="bot.listeners")
    body = {
        "type": "block_actions",
        "trigger_id": "trig-unknown",
        "team": {"id": "T1"},
        "user": {"id": "U1"},
        "actions": [{"action_id": "no_such_button", "block_id": "b", "type": "button"}],
    }
    assert dispatch(standin, fake_classifier, body) == 200
    assert "id=trig-unknown" in caplog.text and "no_such_button" in caplog.text
    assert fake_classifier.calls == []


def test_unknown_shortcut_view_and_event_get_200(standin, fake_classifier):
    shortcut = {"type": "shortcut", "callback_id": "other", "trigger_id": "t", "team": {"id": "T1"}}
    view = {
        "type": "view_submission",
        "team": {"id": "T1"},
        "user": {"id": "U1"},
        "view": {"id": "V1", "type": "modal", "callback_id": "other_modal"},
    }
    event = {
        "type": "event_callback",
        "team_id": "T1",
        "event_id": "Ev1",
        "event": {"type": "member_joined_channel", "user": "U1", "channel": "C1"},
    }
    for body in (shortcut, view, event):
        assert dispatch(standin, fake_classifier, body) == 200, body["type"]
