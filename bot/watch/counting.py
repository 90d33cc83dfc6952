"""A new message in a watched channel: score it (through the Analyzer), count it once, then
maybe react to it and maybe send the channel's alert. Runs after the event's ack.

Which messages count: people's new messages (``bot.channel_mood.is_human_message``: no bots, joins,
topic changes). Edits (``message_changed``) and deletions (``message_deleted``) are ignored:
a message is counted once, as first written, and stays counted until its hour is purged,
because the counts cannot be traced back to a message. Messages with no readable text (files
or emoji the model does not read) are not counted. The count uses the model's own label.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.analysis import Analyzer
from bot.channel_mood import is_human_message
from bot.outgoing.slack_errors import slack_error_code
from bot.settings import DEFAULT_MOOD_REACTION_CONFIDENCE
from bot.watch.control import post
from bot.watch.store import AlertNotice, Counted, WatchStore

log = logging.getLogger(__name__)

#: Channel types whose messages can be watched (public and private channels).
WATCHED_CHANNEL_TYPES = frozenset({"channel", "group"})
REACTIONS = {"positive": "slightly_smiling_face", "negative": "slightly_frowning_face"}


def countable(event: dict[str, Any], bot_user_id: str | None) -> bool:
    """A person's new message in a public or private channel (not a DM, edit or bot)."""
    return (
        event.get("channel_type") in WATCHED_CHANNEL_TYPES
        and bool(event.get("channel") and event.get("ts"))
        and is_human_message(event, bot_user_id)
    )


def count_message(
    store: WatchStore,
    analyzer: Analyzer,
    client: Any,
    team_id: str,
    event: dict[str, Any],
    *,
    bot_user_id: str | None = None,
    reaction_confidence: float = DEFAULT_MOOD_REACTION_CONFIDENCE,
) -> Counted | None:
    """Score and count ``event`` if its channel is watched; None when it does not count."""
    if not countable(event, bot_user_id):
        return None
    channel, ts = str(event["channel"]), str(event["ts"])
    if not store.is_watched(team_id, channel):
        return None  # not watched: no scoring at all
    text = analyzer.clean(event.get("text") or "")
    if not text:
        return None
    analysis = analyzer.analyse(text)
    counted = store.count(team_id, channel, ts, analysis.label)
    if not counted.counted:
        return counted
    emoji = REACTIONS.get(analysis.label)
    if counted.reactions_enabled and emoji and analysis.confidence >= reaction_confidence:
        react(client, channel, ts, emoji)
    if counted.alert is not None:
        post(client, counted.alert.destination, alert_message(counted.alert))
    return counted


def react(client: Any, channel: str, ts: str, emoji: str) -> None:
    try:
        client.reactions_add(channel=channel, timestamp=ts, name=emoji)
    except SlackApiError as error:
        if slack_error_code(error) != "already_reacted":
            log.warning("reactions.add in %s failed: %s", channel, slack_error_code(error))


def alert_message(alert: AlertNotice) -> dict[str, Any]:
    """The notice: figures and a link to the channel, never a quote."""
    link = f"https://slack.com/app_redirect?channel={alert.channel_id}&team={alert.team_id}"
    text = (
        f":warning: Mood alert for <#{alert.channel_id}>: {alert.negative} of its last "
        f"{alert.window} messages ({alert.share:.0%}) were negative, at or above the "
        f"{alert.threshold:.0%} set for this alert. <{link}|Open the channel>. "
        "(Counts only: no message is quoted. No further alert for this channel until it "
        "recovers and the cooldown has passed.)"
    )
    return {"text": text}
