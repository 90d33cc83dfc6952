"""The one reply path every surface takes once it has parsed its payload.

A surface finds the text, where the answer goes and how to render it; :func:`reply` does the
rest the same way for all of them: clean and score through the analyzer
(:func:`bot.answers.answer_text`: help line, "I can only read English", or an apology with the
request id instead of a score when needed), render, tag the reply with its request id and
verdict, and hand it to the outbox, which sends it within the deadline and logs its outcome.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bot.answers import Answer, answer_text
from bot.listeners.deps import Deps
from bot.outgoing.destinations import Destination, Payload
from bot.outgoing.outbox import OnFailure
from bot.outgoing.reply_meta import ReplyMeta
from bot.request_ids import request_id_of

Render = Callable[[Answer], Payload]


def meta_for(context: Mapping[str, Any] | None, body: Mapping[str, Any], surface: str) -> ReplyMeta:
    """The reply's log identity: the request id (Slack's, or the one ``bot.web.events`` put in
    the context), the surface, the team and the arrival time."""
    return ReplyMeta.from_context(context, request_id=request_id_of(body), surface=surface)


def reply(
    deps: Deps,
    *,
    text: object,
    meta: ReplyMeta,
    destination: Destination,
    render: Render,
    on_failure: OnFailure | None = None,
) -> Answer:
    """Answer ``text`` (raw, as Slack sent it) at ``destination``; returns what was answered."""
    answer = answer_text(
        deps.analyzer, text, request_id=meta.request_id, logger=deps.logger, surface=meta.surface
    )
    deps.outbox.send(destination, render(answer), meta.labelled(answer.label), on_failure)
    return answer


def send(
    deps: Deps,
    *,
    payload: Payload,
    meta: ReplyMeta,
    destination: Destination,
    label: str | None = None,
) -> None:
    """A reply that is not an answer to a text (usage, a hint): same outbox, same log line."""
    deps.outbox.send(destination, payload, meta if label is None else meta.labelled(label))
