"""The Slack stand-in plus the methods channel watching calls, and watching's payloads.

``WatchStandin`` adds ``conversations.members`` (from ``set_members``), ``conversations.open``
(a DM id per user) and ``reactions.add`` to tests/bot/slack_standin.py's stand-in.
"""

from __future__ import annotations

import time
import urllib.parse
from typing import Any

from tests.harness import API_APP_ID, BOT_USER_ID, TEAM_ID, SlackStandin, command_body, post

WATCHED = "C0WATCH01"
MEMBER = "U0MEMBER1"
OUTSIDER = "U0OUTSID1"


def dm_of(user: str) -> str:
    return f"D{user[1:]}"


class WatchStandin(SlackStandin):
    """The stand-in, answering the membership, DM and reaction methods too."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        #: conversations.members: channel id -> member ids (see set_members).
        self.members: dict[str, list[str]] = {}

    def set_members(self, channel: str, members: list[str]) -> None:
        self.members[channel] = list(members)

    def _surface_answer(self, method: str, body: dict[str, Any]) -> dict[str, Any] | None:
        with self._cond:
            pending = self.api_errors.get(method)
            if pending:
                return pending.pop(0)
        if method == "conversations.members":
            members = self.members.get(str(body.get("channel")))
            if members is None:
                return {"ok": False, "error": "channel_not_found"}
            return {"ok": True, "members": members, "response_metadata": {"next_cursor": ""}}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": dm_of(str(body.get("users")))}}
        if method == "reactions.add":
            return {"ok": True}
        return super()._surface_answer(method, body)


def channel_message(
    text: str, ts: str, channel: str = WATCHED, user: str = MEMBER, **extra: Any
) -> dict[str, Any]:
    """A ``message.channels`` event."""
    event = {
        "type": "message",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "channel_type": "channel",
    }
    event.update(extra)
    return event


def command_from(
    text: str,
    response_url: str,
    channel: str = WATCHED,
    user: str = MEMBER,
    team_id: str = TEAM_ID,
) -> str:
    """A ``/sentiment`` payload (``command_body``'s) typed by ``user`` in ``channel``."""
    fields = dict(urllib.parse.parse_qsl(command_body(text, response_url, team_id=team_id)))
    fields.update(channel_id=channel, channel_name="watched", user_id=user)
    return urllib.parse.urlencode(fields)


def post_watch_command(url: str, secret: str, text: str, response_url: str, **kw: Any):
    return post(url, command_from(text, response_url, **kw), secret)


def block_action(action: dict[str, Any], user: str = MEMBER) -> dict[str, Any]:
    """A Home tab ``block_actions`` payload with one action."""
    return {
        "type": "block_actions",
        "api_app_id": API_APP_ID,
        "team": {"id": TEAM_ID, "domain": "standin"},
        "user": {"id": user, "username": "member", "team_id": TEAM_ID},
        "is_enterprise_install": False,
        "trigger_id": "13345224609.738474920.home",
        "container": {"type": "view", "view_id": "V0VIEW001"},
        "view": {"id": "V0VIEW001", "type": "home", "state": {"values": {}}},
        "actions": [{**action, "action_ts": f"{time.time():.6f}", "block_id": "mood_watching"}],
    }


__all__ = ["BOT_USER_ID", "MEMBER", "OUTSIDER", "WATCHED", "WatchStandin", "channel_message"]
