"""Message shortcut "Analyze sentiment": score any message without retyping it.

Slack sends a ``message_action`` payload with the message, the channel and a ``response_url``.
The ack is empty and immediate; the lazy listener scores the message and answers only the person
who clicked, ephemerally in that channel through ``response_url`` (which works even where the bot
is not a member). If that post fails, the answer goes to the person's DM with the app instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.answers import Answer
from bot.listeners.deps import deps_of
from bot.listeners.reply_path import meta_for, reply, send
from bot.outgoing.destinations import ChannelPost, Destination, ResponseUrl
from bot.replies import Message, answer_message

CALLBACK_ID = "analyze_sentiment"
SURFACE = "shortcut"

NO_TEXT = (
    "That message has no text I can read (only files, images or formatting), so there is "
    "nothing to score."
)


def no_text_message() -> Message:
    """The one-liner for a message with nothing to score."""
    return {"text": NO_TEXT}


def ack_shortcut(ack: Ack) -> None:
    """Empty ack, before any work: Slack shows an error to the user after 3 s without one."""
    ack()


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def shortcut_intro(payload: Mapping[str, Any]) -> str:
    """Whose message was scored, as a context line ("Sentiment of <@U1>'s message")."""
    author = _mapping(payload.get("message")).get("user")
    if isinstance(author, str) and author:
        return f"Sentiment of <@{author}>'s message"
    return "Sentiment of the message"


def render_for(payload: Mapping[str, Any]) -> Any:
    """How a shortcut's answer looks: its intro line, and "no text" as the help line."""

    def render(answer: Answer) -> Message:
        message = answer_message(answer, no_text_message(), intro=shortcut_intro(payload))
        return {**message, "response_type": "ephemeral", "replace_original": False}

    return render


def answer_shortcut(body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """Lazy listener: score the message the shortcut was used on and answer the clicker."""
    deps = deps_of(context)
    meta = meta_for(context, body, SURFACE)
    text = _mapping(body.get("message")).get("text")
    user = _mapping(body.get("user")).get("id")
    response_url = body.get("response_url")
    dm: Destination | None = None
    if isinstance(user, str) and user:
        dm = ChannelPost(client, user, team=meta.team)  # a user id posts to the app's DM
    if isinstance(response_url, str) and response_url:
        destination: Destination = ResponseUrl(response_url, deps.outbox.response_sender)
    elif dm is not None:
        destination, dm = dm, None
    else:
        deps.logger.warning(
            "id=%s surface=shortcut: no response_url and no user; nowhere to answer",
            meta.request_id,
        )
        return
    fallback = None
    if dm is not None:
        direct = dm

        def fallback(payload: Message) -> None:
            deps.logger.info(
                "id=%s surface=shortcut: answer via response_url failed; sending it as a DM",
                meta.request_id,
            )
            message = {k: v for k, v in payload.items() if k in ("text", "blocks")}
            send(deps, payload=message, meta=meta, destination=direct)

    reply(
        deps,
        text=text,
        meta=meta,
        destination=destination,
        render=render_for(body),
        on_failure=fallback,
    )


def register(app: App) -> None:
    """Wire the message shortcut (callback id ``analyze_sentiment``, see manifest.yml)."""
    app.shortcut(CALLBACK_ID)(ack=ack_shortcut, lazy=[answer_shortcut])
