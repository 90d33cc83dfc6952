"""The App Home's "Channel mood" section: the workspace's watched channels, each with a *Stop
watching* button, and a channel picker to watch another. Pure Block Kit, no Slack calls.

The picker is Slack's ``conversations_select``, so it only offers channels the user can see;
the click is checked again (membership) before anything changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.watch.store import ChannelWatch

WATCH_PICK_ACTION = "mood_watch_pick"
UNWATCH_ACTION = "mood_unwatch"
SECTION_BLOCK_ID = "mood_watching"
MAX_LISTED = 40  # a Home tab holds 100 blocks; the rest of the tab needs some


def watch_blocks(watched: Sequence[ChannelWatch], note: str | None = None) -> list[dict[str, Any]]:
    """The section's blocks; ``note`` is the answer to the user's last click."""
    blocks: list[dict[str, Any]] = [
        {"type": "divider"},
        {"type": "header", "text": {"type": "plain_text", "text": "Channel mood"}},
        _mrkdwn(
            "Watch a channel to see its mood over days and weeks (`/sentiment mood 7d`), get an "
            "alert when it turns sour and a weekly digest. Only counts are kept: per hour, how "
            "many messages were positive, negative or neither. No text, no names. Only members "
            "of a channel can turn it on or off, and the channel is told when it starts."
        ),
    ]
    if note:
        blocks.append(_mrkdwn(f"*{note}*"))
    for watch in list(watched)[:MAX_LISTED]:
        blocks.append(
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": f"<#{watch.channel_id}> is watched"},
                "accessory": {
                    "type": "button",
                    "action_id": UNWATCH_ACTION,
                    "text": {"type": "plain_text", "text": "Stop watching"},
                    "value": watch.channel_id,
                },
            }
        )
    blocks.append(
        {
            "type": "actions",
            "block_id": SECTION_BLOCK_ID,
            "elements": [
                {
                    "type": "conversations_select",
                    "action_id": WATCH_PICK_ACTION,
                    "placeholder": {"type": "plain_text", "text": "Watch a channel…"},
                    "filter": {
                        "include": ["public", "private"],
                        "exclude_bot_users": True,
                        "exclude_external_shared_channels": True,
                    },
                }
            ],
        }
    )
    return blocks


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}
