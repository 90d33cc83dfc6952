"""Channel mood: which recent messages count, how they add up, and how the answer reads.

Pure logic only (no Slack calls), so every rule here is unit-tested with plain data:

* ``parse_mood_command``: ``/sentiment mood [#channel] [count] [24h|7d|30d]`` (default 15
  messages, at most 60; a period applies to watched channels, see ``bot.watch``). Anything else
  after "mood" means the user wants that text scored, so it returns None.
* ``human_texts``: people's messages only (no bots, no joins or other subtypes), cleaned of
  Slack markup, oldest first. Nothing is kept beyond the reply being built.
* ``summarise``: one batch of predictions → shares, trend and the most positive / negative
  message. A message counts as "no clear sentiment" when the model says neutral *or* when its
  confidence is below the bot's threshold, the same line the single-message reply draws with
  its "low confidence" caveat.
* ``mood_message``: the ephemeral reply: shares with a small text chart, the trend across the
  window, and permalinks (never quotes) to the extremes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.markup import clean_text
from bot.watch.periods import parse_period

#: Unwatched channels are read from history, which Slack limits for apps outside the
#: Marketplace to 15 messages per request and one request a minute: the default is one request.
DEFAULT_COUNT = 15
MAX_COUNT = 60
#: Message subtypes that are a person writing something new (None: a plain message).
HUMAN_SUBTYPES = frozenset({None, "file_share", "thread_broadcast"})
#: Fewer scored messages than this give no trend (two halves of one message say nothing).
MIN_FOR_TREND = 6
#: Change in net mood (positive share minus negative share) between the older and the newer
#: half that counts as a trend rather than noise.
TREND_DELTA = 0.15
BAR_WIDTH = 20
SPARK = "▁▂▃▄▅▆▇█"
SPARK_SEGMENTS = 8

POSITIVE, NEGATIVE, UNCLEAR = "positive", "negative", "unclear"
BUCKET_NAMES = {POSITIVE: "Positive", NEGATIVE: "Negative", UNCLEAR: "No clear sentiment"}

_CHANNEL_LINK = re.compile(r"^<#([CG][A-Z0-9]+)(?:\|([^>]*))?>$")
_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{6,}$")
_CHANNEL_NAME = re.compile(r"^#([a-z0-9][a-z0-9._-]*)$", re.IGNORECASE)
_COUNT = re.compile(r"^\d{1,9}$")


class MoodUsageError(ValueError):
    """The mood command was understood but cannot run as typed; ``str()`` is for the user."""


@dataclass(frozen=True)
class MoodRequest:
    """What ``/sentiment mood ...`` asked for."""

    channel_id: str
    count: int = DEFAULT_COUNT
    #: The user asked for more than MAX_COUNT messages (the reply says it read MAX_COUNT).
    capped_from: int | None = None
    #: ``24h`` / ``7d`` / ``30d`` when typed (answered from counts in a watched channel).
    period: str | None = None


def parse_mood_command(
    text: str, current_channel_id: str, current_channel_name: str | None = None
) -> MoodRequest | None:
    """The mood request in a command's text, None when it is not a mood command.

    Accepts, after the word "mood": a channel and a message count, in any order. The channel is
    a link (``<#C123|name>``) that Slack's autocomplete made, so one the caller can see, or
    ``#name`` of the channel the command was typed in. A bare channel id is refused: anyone could
    type the id of a private channel they are not in. Slack escapes ``<`` in typed text, so a
    link cannot be forged either. ``/sentiment mood swings are awful`` is not a mood command:
    that text gets scored instead. Raises MoodUsageError for a count out of range or a channel
    the bot cannot resolve.
    """
    words = (text or "").split()
    if not words or words[0].lower() != "mood":
        return None
    channel_id: str | None = None
    count: int | None = None
    period: str | None = None
    unresolved: str | None = None
    for word in words[1:]:
        if period is None and (named := parse_period(word)) is not None:
            period = named.name
            continue
        link = _CHANNEL_LINK.match(word)
        name = _CHANNEL_NAME.match(word)
        if link and channel_id is None:
            channel_id = link.group(1)
        elif _CHANNEL_ID.match(word) and channel_id is None and unresolved is None:
            unresolved = word
        elif name and channel_id is None and unresolved is None:
            if current_channel_name and name.group(1).lower() == current_channel_name.lower():
                channel_id = current_channel_id
            else:
                unresolved = word
        elif _COUNT.match(word) and count is None:
            count = int(word)
        else:
            return None  # ordinary words: score the whole text instead
    if unresolved is not None:
        raise MoodUsageError(
            f"I couldn't tell which channel {unresolved} is. Type # and pick the channel from "
            "Slack's autocomplete (so it becomes a link), or run `/sentiment mood` in that "
            "channel."
        )
    capped_from = None
    if count is None:
        count = DEFAULT_COUNT
    elif count < 1:
        raise MoodUsageError(
            f"The number of messages must be between 1 and {MAX_COUNT} (default "
            f"{DEFAULT_COUNT}), e.g. `/sentiment mood 100`."
        )
    elif count > MAX_COUNT:
        capped_from, count = count, MAX_COUNT
    return MoodRequest(channel_id or current_channel_id, count, capped_from, period)


def is_human_message(message: Mapping[str, Any], bot_user_id: str | None = None) -> bool:
    """True for a person's own new message: not a bot or app, not a join, edit or topic change."""
    if message.get("type", "message") != "message":
        return False
    if message.get("subtype") not in HUMAN_SUBTYPES:
        return False
    if message.get("bot_id") or message.get("bot_profile") or message.get("app_id"):
        return False
    user = message.get("user")
    return bool(user) and user != bot_user_id


@dataclass(frozen=True)
class ChannelMessage:
    """A message to score: its timestamp (for the permalink; "" if unknown) and its text."""

    ts: str
    text: str


def human_texts(
    messages: Sequence[Mapping[str, Any]],
    bot_user_id: str | None = None,
    limit: int = MAX_COUNT,
    clean: Callable[[str], str] = clean_text,
) -> list[ChannelMessage]:
    """People's messages with text, newest ``limit`` of them, returned oldest first.

    ``clean`` removes Slack markup (the analyzer's, so emoji the model reads are kept).

    ``messages`` is ``conversations.history`` output (newest first). Messages whose text is
    empty after removing markup (files only, emoji only, Block Kit only) are skipped.
    """
    found: list[ChannelMessage] = []
    for message in messages:
        if len(found) >= limit:
            break
        if not is_human_message(message, bot_user_id):
            continue
        text = clean(message.get("text") or "")
        if text:
            found.append(ChannelMessage(ts=str(message.get("ts") or ""), text=text))
    found.reverse()  # history comes newest first; the trend reads oldest → newest
    return found


def bucket_of(prediction: Any, threshold: float) -> str:
    """positive / negative / unclear: neutral or below the confidence threshold is unclear."""
    label = str(getattr(prediction, "label", ""))
    if label == "neutral" or float(prediction.confidence) < threshold:
        return UNCLEAR
    return POSITIVE if label == "positive" else NEGATIVE


@dataclass(frozen=True)
class Scored:
    """One scored message: when, how positive, and its bucket."""

    ts: str
    p_positive: float
    bucket: str


@dataclass(frozen=True)
class HalfMood:
    """Positive and negative shares (0-1) of one half of the window."""

    positive: float
    negative: float

    @property
    def net(self) -> float:
        """Positive share minus negative share, -1 (all negative) to 1 (all positive)."""
        return self.positive - self.negative


@dataclass(frozen=True)
class Trend:
    """The older half of the window against the newer half, plus a sparkline of the whole."""

    older: HalfMood
    newer: HalfMood
    sparkline: str

    @property
    def direction(self) -> str:
        """ "up", "down" or "steady": did net mood move by at least TREND_DELTA?"""
        delta = self.newer.net - self.older.net
        if delta >= TREND_DELTA:
            return "up"
        if delta <= -TREND_DELTA:
            return "down"
        return "steady"


@dataclass(frozen=True)
class MoodSummary:
    """What a window of messages adds up to."""

    total: int
    counts: dict[str, int]
    trend: Trend | None
    most_positive: Scored | None
    most_negative: Scored | None

    def shares(self) -> dict[str, int]:
        """Whole percentages per bucket that add up to exactly 100 (largest remainder)."""
        return whole_percentages(self.counts, self.total)


def whole_percentages(counts: Mapping[str, int], total: int) -> dict[str, int]:
    """Round shares to whole percents that sum to 100 (0 for every bucket when total is 0)."""
    keys = [POSITIVE, NEGATIVE, UNCLEAR]
    if total <= 0:
        return dict.fromkeys(keys, 0)
    exact = {k: 100 * counts.get(k, 0) / total for k in keys}
    floors = {k: int(v) for k, v in exact.items()}
    left = 100 - sum(floors.values())
    for key in sorted(keys, key=lambda k: exact[k] - floors[k], reverse=True)[:left]:
        floors[key] += 1
    return floors


def half_mood(scored: Sequence[Scored]) -> HalfMood:
    """Positive and negative shares of ``scored`` (both 0 when empty)."""
    if not scored:
        return HalfMood(0.0, 0.0)
    pos = sum(1 for s in scored if s.bucket == POSITIVE)
    neg = sum(1 for s in scored if s.bucket == NEGATIVE)
    return HalfMood(pos / len(scored), neg / len(scored))


def net_mood(scored: Sequence[Scored]) -> float:
    """Positive share minus negative share, -1 (all negative) to 1 (all positive)."""
    return half_mood(scored).net


def sparkline(scored: Sequence[Scored], segments: int = SPARK_SEGMENTS) -> str:
    """Net mood of consecutive chunks (oldest left), one block character per chunk."""
    n = len(scored)
    segments = max(1, min(segments, n))
    chars = []
    for i in range(segments):
        chunk = scored[i * n // segments : (i + 1) * n // segments]
        level = (net_mood(chunk) + 1) / 2  # 0..1
        chars.append(SPARK[min(len(SPARK) - 1, int(level * len(SPARK)))])
    return "".join(chars)


def summarise(
    messages: Sequence[ChannelMessage], predictions: Sequence[Any], threshold: float
) -> MoodSummary:
    """Combine messages (oldest first) with their predictions (same order)."""
    if len(messages) != len(predictions):
        raise ValueError(f"{len(messages)} messages but {len(predictions)} predictions")
    scored = [
        Scored(m.ts, float(p.p_positive), bucket_of(p, threshold))
        for m, p in zip(messages, predictions, strict=True)
    ]
    counts = {k: sum(1 for s in scored if s.bucket == k) for k in (POSITIVE, NEGATIVE, UNCLEAR)}
    trend = None
    if len(scored) >= MIN_FOR_TREND:
        half = len(scored) // 2
        trend = Trend(half_mood(scored[:half]), half_mood(scored[half:]), sparkline(scored))
    positives = [s for s in scored if s.bucket == POSITIVE]
    negatives = [s for s in scored if s.bucket == NEGATIVE]
    return MoodSummary(
        total=len(scored),
        counts=counts,
        trend=trend,
        most_positive=max(positives, key=lambda s: s.p_positive, default=None),
        most_negative=min(negatives, key=lambda s: s.p_positive, default=None),
    )


def bar(percent: int, width: int = BAR_WIDTH) -> str:
    """A fixed-width text bar: ``████░░░░`` for 50% at width 8."""
    filled = round(width * percent / 100)
    return "█" * filled + "░" * (width - filled)


def chart(summary: MoodSummary) -> str:
    """The three shares as aligned text bars (for a code block)."""
    shares = summary.shares()
    width = max(len(name) for name in BUCKET_NAMES.values())
    lines = []
    for key, name in BUCKET_NAMES.items():
        count = summary.counts.get(key, 0)
        lines.append(f"{name:<{width}}  {bar(shares[key])} {shares[key]:>3}%  ({count})")
    return "\n".join(lines)


def trend_sentence(trend: Trend | None) -> str:
    """The trend in words, older half against newer half."""
    if trend is None:
        return f"Too few messages for a trend (needs {MIN_FOR_TREND})."
    words = {
        "up": "more positive lately",
        "down": "more negative lately",
        "steady": "steady",
    }[trend.direction]
    older, newer = trend.older, trend.newer
    return (
        f"Trend: {words} (older half {older.positive:.0%} positive, {older.negative:.0%} "
        f"negative; newer half {newer.positive:.0%} positive, {newer.negative:.0%} negative)"
    )


def shares_sentence(summary: MoodSummary) -> str:
    shares = summary.shares()
    return (
        f"{shares[POSITIVE]}% positive, {shares[NEGATIVE]}% negative, "
        f"{shares[UNCLEAR]}% no clear sentiment"
    )


def mood_message(
    channel_id: str,
    summary: MoodSummary,
    permalinks: Mapping[str, str | None],
    *,
    requested: int,
    capped_from: int | None = None,
    notes: Sequence[str] = (),
) -> dict[str, Any]:
    """The ephemeral mood reply: blocks plus a complete plain ``text`` fallback.

    ``permalinks`` maps a message ts to its permalink (None when it could not be fetched).
    """
    channel = f"<#{channel_id}>"
    window = f"the last {summary.total} messages by people"
    if summary.total == 0:
        text = (
            f"Mood in {channel}: I found no messages by people with text among the recent ones, "
            "so there is nothing to score."
        )
        return {"text": text, "blocks": [_section(text)]}
    header = f"*Mood in {channel}* over {window}"
    lines = [
        header,
        f"```{chart(summary)}```",
    ]
    trend = trend_sentence(summary.trend)
    if summary.trend is not None:
        trend += f"\nOlder → newer: `{summary.trend.sparkline}`"
    links = []
    for label, scored in (
        ("Most positive", summary.most_positive),
        ("Most negative", summary.most_negative),
    ):
        if scored is None:
            continue
        url = permalinks.get(scored.ts)
        if url:
            links.append(f"{label}: <{url}|view message> ({_pct(scored.p_positive)} positive)")
        else:
            links.append(f"{label}: link unavailable ({_pct(scored.p_positive)} positive)")
    context = list(notes)
    if summary.total < requested:
        context.append(
            f"Only {summary.total} recent messages by people with text were found (you asked "
            f"for {requested})."
        )
    if capped_from is not None:
        context.append(f"You asked for {capped_from} messages; I read at most {MAX_COUNT}.")
    context.append(
        "Counted as no clear sentiment: what the model calls neutral or is unsure about. "
        "Nothing from these messages is stored."
    )
    blocks: list[dict[str, Any]] = [_section("\n".join(lines)), _section(trend)]
    if links:
        blocks.append(_section("\n".join(links)))
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": c} for c in context]})
    text = (
        f"Mood in {channel} over {window}: {shares_sentence(summary)}. "
        f"{trend_sentence(summary.trend)}."
    )
    return {"text": text, "blocks": blocks}


def _pct(p: float) -> str:
    return f"{round(p * 100)}%"


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


#: Plain explanations for ``conversations.history`` errors (``{channel}`` is filled in).
HISTORY_ERRORS = {
    "not_in_channel": (
        "I'm not a member of {channel}, so I can't read its messages. Invite me with "
        "`/invite @sentiment` in that channel, then try again."
    ),
    "channel_not_found": (
        "I can't see {channel}: it may be private and I'm not in it, or it no longer exists. "
        "Invite me with `/invite @sentiment` in that channel, then try again."
    ),
    "missing_scope": (
        "This app is not allowed to read {channel}'s history (Slack says the `{needed}` "
        "permission is missing). Ask a workspace admin to reinstall the app from the current "
        "manifest.yml, which asks for channels:history (public channels) and groups:history "
        "(private channels)."
    ),
    "is_archived": "{channel} is archived, so there are no recent messages to read.",
    "ratelimited": (
        "Slack is rate-limiting how often I can read channel history, and it still was after "
        "{attempts} tries. Please try again in a minute."
    ),
}
DM_NOT_SUPPORTED = (
    "Channel mood works in channels, not in direct messages. Run `/sentiment mood` in a channel "
    "I'm in, or name one: `/sentiment mood #channel`."
)


def explain_history_error(
    code: str | None, channel_id: str, *, needed: str | None = None, attempts: int = 1
) -> str:
    """A plain sentence for a history error code, with the fix."""
    template = HISTORY_ERRORS.get(code or "")
    channel = f"<#{channel_id}>"
    if template is None:
        return (
            f"I couldn't read the recent messages of {channel} (Slack said `{code or 'unknown'}`)."
            " Please try again; if it keeps failing, tell the app's admin."
        )
    return template.format(
        channel=channel, needed=needed or "channels:history or groups:history", attempts=attempts
    )
