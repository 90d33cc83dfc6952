"""What the bot says: Block Kit messages with a plain-text fallback, and console lines.

Every Slack message carries ``text`` as well as ``blocks``: Slack uses it for notifications and
screen readers, so it states the label and confidence on its own.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from bot.analysis import Analysis
from bot.markup import escape_mrkdwn, with_truncation_note

if TYPE_CHECKING:
    from bot.answers import Answer

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

#: The whole answer to a text that is clearly not English (no label, no confidence).
NOT_ENGLISH = (
    "I can only read English, and this doesn't look like English, so I won't guess its sentiment."
)
#: The "Why?" button's action id (and block id); ``bot.listeners.why`` answers it.
WHY_ACTION = "why_sentiment"
#: Slack's limit for a button's ``value``.
WHY_VALUE_MAX_CHARS = 2000

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
    if analysis.non_english:
        return NOT_ENGLISH
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


def breakdown(analysis: Analysis) -> str | None:
    """ "positive 93% · no clear sentiment 5% · negative 2%" from the model's three
    probabilities; None for a model that gives only P(positive)."""
    p_neutral = getattr(analysis, "p_neutral", None)
    p_negative = getattr(analysis, "p_negative", None)
    p_positive = p_positive_of(analysis)
    if p_neutral is None or p_negative is None or p_positive is None or not p_neutral:
        return None
    shares = (
        ("positive", p_positive),
        (NEUTRAL_NAME.lower(), float(p_neutral)),
        ("negative", float(p_negative)),
    )
    return " · ".join(f"{name} {percent(p)}" for name, p in shares)


def why_value(text: str, limit: int = WHY_VALUE_MAX_CHARS) -> str:
    """The Why button's value: the scored text, cut to fit Slack's 2,000-character limit.

    The text travels in the button (in the user's own Slack message), so the bot keeps nothing:
    a click brings it back to be explained. ``cut`` says only the start was kept."""
    kept, cut = text, False
    while True:
        value = json.dumps({"text": kept, "cut": cut}, ensure_ascii=False)
        if len(value) <= limit:
            return value
        kept, cut = kept[: max(0, int(len(kept) * 0.9) - 1)], True


def text_of_why_value(value: object) -> tuple[str, bool]:
    """The text a Why button carries and whether it was cut; ("", False) when unreadable."""
    try:
        data = json.loads(value) if isinstance(value, str) else None
    except ValueError:
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        return "", False
    return data["text"], bool(data.get("cut"))


def why_button(analysis: Analysis) -> dict[str, Any]:
    """An actions block with the "Why?" button (only the clicker sees its answer)."""
    return {
        "type": "actions",
        "block_id": WHY_ACTION,
        "elements": [
            {
                "type": "button",
                "action_id": WHY_ACTION,
                "text": {"type": "plain_text", "text": "Why?"},
                "value": why_value(analysis.text),
                "accessibility_label": "Which words moved this answer (only you see it)",
            }
        ],
    }


def result_message(analysis: Analysis, intro: str | None = None, why: bool = True) -> Message:
    """The Block Kit reply for a scored text; ``intro`` (mrkdwn) is a context line above it,
    e.g. whose message a shortcut scored; ``why`` adds the "Why?" button."""
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
    shares = breakdown(analysis)
    if shares:
        caveats.append(shares)
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
    if why:
        blocks.append(why_button(analysis))
    return {"text": fallback_text(analysis), "blocks": blocks}


def not_english_message(intro: str | None = None) -> Message:
    """The answer to a text that does not look like English: no label, no confidence."""
    blocks: list[dict[str, Any]] = [
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": f":globe_with_meridians: {NOT_ENGLISH}"},
        }
    ]
    if intro:
        blocks.insert(0, {"type": "context", "elements": [{"type": "mrkdwn", "text": intro}]})
    return {"text": NOT_ENGLISH, "blocks": blocks}


def answer_message(answer: Answer, help_message: Message, intro: str | None = None) -> Message:
    """The chat reply for any :class:`~bot.answers.Answer`: the verdict (with the truncation
    note when the text was cut), the surface's help line, "I can only read English", or an
    apology quoting the request id."""
    if answer.kind == "help":
        return help_message
    if answer.kind == "failed" or answer.analysis is None:
        return apology(answer.request_id)
    if answer.kind == "not_english":
        return not_english_message(intro)
    message = result_message(answer.analysis, intro=intro)
    return with_truncation_note(message) if answer.truncated else message


def explanation_message(effects: Sequence[Any], label: str, cut: bool = False) -> Message:
    """The Why answer: the words that moved the answer most, toward which side, by how much.

    ``effects`` are ``bot.analysis.WordEffect`` (``words``, ``toward``, ``effect``: how much the
    shown label's probability drops without them)."""
    name = NEUTRAL_NAME.lower() if label == NEUTRAL else label
    if not effects:
        text = f"No single word moved this answer ({name}) much: it comes from the text as a whole."
    else:
        lines = [f"*Why {name}?* The words that moved the answer most:"]
        for effect in effects:
            toward = NEUTRAL_NAME.lower() if effect.toward == NEUTRAL else effect.toward
            points = max(0, math.floor(float(effect.effect) * 100 + 1e-9))
            lines.append(
                f"• “{escape_mrkdwn(shorten(str(effect.words), 60))}” → {toward} "
                f"(without it, {name} drops {points} points)"
            )
        text = "\n".join(lines)
    if cut:
        text += "\n_Only the first part of a long text was explained._"
    return {
        "text": text,
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
        "response_type": "ephemeral",
        "replace_original": False,
    }


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
