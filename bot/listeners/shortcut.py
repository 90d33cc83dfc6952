"""Message shortcut "Analyze sentiment": score any message without retyping it.

Slack sends a ``message_action`` payload with the message, the channel and a ``response_url``.
The ack is empty and immediate; the lazy listener scores the message and answers only the person
who clicked, ephemerally in that channel through ``response_url`` (which works even where the bot
is not a member). If that post fails, the answer goes to the person's DM with the app instead.
"""

from __future__ import annotations

import uuid
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.listeners.deps import deps_of
from bot.replies import Message, apology, result_message

CALLBACK_ID = "analyze_sentiment"

NO_TEXT = (
    "That message has no text I can read (only files, images or formatting), so there is "
    "nothing to score."
)


def no_text_message() -> Message:
    """The one-liner for a message with nothing to score."""
    return {"text": NO_TEXT}


def ack_shortcut(ack: Any) -> None:
    """Empty ack, before any work: Slack shows an error to the user after 3 s without one."""
    ack()


def shortcut_intro(payload: dict[str, Any]) -> str:
    """Whose message was scored, as a context line ("Sentiment of <@U1>'s message")."""
    message = payload.get("message") or {}
    author = message.get("user")
    if author:
        return f"Sentiment of <@{author}>'s message"
    return "Sentiment of the message"


def shortcut_reply(deps: Any, payload: dict[str, Any]) -> Message:
    """The answer for a message shortcut payload: result, no-text one-liner, or apology."""
    message = payload.get("message") or {}
    text = deps.analyzer.clean(message.get("text") or "")
    if not text:
        return no_text_message()
    try:
        analysis = deps.analyzer.analyse(text)
    except Exception:
        ref = str(payload.get("trigger_id") or uuid.uuid4().hex[:12])
        deps.logger.exception("scoring failed for message shortcut (request id %s)", ref)
        return apology(ref)
    return result_message(analysis, intro=shortcut_intro(payload))


def deliver(deps: Any, client: Any, payload: dict[str, Any], reply: Message) -> bool:
    """Ephemeral answer via ``response_url``; a DM to the user if that fails. True if sent."""
    response_url = payload.get("response_url")
    if response_url:
        ephemeral = {**reply, "response_type": "ephemeral", "replace_original": False}
        if deps.send_response(response_url, ephemeral):
            return True
        deps.logger.info("shortcut answer via response_url failed; sending it as a DM instead")
    user = (payload.get("user") or {}).get("id")
    if not user:
        deps.logger.warning("message shortcut without a user id; nowhere to answer")
        return False
    try:
        client.chat_postMessage(channel=user, **reply)  # a user id posts to the app's DM
        return True
    except SlackApiError as error:
        code = error.response.get("error") if error.response is not None else None
        deps.logger.warning("shortcut answer as a DM failed: %s", code)
    except Exception as error:
        deps.logger.warning("shortcut answer as a DM failed: %s", type(error).__name__)
    return False


def answer_shortcut(body: dict[str, Any], client: Any, context: Any) -> None:
    """Lazy listener: score the message the shortcut was used on and answer the clicker."""
    deps = deps_of(context)
    deliver(deps, client, body, shortcut_reply(deps, body))


def register(app: Any) -> None:
    """Wire the message shortcut (callback id ``analyze_sentiment``, see manifest.yml)."""
    app.shortcut(CALLBACK_ID)(ack=ack_shortcut, lazy=[answer_shortcut])
