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

from bot.listeners.deps import Deps, deps_of, request_id
from bot.listeners.mood import answer_mood, is_mood_command
from bot.markup import clean_text, is_over_limit, with_truncation_note
from bot.replies import apology, result_message, usage_message
from bot.slack_api import ReplyMeta

ANY_COMMAND = re.compile(r"^/")
HELP_WORDS = frozenset({"help", "-h", "--help", "?", "usage"})


def wants_usage(text: str, clean: Callable[[str], str] = clean_text) -> bool:
    """True for an empty command or an explicit request for help (``clean``: the analyzer's
    markup cleaning, so a text of emoji the model reads is scored, not answered with usage)."""
    cleaned = clean(text or "")
    return not cleaned or cleaned.lower() in HELP_WORDS


def is_sentiment_command(command: dict[str, Any], context: Any) -> bool:
    """Listener matcher: exactly the configured command name."""
    return command.get("command") == deps_of(context).command


def ack_sentiment(ack: Any, command: dict[str, Any], context: Any) -> None:
    """The ack listener: empty 200, or ``in_channel`` so the channel also sees the question."""
    text = command.get("text", "")
    deps = deps_of(context)
    # help and channel mood stay private
    private = wants_usage(text, deps.analyzer.clean) or _is_mood(command)
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
    body: dict[str, Any], command: dict[str, Any], context: Any, client: Any = None
) -> None:
    """The lazy listener: score the text (or the channel's mood) and post the reply to the
    command's response_url."""
    deps = deps_of(context)
    response_url = command.get("response_url")
    if not response_url:
        deps.logger.warning("slash command without response_url; nothing to answer")
        return
    if _is_mood(command):
        answer_mood(command=command, client=client, context=context)
        return
    text = command.get("text", "")
    meta = ReplyMeta.from_context(context, request_id=request_id(body))
    if wants_usage(text, deps.analyzer.clean):
        message = usage_message(command.get("command") or deps.command)
        _respond(deps, response_url, {**message, "response_type": "ephemeral"}, meta)
        return
    rid = request_id(body)
    label = "error"
    try:
        analysis = deps.analyzer.analyse(deps.analyzer.clean(text))
        message, label = result_message(analysis), analysis.label
        if is_over_limit(text):
            message = with_truncation_note(message)
        message["response_type"] = deps.response_type
    except Exception:
        deps.logger.exception("scoring failed for slash command (request id %s)", rid)
        message = {**apology(rid), "response_type": "ephemeral"}
    _respond(deps, response_url, message, meta.labelled(label))


def _respond(deps: Deps, response_url: str, message: dict[str, Any], meta: ReplyMeta) -> None:
    """Through the outbox when there is one (deadline, one log line per reply), else inline."""
    if deps.outbox is not None:
        deps.outbox.respond(response_url, message, meta)
    else:
        deps.send_response(response_url, message)


def register(app: Any) -> None:
    """Wire the slash command into ``app``."""
    app.command(ANY_COMMAND, matchers=[is_sentiment_command])(
        ack=ack_sentiment, lazy=[answer_sentiment]
    )
