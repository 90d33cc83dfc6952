"""App Home tab: how to use each surface, what the model is, what is stored, and a try-it box.

``app_home_opened`` publishes the tab for that user (``views.publish``). The try-it box is an
input in the tab itself: pressing Enter or the *Analyze* button sends a ``block_actions``
payload; the ack is immediate and the lazy listener re-publishes the tab with the answer. The
text travels only in that user's own view; the bot keeps nothing. A payload whose view state
is not what the tab sent (wrong shape, missing parts) counts as an empty box.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.answers import Answer
from bot.listeners.deps import Deps, deps_of
from bot.listeners.reply_path import meta_for, reply, send
from bot.listeners.watching import with_watching
from bot.outgoing.destinations import HomeTab
from bot.views import TRY_BUTTON_ACTION, TRY_INPUT_ACTION, View, home_view, submitted_text

SURFACE = "home"


def ack_home(ack: Ack) -> None:
    """Events and button clicks are acked with an empty 200 before any work."""
    ack()


def _model_info(deps: Deps) -> Any:
    return getattr(getattr(deps.analyzer, "classifier", None), "info", None)


def _user_of(value: Any) -> str | None:
    """A user id: ``event["user"]`` is the id itself, an action's ``user`` is ``{"id": ...}``."""
    user = value.get("id") if isinstance(value, Mapping) else value
    return user if isinstance(user, str) and user else None


def publish_home(
    body: dict[str, Any], event: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Lazy listener for ``app_home_opened``: publish the Home tab (not the Messages tab)."""
    user = _user_of(event.get("user"))
    if event.get("tab", "home") != "home" or user is None:
        return
    deps = deps_of(context)
    meta = meta_for(context, body, SURFACE)
    view = with_watching(deps, home_view(_model_info(deps)), meta.team)
    send(deps, payload=view, meta=meta, destination=HomeTab(client, user, meta.team))


def typed_text(body: Mapping[str, Any]) -> str:
    """What the user typed: the box's value in the view state, else (Enter in the box) the
    action's own value; "" when neither is there or the payload has another shape."""
    view = body.get("view")
    text = submitted_text(view.get("state") if isinstance(view, Mapping) else None)
    if text:
        return text
    actions = body.get("actions")
    action = actions[0] if isinstance(actions, list) and actions else None
    if isinstance(action, Mapping) and action.get("type") == "plain_text_input":
        value = action.get("value")
        return value if isinstance(value, str) else ""
    return ""


def answer_try(body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """Lazy listener for the try-it box: re-publish the user's Home tab with the answer."""
    deps = deps_of(context)
    meta = meta_for(context, body, SURFACE)
    clicker = body.get("user")
    user = _user_of(clicker) if isinstance(clicker, Mapping) else None
    if user is None:
        deps.logger.warning(
            "id=%s surface=home: try-it without a user; nobody to answer", meta.request_id
        )
        return
    info = _model_info(deps)

    def render(answer: Answer) -> View:
        return home_view(info, answer=answer)

    destination = HomeTab(client, user, meta.team)
    reply(deps, text=typed_text(body), meta=meta, destination=destination, render=render)


def register(app: App) -> None:
    """Wire ``app_home_opened`` and the try-it box (Enter in the input, or the button)."""
    app.event("app_home_opened")(ack=ack_home, lazy=[publish_home])
    app.action(TRY_BUTTON_ACTION)(ack=ack_home, lazy=[answer_try])
    app.action(TRY_INPUT_ACTION)(ack=ack_home, lazy=[answer_try])
