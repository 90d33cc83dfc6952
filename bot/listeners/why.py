"""The "Why?" button under an answer: which words moved it, shown only to whoever clicked.

The button carries the scored text in its own ``value`` (cut to Slack's 2,000 characters, see
:func:`bot.replies.why_value`), so the bot stores nothing: a click brings the text back, the
analyzer explains it (``Analyzer.explain``: leave-one-out effects of words and n-grams, only
computed on this click), and the answer goes ephemerally to the clicker through the action's
``response_url`` (or ``chat.postEphemeral`` when the payload has none).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.listeners.deps import deps_of
from bot.listeners.reply_path import meta_for, send
from bot.outgoing.destinations import Destination, EphemeralPost, ResponseUrl
from bot.replies import WHY_ACTION, apology, explanation_message, text_of_why_value

SURFACE = "why"
#: How many words or n-grams the answer lists.
TOP_EFFECTS = 5

NO_EXPLANATIONS = "This model cannot say which words moved its answers."
UNREADABLE = "That button no longer carries a text I can explain. Score the message again."


def ack_why(ack: Ack) -> None:
    """Empty ack before any work."""
    ack()


def _where(
    body: Mapping[str, Any], client: WebClient, deps: Any, team: str | None
) -> Destination | None:
    url = body.get("response_url")
    if isinstance(url, str) and url:
        return ResponseUrl(url, deps.outbox.response_sender)
    channel = body.get("channel")
    user = body.get("user")
    channel_id = channel.get("id") if isinstance(channel, Mapping) else None
    user_id = user.get("id") if isinstance(user, Mapping) else None
    if isinstance(channel_id, str) and isinstance(user_id, str):
        return EphemeralPost(client, channel_id, user_id, team)
    return None


def answer_why(body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """Lazy listener: explain the text the clicked button carries, to the clicker only."""
    deps = deps_of(context)
    meta = meta_for(context, body, SURFACE)
    destination = _where(body, client, deps, meta.team)
    if destination is None:
        deps.logger.warning(
            "id=%s surface=why: no response_url or channel; nobody to answer", meta.request_id
        )
        return
    actions = body.get("actions")
    action = actions[0] if isinstance(actions, list) and actions else None
    text, cut = text_of_why_value(action.get("value") if isinstance(action, Mapping) else None)
    if not text:
        message = {"text": UNREADABLE, "response_type": "ephemeral", "replace_original": False}
        send(deps, payload=message, meta=meta, destination=destination, label="help")
        return
    explain = getattr(deps.analyzer, "explain", None)
    if explain is None:
        message = {"text": NO_EXPLANATIONS, "response_type": "ephemeral", "replace_original": False}
        send(deps, payload=message, meta=meta, destination=destination, label="help")
        return
    try:
        analysis = deps.analyzer.analyse(text)
        effects = explain(text, top=TOP_EFFECTS)
    except Exception:
        deps.logger.exception("explaining failed id=%s surface=why", meta.request_id)
        message = {
            **apology(meta.request_id),
            "response_type": "ephemeral",
            "replace_original": False,
        }
        send(deps, payload=message, meta=meta, destination=destination, label="error")
        return
    message = explanation_message(effects, analysis.label, cut)
    send(deps, payload=message, meta=meta, destination=destination, label=analysis.label)


def register(app: App) -> None:
    """Wire the Why button (``bot.replies.why_button``)."""
    app.action(WHY_ACTION)(ack=ack_why, lazy=[answer_why])
