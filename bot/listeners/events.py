"""@-mentions and direct messages: clean the markup, score, reply with ``chat.postMessage``.

Mentions are answered in the mention's thread (``thread_ts`` or ``ts``). A DM is answered in the
DM itself, in its thread if it was written in one, like a person would reply. The bot never
answers a bot (its own messages included), edits, deletions or other message subtypes.
"""

from __future__ import annotations

import re
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.listeners.deps import Deps, deps_of, request_id
from bot.markup import is_over_limit, with_truncation_note
from bot.replies import apology, dm_help, mention_help, result_message
from bot.slack_api import ReplyMeta

ANY_EVENT = re.compile(r".*")
#: Message subtypes that are a person writing something new (None: a plain message).
ANSWERED_SUBTYPES = frozenset({None, "file_share", "thread_broadcast"})


def bot_user_id(context: Any, body: dict[str, Any]) -> str | None:
    """The bot's user id: from authorization if known, else from the event's ``authorizations``."""
    known = context.get("bot_user_id") if context is not None else None
    if known:
        return str(known)
    for authorization in body.get("authorizations") or []:
        if authorization.get("is_bot") and authorization.get("user_id"):
            return str(authorization["user_id"])
    return None


def from_a_bot(event: dict[str, Any], me: str | None) -> bool:
    """True for messages by any bot or app, including this one."""
    return bool(
        event.get("bot_id")
        or event.get("bot_profile")
        or event.get("subtype") == "bot_message"
        or (me is not None and event.get("user") == me)
    )


def ack_event(ack: Any) -> None:
    """Events are acked with an empty 200 before any work."""
    ack()


def post_reply(
    deps: Deps,
    client: Any,
    event: dict[str, Any],
    thread_ts: Any,
    message: dict,
    meta: ReplyMeta | None = None,
) -> None:
    """``chat.postMessage`` in the event's channel; failures are logged, never raised.

    With an outbox (the running app) the post is queued per channel within the reply deadline,
    and its outcome is logged once with the request id (``bot.slack_api.Outbox``).
    """
    if deps.outbox is not None and meta is not None:
        deps.outbox.post_message(
            client, channel=event["channel"], thread_ts=thread_ts, message=message, meta=meta
        )
        return
    try:
        client.chat_postMessage(channel=event["channel"], thread_ts=thread_ts, **message)
    except SlackApiError as error:
        code = error.response.get("error") if error.response is not None else None
        deps.logger.warning("chat.postMessage to %s failed: %s", event.get("channel"), code)
    except Exception as error:
        deps.logger.warning(
            "chat.postMessage to %s failed: %s", event.get("channel"), type(error).__name__
        )


def answer_event(
    deps: Deps,
    client: Any,
    body: dict[str, Any],
    event: dict[str, Any],
    thread_ts: Any,
    help_message: dict[str, Any],
    meta: ReplyMeta | None = None,
) -> None:
    """Score the event's text and post the result (or help, or an apology) in ``thread_ts``."""
    channel, ts = event.get("channel"), event.get("ts")
    team_id = body.get("team_id")
    if channel and ts and not deps.answered.first_time(f"msg:{team_id}:{channel}:{ts}", team_id):
        return  # the same message already answered via the other event type
    raw = event.get("text") or ""
    text = deps.analyzer.clean(raw)
    if not text:
        post_reply(deps, client, event, thread_ts, help_message, meta)
        return
    rid = request_id(body)
    label = "error"
    try:
        analysis = deps.analyzer.analyse(text)
        message, label = result_message(analysis), analysis.label
        if is_over_limit(raw):
            message = with_truncation_note(message)
    except Exception:
        deps.logger.exception("scoring failed for %s (request id %s)", event.get("type"), rid)
        message = apology(rid)
    post_reply(deps, client, event, thread_ts, message, meta and meta.labelled(label))


def answer_mention(body: dict[str, Any], event: dict[str, Any], client: Any, context: Any) -> None:
    """Lazy listener for ``app_mention``: reply in the mention's thread."""
    me = bot_user_id(context, body)
    if from_a_bot(event, me) or event.get("subtype") not in ANSWERED_SUBTYPES:
        return
    thread_ts = event.get("thread_ts") or event.get("ts")
    meta = ReplyMeta.from_context(context, request_id=request_id(body))
    answer_event(deps_of(context), client, body, event, thread_ts, mention_help(me), meta)


def answer_dm(body: dict[str, Any], event: dict[str, Any], client: Any, context: Any) -> None:
    """Lazy listener for ``message`` events: answer direct messages, ignore everything else."""
    if event.get("channel_type") != "im":
        return
    me = bot_user_id(context, body)
    if from_a_bot(event, me) or event.get("subtype") not in ANSWERED_SUBTYPES:
        return
    if not event.get("user"):
        return
    meta = ReplyMeta.from_context(context, request_id=request_id(body))
    answer_event(deps_of(context), client, body, event, event.get("thread_ts"), dm_help(), meta)


def register(app: Any) -> None:
    """Wire ``app_mention`` and ``message`` (every subtype)."""
    app.event("app_mention")(ack=ack_event, lazy=[answer_mention])
    app.event("message")(ack=ack_event, lazy=[answer_dm])


def register_catch_all(app: Any) -> None:
    """Ack any other event type; registered last, after every surface.

    An unhandled event would get a 404, which Slack retries and counts as a failure; events the
    manifest does not subscribe to should not arrive, but if they do they are acked and dropped.
    """
    app.event(ANY_EVENT)(ack_event)
