"""``/sentiment <text>``: ack at once (no network, no model), then answer via ``response_url``.

The ack runs on the HTTP request thread and the scoring in Bolt's lazy-listener pool, so a burst
of commands is acked in milliseconds even while earlier ones are still being scored.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from bot.listeners.deps import Deps, request_id
from bot.markup import clean_text
from bot.replies import apology, result_message, usage_message

COMMAND = re.compile(r"^/sentiment")  # also matches a renamed copy such as /sentiment-dev
HELP_WORDS = frozenset({"help", "-h", "--help", "?", "usage"})


def wants_usage(text: str) -> bool:
    """True for an empty command or an explicit request for help."""
    cleaned = clean_text(text or "")
    return not cleaned or cleaned.lower() in HELP_WORDS


def make_ack(deps: Deps) -> Callable[..., None]:
    """The ack listener: empty 200, or ``in_channel`` so the channel also sees the question."""

    def ack_sentiment(ack: Any, command: dict[str, Any]) -> None:
        if deps.response_type == "in_channel" and not wants_usage(command.get("text", "")):
            ack(response_type="in_channel")
        else:
            ack()

    return ack_sentiment


def make_answer(deps: Deps) -> Callable[..., None]:
    """The lazy listener: score the text and post the reply to the command's response_url."""

    def answer_sentiment(body: dict[str, Any], command: dict[str, Any]) -> None:
        response_url = command.get("response_url")
        if not response_url:
            deps.logger.warning("slash command without response_url; nothing to answer")
            return
        text = command.get("text", "")
        if wants_usage(text):
            message = usage_message(command.get("command") or "/sentiment")
            deps.send_response(response_url, {**message, "response_type": "ephemeral"})
            return
        rid = request_id(body)
        try:
            message = result_message(deps.analyzer.analyse(clean_text(text)))
            message["response_type"] = deps.response_type
        except Exception:
            deps.logger.exception("scoring failed for slash command (request id %s)", rid)
            message = {**apology(rid), "response_type": "ephemeral"}
        deps.send_response(response_url, message)

    return answer_sentiment


def register(app: Any, deps: Deps) -> None:
    """Wire the slash command into ``app``."""
    app.command(COMMAND)(ack=make_ack(deps), lazy=[make_answer(deps)])
