"""``/sentiment watch | unwatch | alert | reactions``: who may change what, and what it says.

Only members of a channel can change its watching (checked with ``conversations.members``, so
also for the App Home toggle); the bot must be in the channel too, or it would never receive
the channel's messages. When watching starts, the channel is told once what it means.

Destinations are channel links Slack's autocomplete makes (``<#C123|name>``); an alert without
one goes to the watcher's DM, kept as the DM's conversation id (``conversations.open``), never
as a user id.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.outgoing.slack_errors import slack_error_code
from bot.watch.store import WatchStore

log = logging.getLogger(__name__)

SUBCOMMANDS = ("watch", "unwatch", "alert", "reactions")
_LINK = re.compile(r"^<#([CG][A-Z0-9]+)(?:\|[^>]*)?>$")
_PERCENT = re.compile(r"^(\d{1,3}(?:\.\d+)?)\s*%?$")
MEMBERS_PAGE = 1000
MAX_MEMBER_PAGES = 20


class WatchUsageError(ValueError):
    """Understood but not usable as typed; ``str()`` is the explanation for the user."""


@dataclass(frozen=True)
class WatchCommand:
    """One parsed subcommand: its name and its arguments."""

    name: str
    destination: str | None = None
    threshold: float | None = None
    enabled: bool | None = None


def parse_watch_command(text: str) -> WatchCommand | None:
    """The watch subcommand in ``text``; None when the text is something else to score.

    ``watch [#digest-channel]``, ``unwatch``, ``alert <percent> [#channel]``, ``alert off``,
    ``reactions on|off``. Ordinary text starting with one of these words (``watch out, this is
    great``) is not a subcommand and is scored instead.
    """
    words = (text or "").split()
    if not words or words[0].lower() not in SUBCOMMANDS:
        return None
    name, rest = words[0].lower(), words[1:]
    if name == "unwatch":
        return WatchCommand(name) if not rest else None
    if name == "watch":
        if not rest:
            return WatchCommand(name)
        if len(rest) == 1 and _LINK.match(rest[0]):
            return WatchCommand(name, destination=_link(rest[0]))
        return None
    if name == "reactions":
        if len(rest) == 1 and rest[0].lower() in ("on", "off"):
            return WatchCommand(name, enabled=rest[0].lower() == "on")
        if not rest:
            raise WatchUsageError("Say `/sentiment reactions on` or `/sentiment reactions off`.")
        return None
    # alert
    if len(rest) == 1 and rest[0].lower() == "off":
        return WatchCommand(name, threshold=None)
    if not rest or len(rest) > 2 or not _PERCENT.match(rest[0]):
        if rest and not _PERCENT.match(rest[0]) and not _LINK.match(rest[0]):
            return None  # "alert everyone, this is awful": text to score
        raise WatchUsageError(ALERT_USAGE)
    threshold = parse_threshold(rest[0])
    destination = None
    if len(rest) == 2:
        if not _LINK.match(rest[1]):
            raise WatchUsageError(ALERT_USAGE)
        destination = _link(rest[1])
    return WatchCommand(name, destination=destination, threshold=threshold)


ALERT_USAGE = (
    "Say `/sentiment alert 40%` (a notice to you when 40% of the channel's latest messages are "
    "negative), `/sentiment alert 40% #channel` to notify a channel, or `/sentiment alert off`."
)


def parse_threshold(word: str) -> float:
    """``40%``, ``40`` or ``0.4`` → 0.4; raises WatchUsageError outside 1-99%."""
    match = _PERCENT.match(word)
    if not match:
        raise WatchUsageError(ALERT_USAGE)
    value = float(match.group(1))
    share = value if value < 1 and "%" not in word else value / 100
    if not 0.01 <= share <= 0.99:
        raise WatchUsageError("The alert threshold must be between 1% and 99%, e.g. 40%.")
    return round(share, 4)


def _link(word: str) -> str:
    match = _LINK.match(word)
    assert match is not None
    return match.group(1)


def members_check(client: Any, channel_id: str, user_id: str, bot_user_id: str | None) -> str:
    """ "" when ``user_id`` and the bot are both members of the channel, else why not."""
    found_user, found_bot = False, bot_user_id is None
    cursor = None
    try:
        for _ in range(MAX_MEMBER_PAGES):
            kwargs: dict[str, Any] = {"channel": channel_id, "limit": MEMBERS_PAGE}
            if cursor:
                kwargs["cursor"] = cursor
            response = client.conversations_members(**kwargs)
            members = set(response.get("members") or [])
            found_user = found_user or user_id in members
            found_bot = found_bot or bot_user_id in members
            cursor = (response.get("response_metadata") or {}).get("next_cursor")
            if (found_user and found_bot) or not cursor:
                break
    except SlackApiError as error:
        code = slack_error_code(error)
        if code in ("channel_not_found", "not_in_channel"):
            return NOT_IN_CHANNEL.format(channel=f"<#{channel_id}>")
        if code == "missing_scope":
            return MISSING_SCOPE
        return f"I couldn't check who is in <#{channel_id}> (Slack said `{code}`). Try again."
    if not found_user:
        return f"Only members of <#{channel_id}> can change its mood watching."
    if not found_bot:
        return NOT_IN_CHANNEL.format(channel=f"<#{channel_id}>")
    return ""


NOT_IN_CHANNEL = (
    "I'm not a member of {channel}, so I can't see its messages. Invite me with "
    "`/invite @sentiment` there, then try again."
)
MISSING_SCOPE = (
    "This app is not allowed to see channel members yet: ask a workspace admin to reinstall it "
    "from the current manifest.yml (it asks for channels:read and groups:read)."
)
NOT_WATCHED = (
    "<#{channel}> is not watched. Start with `/sentiment watch` in that channel (counts only, "
    "no message text)."
)


def announcement(channel_id: str, user_id: str, digest_destination: str) -> dict[str, Any]:
    """What the channel is told once when watching starts."""
    digest = "here" if digest_destination == channel_id else f"in <#{digest_destination}>"
    text = (
        f"<@{user_id}> turned on mood watching in <#{channel_id}>. From now on I score each new "
        "message as it arrives and keep only counts: per hour, how many messages were positive, "
        "negative or neither. I keep no message text, no names and no per-person scores. Anyone "
        "who runs `/sentiment mood` here sees those counts, and a weekly summary is posted "
        f"{digest}. Any member can stop it with `/sentiment unwatch`, which deletes the counts."
    )
    return {"text": text}


def open_dm(client: Any, user_id: str) -> str | None:
    """The DM conversation id with ``user_id`` (``conversations.open``), None if refused."""
    try:
        return (client.conversations_open(users=user_id).get("channel") or {}).get("id")
    except SlackApiError:
        return None


@dataclass(frozen=True)
class Caller:
    """Who asked, where: from the command payload or the App Home action."""

    team_id: str
    channel_id: str
    user_id: str
    bot_user_id: str | None


def run_watch_command(store: WatchStore, client: Any, caller: Caller, command: WatchCommand) -> str:
    """Do what ``command`` asks after the membership check; the user's answer as text."""
    channel = caller.channel_id
    if channel.startswith("D"):
        return "Watching works in channels, not in direct messages."
    problem = members_check(client, channel, caller.user_id, caller.bot_user_id)
    if problem:
        return problem
    if command.name == "watch":
        digest_to = command.destination or channel
        if not store.watch(caller.team_id, channel, digest_to):
            return f"<#{channel}> is already watched. `/sentiment mood` shows its mood."
        post(client, channel, announcement(channel, caller.user_id, digest_to))
        return (
            f"Watching <#{channel}>: counts only, no text. Try `/sentiment mood` later, "
            "`/sentiment alert 40%` for a notice when it turns sour, or "
            "`/sentiment reactions on` for emoji on strongly positive or negative messages."
        )
    if command.name == "unwatch":
        if store.unwatch(caller.team_id, channel):
            post(
                client,
                channel,
                {
                    "text": f"<@{caller.user_id}> turned off mood watching "
                    "here; its counts are deleted."
                },
            )
            return f"Stopped watching <#{channel}> and deleted its counts."
        return NOT_WATCHED.format(channel=channel)
    if command.name == "reactions":
        if not store.set_reactions(caller.team_id, channel, bool(command.enabled)):
            return NOT_WATCHED.format(channel=channel)
        return f"Emoji reactions {'on' if command.enabled else 'off'} in <#{channel}>." + (
            " I'll react to strongly positive or negative messages." if command.enabled else ""
        )
    # alert
    if command.threshold is None:
        if not store.set_alert(caller.team_id, channel, None, None):
            return NOT_WATCHED.format(channel=channel)
        return f"Alert for <#{channel}> turned off."
    destination = command.destination or open_dm(client, caller.user_id)
    if destination is None:
        return "I couldn't open a DM with you for the alert; name a channel instead."
    if not store.set_alert(caller.team_id, channel, command.threshold, destination):
        return NOT_WATCHED.format(channel=channel)
    where = "you by DM" if command.destination is None else f"<#{destination}>"
    return (
        f"Alert set: when {command.threshold:.0%} or more of the last {store.window_size} "
        f"messages in <#{channel}> are negative, I'll notify {where} (at most once every "
        f"{_duration(store.cooldown)})."
    )


def _duration(seconds: float) -> str:
    """``6 h`` for whole hours, else ``90 min``."""
    minutes = round(seconds / 60)
    return f"{minutes // 60} h" if minutes % 60 == 0 else f"{minutes} min"


def post(client: Any, channel: str, message: dict[str, Any]) -> bool:
    """``chat.postMessage``; False (logged, nothing raised) when Slack refuses."""
    try:
        client.chat_postMessage(channel=channel, **message)
        return True
    except SlackApiError as error:
        log.warning("chat.postMessage to %s failed: %s", channel, slack_error_code(error))
    except Exception as error:
        log.warning("chat.postMessage to %s failed: %s", channel, type(error).__name__)
    return False
