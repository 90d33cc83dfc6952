"""``/sentiment <text>``: ack at once (no network, no model), then answer via ``response_url``.

The ack runs on the HTTP request thread and the scoring in Bolt's lazy-listener pool, so a burst
of commands is acked in milliseconds even while earlier ones are still being scored. The command
name is matched exactly (``SLACK_COMMAND``, default ``/sentiment``), so another command such as
``/sentiment-mood`` reaches its own listener.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.answers import Answer
from bot.listeners.deps import deps_of
from bot.listeners.mood import answer_mood, is_mood_command
from bot.listeners.reply_path import meta_for, reply, send
from bot.listeners.watching import answer_watch, is_watch_command
from bot.markup import clean_text
from bot.outgoing.destinations import ResponseUrl
from bot.replies import Message, answer_message, usage_message

ANY_COMMAND = re.compile(r"^/")
HELP_WORDS = frozenset({"help", "-h", "--help", "?", "usage"})
SURFACE = "command"


def wants_usage(text: str, clean: Callable[[str], str] = clean_text) -> bool:
    """True for an empty command or an explicit request for help (``clean``: the analyzer's
    markup cleaning, so a text of emoji the model reads is scored, not answered with usage)."""
    cleaned = clean(text or "")
    return not cleaned or cleaned.lower() in HELP_WORDS


def is_sentiment_command(command: dict[str, Any], context: BoltContext) -> bool:
    """Listener matcher: exactly the configured command name."""
    return command.get("command") == deps_of(context).command


def ack_sentiment(ack: Ack, command: dict[str, Any], context: BoltContext) -> None:
    """The ack listener: empty 200, or ``in_channel`` so the channel also sees the question."""
    text = command.get("text", "")
    deps = deps_of(context)
    # help and channel mood stay private
    private = wants_usage(text, deps.analyzer.clean) or _is_mood(command) or is_watch_command(text)
    if deps.response_type == "in_channel" and not private:
        ack(response_type="in_channel")
    else:
        ack()


def _is_mood(command: dict[str, Any]) -> bool:
    """``/sentiment mood [#channel] [count]`` (see bot.listeners.mood)."""
    return is_mood_command(
        command.get("text", ""), command.get("channel_id", ""), command.get("channel_name")
    )


def answer_sentiment(
    body: dict[str, Any], command: dict[str, Any], context: BoltContext, client: WebClient
) -> None:
    """The lazy listener: score the text (or the channel's mood) and post the reply to the
    command's response_url."""
    deps = deps_of(context)
    meta = meta_for(context, body, SURFACE)
    response_url = command.get("response_url")
    if not isinstance(response_url, str) or not response_url:
        deps.logger.warning(
            "id=%s surface=command: no response_url; nothing to answer", meta.request_id
        )
        return
    if _is_mood(command):
        answer_mood(command=command, client=client, context=context)
        return
    if is_watch_command(command.get("text", "")):
        answer_watch(body=body, command=command, client=client, context=context)
        return
    destination = ResponseUrl(response_url, deps.outbox.response_sender)
    text = command.get("text", "")
    name = command.get("command") or deps.command
    if wants_usage(text, deps.analyzer.clean):
        usage = {**usage_message(name), "response_type": "ephemeral"}
        send(deps, payload=usage, meta=meta, destination=destination, label="help")
        return

    def render(answer: Answer) -> Message:
        message = answer_message(answer, usage_message(name))
        shown = answer.kind == "result"
        return {**message, "response_type": deps.response_type if shown else "ephemeral"}

    reply(deps, text=text, meta=meta, destination=destination, render=render)


def register(app: App) -> None:
    """Wire the slash command into ``app``."""
    app.command(ANY_COMMAND, matchers=[is_sentiment_command])(
        ack=ack_sentiment, lazy=[answer_sentiment]
    )
