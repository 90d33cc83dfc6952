"""@-mentions and direct messages: the text of the message is scored and answered in Slack.

Mentions are answered in the mention's thread (``thread_ts`` or ``ts``). A DM is answered in the
DM itself, in its thread if it was written in one, like a person would reply. The bot never
answers a bot (its own messages included), edits, deletions or other message subtypes. An event
without a channel (malformed) is logged with its request id and, when it names its author,
answered in the author's DM with the app.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.answers import Answer
from bot.listeners.deps import Deps, deps_of
from bot.listeners.reply_path import meta_for, reply
from bot.outgoing.destinations import ChannelPost
from bot.outgoing.reply_meta import ReplyMeta
from bot.replies import Message, answer_message, dm_help, mention_help

#: Message subtypes that are a person writing something new (None: a plain message).
ANSWERED_SUBTYPES = frozenset({None, "file_share", "thread_broadcast"})


def _text_field(event: Mapping[str, Any], key: str) -> str | None:
    value = event.get(key)
    return value if isinstance(value, str) and value else None


def bot_user_id(context: Mapping[str, Any] | None, body: Mapping[str, Any]) -> str | None:
    """The bot's user id: from authorization if known, else from the event's ``authorizations``."""
    known = context.get("bot_user_id") if context is not None else None
    if known:
        return str(known)
    for authorization in body.get("authorizations") or []:
        if not isinstance(authorization, Mapping):
            continue
        if authorization.get("is_bot") and authorization.get("user_id"):
            return str(authorization["user_id"])
    return None


def from_a_bot(event: Mapping[str, Any], me: str | None) -> bool:
    """True for messages by any bot or app, including this one."""
    return bool(
        event.get("bot_id")
        or event.get("bot_profile")
        or event.get("subtype") == "bot_message"
        or (me is not None and event.get("user") == me)
    )


def ack_event(ack: Ack) -> None:
    """Events are acked with an empty 200 before any work."""
    ack()


def answer_message_event(
    deps: Deps,
    client: WebClient,
    body: Mapping[str, Any],
    event: Mapping[str, Any],
    thread_ts: str | None,
    help_message: Message,
    meta: ReplyMeta,
) -> None:
    """Score the event's text and post the result (or help, or an apology) in ``thread_ts``."""
    channel, ts = _text_field(event, "channel"), _text_field(event, "ts")
    team_id = body.get("team_id")
    if channel is None:
        user = _text_field(event, "user")
        deps.logger.warning(
            "id=%s surface=%s: event without a channel; %s",
            meta.request_id,
            meta.surface,
            "answering its author in a DM" if user else "nobody to answer",
        )
        if user is None:
            return
        channel, thread_ts = user, None  # a user id posts to the app's DM with them
    elif ts and not deps.answered.first_time(f"msg:{team_id}:{channel}:{ts}", team_id):
        return  # the same message already answered via the other event type

    def render(answer: Answer) -> Message:
        return answer_message(answer, help_message)

    destination = ChannelPost(client, channel, thread_ts, meta.team)
    reply(deps, text=event.get("text"), meta=meta, destination=destination, render=render)


def answer_mention(
    body: dict[str, Any], event: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Lazy listener for ``app_mention``: reply in the mention's thread."""
    me = bot_user_id(context, body)
    if from_a_bot(event, me) or event.get("subtype") not in ANSWERED_SUBTYPES:
        return
    thread_ts = _text_field(event, "thread_ts") or _text_field(event, "ts")
    meta = meta_for(context, body, "app_mention")
    answer_message_event(deps_of(context), client, body, event, thread_ts, mention_help(me), meta)


def answer_dm(
    body: dict[str, Any], event: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Lazy listener for ``message`` events: answer direct messages, ignore everything else."""
    if event.get("channel_type") != "im":
        return
    me = bot_user_id(context, body)
    if from_a_bot(event, me) or event.get("subtype") not in ANSWERED_SUBTYPES:
        return
    if not event.get("user"):
        return
    meta = meta_for(context, body, "message")
    thread_ts = _text_field(event, "thread_ts")
    answer_message_event(deps_of(context), client, body, event, thread_ts, dm_help(), meta)


def is_direct_message(event: dict[str, Any]) -> bool:
    """Listener matcher: a ``message`` event in a DM."""
    return event.get("channel_type") == "im"


def register(app: App) -> None:
    """Wire ``app_mention`` and ``message`` (every subtype)."""
    app.event("app_mention")(ack=ack_event, lazy=[answer_mention])
    # DMs only: channel messages go to bot.listeners.watching (registered after this module)
    app.event("message", matchers=[is_direct_message])(ack=ack_event, lazy=[answer_dm])
