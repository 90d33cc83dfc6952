"""What the bot says: Block Kit messages with a plain-text fallback, and console lines.

Every Slack message carries ``text`` as well as ``blocks``: Slack uses it for notifications and
screen readers, so it states the label and confidence on its own.
"""

from __future__ import annotations

import math
from typing import Any

from bot.analysis import Analysis
from bot.markup import escape_mrkdwn

MAX_QUOTE_CHARS = 300
EMOJI = {
    "positive": ":large_green_circle:",
    "negative": ":red_circle:",
    "neutral": ":white_circle:",
}
NEUTRAL = "neutral"
#: How every surface names the "neutral" label: the model sees no clear sentiment either way.
NEUTRAL_NAME = "No clear sentiment"
NON_ENGLISH_NOTE = (
    "This doesn't look like English. The model only knows English, so this result is "
    "probably not meaningful."
)

Message = dict[str, Any]


def percent(confidence: float) -> str:
    """0.937 → "93%". Rounded down, so the bot never claims 100% unless it is exactly 1."""
    return f"{math.floor(confidence * 100 + 1e-9)}%"


def shorten(text: str, limit: int = MAX_QUOTE_CHARS) -> str:
    """Cut ``text`` to ``limit`` characters at a word boundary, marking the cut with "…"."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:!?") + "…"


def low_confidence_note(analysis: Analysis) -> str:
    return (
        f"Low confidence: the model is not sure ({percent(analysis.confidence)} is below "
        f"{percent(analysis.threshold)}), so this could go either way."
    )


def is_neutral(analysis: Analysis) -> bool:
    """True when the model found no clear sentiment (only models with a neutral rule say so)."""
    return analysis.label == NEUTRAL


def p_positive_of(analysis: Analysis) -> float | None:
    """P(positive) if the analysis carries it (read defensively: older Analysis objects don't)."""
    value = getattr(analysis, "p_positive", None)
    return None if value is None else float(value)


def notes(analysis: Analysis) -> list[str]:
    """Caveats to state with the verdict, in plain text.

    A neutral verdict already says the model is unsure, so it gets no low-confidence note.
    """
    found = []
    if analysis.low_confidence and not is_neutral(analysis):
        found.append(low_confidence_note(analysis))
    if analysis.non_english:
        found.append(NON_ENGLISH_NOTE)
    return found


def neutral_detail(analysis: Analysis) -> str:
    """ "54% positive": where a neutral text leans, from P(positive) (empty if unknown)."""
    p = p_positive_of(analysis)
    return "" if p is None else f"{percent(p)} positive"


def verdict(analysis: Analysis) -> str:
    """ "positive (93% confident)" or "no clear sentiment (54% positive)", no markup."""
    if is_neutral(analysis):
        detail = neutral_detail(analysis)
        return NEUTRAL_NAME.lower() + (f" ({detail})" if detail else "")
    return f"{analysis.label} ({percent(analysis.confidence)} confident)"


def headline(analysis: Analysis) -> str:
    """The first line of a Slack reply: emoji, bold label, and confidence or leaning."""
    emoji = EMOJI.get(analysis.label, ":white_circle:")
    if is_neutral(analysis):
        detail = neutral_detail(analysis)
        return f"{emoji} *{NEUTRAL_NAME}*" + (f" · {detail}" if detail else "")
    return f"{emoji} *{analysis.label.capitalize()}* · {percent(analysis.confidence)} confident"


def plain_answer(analysis: Analysis) -> str:
    """The console answer, as /sentiment gives it: verdict and text, then one line per caveat."""
    lines = [f'{verdict(analysis)}: "{shorten(analysis.text)}"']
    lines += [f"  note: {note}" for note in notes(analysis)]
    return "\n".join(lines)


def fallback_text(analysis: Analysis) -> str:
    """The ``text`` of a Slack reply: complete on its own for notifications and screen readers."""
    quote = escape_mrkdwn(shorten(analysis.text, 100))
    text = f"Sentiment: {verdict(analysis)} for “{quote}”"
    for note in notes(analysis):
        text += f" {note}"
    return text


def result_message(analysis: Analysis, intro: str | None = None) -> Message:
    """The Block Kit reply for a scored text; ``intro`` (mrkdwn) is a context line above it,
    e.g. whose message a shortcut scored."""
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": headline(analysis)}},
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": f">{escape_mrkdwn(shorten(analysis.text))}"},
        },
    ]
    if intro:
        blocks.insert(0, {"type": "context", "elements": [{"type": "mrkdwn", "text": intro}]})
    caveats = []
    if analysis.low_confidence and not is_neutral(analysis):
        caveats.append(f":warning: {low_confidence_note(analysis)}")
    if analysis.non_english:
        caveats.append(f":globe_with_meridians: {NON_ENGLISH_NOTE}")
    if caveats:
        blocks.append(
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": c} for c in caveats],
            }
        )
    return {"text": fallback_text(analysis), "blocks": blocks}


def usage_message(command: str = "/sentiment") -> Message:
    """Answer to ``/sentiment`` with no text, or ``/sentiment help``: every way to use the app."""
    text = (
        f"Usage: `{command} <text>`: I'll say whether the text is positive or negative and "
        f"how sure I am. Example: `{command} The food was great but the service was slow`. "
        f"`{command} mood [#channel] [count]`: the mood of a channel's recent messages "
        "(default 50, at most 200). "
        "On any message, ⋮ More actions → Analyze sentiment scores it for you. "
        "You can also @-mention me in a channel or send me a direct message; my Home tab "
        "explains the model. I only understand English."
    )
    return {
        "text": text,
        "blocks": [
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": (
                        f"*How to use {command}*\n"
                        f"`{command} <text>`: I'll say whether the text is positive or "
                        "negative, and how sure I am.\n"
                        f"Example: `{command} The food was great but the service was slow`\n"
                        f"`{command} mood [#channel] [count]`: the mood of a channel's recent "
                        "messages (default 50, at most 200); only you see it."
                    ),
                },
            },
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": "On any message, ⋮ *More actions* → *Analyze sentiment* scores "
                        "it for you. You can also @-mention me in a channel or send me a direct "
                        "message; my Home tab explains the model. I only understand English.",
                    }
                ],
            },
        ],
    }


def mention_help(bot_user_id: str | None = None) -> Message:
    """One-line help for an @-mention or DM with no text."""
    me = f"<@{bot_user_id}>" if bot_user_id else "me"
    return {
        "text": f"Mention {me} with some text, e.g. “{me} what a great day”, and I'll say "
        "whether it is positive or negative."
    }


def dm_help() -> Message:
    """One-line help for a direct message with nothing to score."""
    return {"text": "Send me some English text and I'll say whether it is positive or negative."}


def console_usage() -> str:
    """Help for the console."""
    return (
        "Type a message (English) and press Enter: I'll say whether it is positive or negative "
        "and how sure I am. End with Ctrl-D (Ctrl-Z then Enter on Windows)."
    )


def apology(request_id: str) -> Message:
    """What the user sees when scoring fails; the id matches the log line."""
    return {
        "text": "Sorry, something went wrong while analysing that text. Please try again in a "
        f"moment. (ref: {request_id})"
    }
