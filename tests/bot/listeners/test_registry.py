"""Listener discovery: every surface module is found and registered, a new module alone adds a
working surface, and manifest.yml subscribes to every event a listener is registered for."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
from slack_bolt import BoltRequest

import bot.listeners
from bot.auth.oauth import OAuthAuthorization
from bot.listeners import register, surface_modules
from tests.bot.listener_doubles import label_of
from tests.harness import make_settings

REPO = Path(__file__).resolve().parents[3]

#: A whole new surface in one file: a :thinking_face: reaction on a message answers, in the
#: message's thread, with that message's sentiment.
REACTION_SURFACE = '''
"""Reaction trigger: a :thinking_face: on a message answers with its sentiment, in its thread."""

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.listeners.deps import deps_of
from bot.listeners.reply_path import meta_for, reply
from bot.outgoing.destinations import ChannelPost
from bot.replies import answer_message

HELP = {"text": "That message has nothing I can read."}


def ack_reaction(ack: Ack) -> None:
    ack()


def answer_reaction(body: dict, event: dict, client: WebClient, context: BoltContext) -> None:
    item = event.get("item") or {}
    if event.get("reaction") != "thinking_face" or item.get("type") != "message":
        return
    found = client.conversations_history(
        channel=item["channel"], latest=item["ts"], inclusive=True, limit=1
    )
    text = (found.get("messages") or [{}])[0].get("text")
    meta = meta_for(context, body, "reaction")
    reply(
        deps_of(context),
        text=text,
        meta=meta,
        destination=ChannelPost(client, item["channel"], item["ts"], meta.team),
        render=lambda answer: answer_message(answer, HELP),
    )


def register(app: App) -> None:
    app.event("reaction_added")(ack=ack_reaction, lazy=[answer_reaction])
'''


class RecordingApp:
    """Records what listeners register: (kind, name or pattern)."""

    def __init__(self) -> None:
        self.registered: list[tuple[str, Any]] = []

    def __getattr__(self, kind: str):
        def constraint(name: Any, **_: Any):
            def listener(*args: Any, **kwargs: Any) -> None:
                self.registered.append((kind, getattr(name, "pattern", name)))

            return listener

        return constraint


def test_every_listener_module_is_registered_catch_alls_last():
    app = RecordingApp()
    names = register(app)  # type: ignore[arg-type]
    assert set(names) >= {"commands", "messages", "shortcut", "home", "workflow", "why"}
    assert names[-1] == "fallbacks" and "deps" not in names and "reply_path" not in names
    kinds = app.registered
    assert ("event", "app_mention") in kinds and ("event", "message") in kinds
    assert ("command", "^/") in kinds and ("action", "why_sentiment") in kinds
    first_catch_all = kinds.index(("event", ".*"))
    assert all(name != ".*" for _, name in kinds[:first_catch_all])


def test_a_new_listener_module_alone_adds_a_working_surface(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, standin, fake_classifier
):
    from bot.app import create_app

    (tmp_path / "reactions.py").write_text(textwrap.dedent(REACTION_SURFACE))
    monkeypatch.setattr(bot.listeners, "__path__", [*bot.listeners.__path__, str(tmp_path)])
    assert "bot.listeners.reactions" in [m.__name__ for m in surface_modules()]
    standin.set_history(
        "C0REACT", [{"type": "message", "user": "U2", "text": "a wonderful demo", "ts": "5.5"}]
    )

    settings = make_settings(standin.api_url, mode="socket", signing_secret=None)
    app = create_app(settings, fake_classifier)
    body = {
        "type": "event_callback",
        "team_id": "T1",
        "event_id": "EvReact1",
        "event": {
            "type": "reaction_added",
            "user": "U1",
            "reaction": "thinking_face",
            "item": {"type": "message", "channel": "C0REACT", "ts": "5.5"},
        },
    }
    try:
        response = app.bolt.dispatch(BoltRequest(body=body, mode="socket_mode"))
        assert response.status == 200
        [posted] = standin.wait_for("chat.postMessage")
    finally:
        app.shutdown()
    assert posted.body["channel"] == "C0REACT" and posted.body["thread_ts"] == "5.5"
    assert label_of(posted.body["text"]) == "positive"


def manifest_bot_events() -> set[str]:
    """``settings.event_subscriptions.bot_events`` of manifest.yml (read without a YAML library:
    the list items under that key)."""
    lines = (REPO / "manifest.yml").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith("bot_events:"))
    events = set()
    for line in lines[start + 1 :]:
        item = re.match(r"^\s+- ([a-z_.]+)", line)
        if item is None:
            break
        events.add(item.group(1))
    return events


def registered_events() -> set[str]:
    """The Events API types the app registers listeners for (every surface and the OAuth
    clean-up), as manifest subscription names."""
    app = RecordingApp()
    register(app)  # type: ignore[arg-type]
    OAuthAuthorization.attach(_OAuthStub(), app)  # type: ignore[arg-type]
    events = set()
    for kind, name in app.registered:
        if kind == "event" and name != ".*":
            events.add(name)
        elif kind == "function":
            events.add("function_executed")
    return events


class _OAuthStub:
    """Enough of an OAuthAuthorization for ``attach`` to register its listeners."""

    installation_store = None
    database = None


def test_manifest_subscribes_to_every_registered_event(monkeypatch: pytest.MonkeyPatch):
    import bot.db.claims

    monkeypatch.setattr(bot.db.claims, "ClaimStore", lambda database: None)
    subscribed = manifest_bot_events()
    registered = registered_events()
    assert {"app_uninstalled", "tokens_revoked", "app_mention"} <= registered
    # ``message`` listeners need at least one message.* subscription (this app: message.im)
    missing = {e for e in registered if e != "message" and e not in subscribed}
    if "message" in registered and not any(s.startswith("message.") for s in subscribed):
        missing.add("message.*")
    assert missing == set(), f"manifest.yml bot_events lacks {sorted(missing)}"
