"""Turn Slack's message markup back into the plain words a person wrote.

The model was trained on plain English reviews; ``<@U024BE7LH>`` or ``:tada:`` are noise to it,
and the bot's own mention is in every @-mention. What is kept: the visible label of a link
(``<https://x|this awesome film>`` → "this awesome film"), because it is words the author chose.
What is dropped: user, channel and group mentions, ``<!here>``-style broadcasts, dates, bare
URLs (and labels that are just the URL again), and ``:emoji:`` codes, except the ones the caller
says the model reads (``keep_emoji``: the chat model learned ``:tada:`` and ``:disappointed:``
as words, while a workspace's custom ``:partyparrot:`` would only add noise). Slack's HTML
escaping (``&amp; &lt; &gt;``) is undone.

Size: Slack refuses messages over 40,000 characters, so nothing longer comes from a person.
Longer input (a forged-but-signed request, a future surface) is cut to ``MAX_TEXT_CHARS`` before
any regex or scoring runs: 4 MB cost 2.6 s of CPU and up to 180 MB otherwise. Callers that reply
check :func:`is_over_limit` on the raw text and add :func:`truncation_note` to the reply.
"""

from __future__ import annotations

import re
from collections.abc import Collection

#: Slack's own limit on a message's text; longer input is cut here before scoring.
MAX_TEXT_CHARS = 40_000

_ANGLE = re.compile(r"<([^<>]*)>")
#: ``:name:`` with at least one letter (so "10:30:45" survives), plus the digit-only ones.
_EMOJI = re.compile(
    r"(:(?:[+-]1|100|1234|(?=[a-z0-9_+'-]*[a-z])[a-z0-9_+'-]+):)(?::skin-tone-\d:)?",
    re.IGNORECASE,
)
_SPACE = re.compile(r"\s+")
#: Characters nobody reads: C0/C1 controls (NUL included; tabs and newlines are whitespace and
#: become spaces), zero-width and bidi marks, and the other Unicode "format" (Cf) characters.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u08e2\u180e"
    "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f]"
)
_URL_LIKE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?/*[^\s/]+\.[^\s]+$", re.IGNORECASE)


def _replace_angle(match: re.Match[str]) -> str:
    inner = match.group(1)
    target, _, label = inner.partition("|")
    if target[:1] in ("@", "#", "!"):
        return " "  # user/channel mention, broadcast, subteam or date
    if label and not _URL_LIKE.match(label.strip()):
        return f" {label} "
    return " "  # bare link, or a label that is only the address again


def is_over_limit(text: str | None, limit: int = MAX_TEXT_CHARS) -> bool:
    """True when ``text`` is longer than what is scored (so the reply must say it was cut)."""
    return len(text or "") > limit


def truncation_note(limit: int = MAX_TEXT_CHARS) -> str:
    """What the reply says when only the start of the text was scored."""
    return (
        f"The text was longer than {limit:,} characters (Slack's message limit), so only "
        f"its first {limit:,} characters were scored."
    )


def with_truncation_note(message: dict, limit: int = MAX_TEXT_CHARS) -> dict:
    """``message`` (text + blocks) with the truncation note appended to both."""
    note = truncation_note(limit)
    noted = {**message, "text": f"{message.get('text', '')} {note}".strip()}
    if message.get("blocks"):
        context = {"type": "context", "elements": [{"type": "mrkdwn", "text": note}]}
        noted["blocks"] = [*message["blocks"], context]
    return noted


def clean_text(
    text: str, limit: int = MAX_TEXT_CHARS, keep_emoji: Collection[str] = frozenset()
) -> str:
    """Plain text for scoring: the first ``limit`` characters, Slack markup removed, entities
    decoded, invisible characters dropped, whitespace collapsed. ``:shortcode:`` emoji in
    ``keep_emoji`` (lowercase) stay, without their skin tone; the others go. "" means there is
    nothing readable (callers answer with help)."""
    text = _INVISIBLE.sub("", (text or "")[:limit])
    text = _ANGLE.sub(_replace_angle, text)

    def emoji(match: re.Match[str]) -> str:
        code = match.group(1).lower()
        return f" {code} " if code in keep_emoji else " "

    text = _EMOJI.sub(emoji, text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return _SPACE.sub(" ", _INVISIBLE.sub("", text)).strip()


def escape_mrkdwn(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
