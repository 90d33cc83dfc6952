"""Mood from counts: the ``/sentiment mood`` reply in a watched channel and the weekly digest.

Pure functions of hourly counts (``bot.watch.store.HourCounts``), so every figure is tested with
plain data. Shares are whole percents that add up to 100; fewer than MIN_MESSAGES messages in a
period are "too few to say"; the chart is text (a code block), one row per part of the period::

    Mon 30 Nov  ████████▓▓▓░░░░     21
    Tue 01 Dec  ████▓▓▓▓▓▓░░         14

where █ is positive, ▓ negative and ░ no clear sentiment, and a row's length is its volume.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from bot.channel_mood import NEGATIVE, POSITIVE, TREND_DELTA, UNCLEAR, whole_percentages
from bot.watch.periods import SECONDS_PER_HOUR, Period
from bot.watch.store import HourCounts

#: Fewer messages than this in a period: no shares, "too few to say".
MIN_MESSAGES = 5
CHART_WIDTH = 24
MARKS = {POSITIVE: "█", NEGATIVE: "▓", UNCLEAR: "░"}
LEGEND = ("positive", "negative", "neither")
TOO_FEW = "too few to say"


@dataclass(frozen=True)
class Tally:
    """Messages per bucket over some hours."""

    positive: int = 0
    negative: int = 0
    neutral: int = 0

    @property
    def total(self) -> int:
        return self.positive + self.negative + self.neutral

    @property
    def enough(self) -> bool:
        return self.total >= MIN_MESSAGES

    def buckets(self) -> dict[str, int]:
        return {POSITIVE: self.positive, NEGATIVE: self.negative, UNCLEAR: self.neutral}

    def shares(self) -> dict[str, int]:
        return whole_percentages(self.buckets(), self.total)

    @property
    def net(self) -> float:
        """Positive share minus negative share (-1..1); 0 when empty."""
        return (self.positive - self.negative) / self.total if self.total else 0.0


def tally(hours: Iterable[HourCounts]) -> Tally:
    p = n = u = 0
    for row in hours:
        p, n, u = p + row.positive, n + row.negative, u + row.neutral
    return Tally(p, n, u)


def bins(hours: Sequence[HourCounts], start_hour: int, period: Period) -> list[tuple[int, Tally]]:
    """``period.bins`` consecutive tallies (first hour of each bin, its tally), oldest first."""
    out = []
    for i in range(period.bins):
        first = start_hour + i * period.bin_hours
        last = first + period.bin_hours
        out.append((first, tally(h for h in hours if first <= h.hour < last)))
    return out


def bin_label(first_hour: int, period: Period) -> str:
    """``Mon 30 Nov`` for day-long bins, ``Mon 14:00`` for shorter ones (UTC)."""
    moment = datetime.fromtimestamp(first_hour * SECONDS_PER_HOUR, tz=timezone.utc)
    if period.bin_hours >= 24:
        return moment.strftime("%a %d %b")
    return moment.strftime("%a %H:00")


def chart_row(part: Tally, biggest: int, width: int = CHART_WIDTH) -> str:
    """A bar as long as ``part``'s share of the biggest bin, split into the three buckets."""
    if biggest <= 0 or part.total == 0:
        return ""
    length = max(1, round(width * part.total / biggest))
    shares = whole_percentages(part.buckets(), part.total)
    marks = {k: round(length * shares[k] / 100) for k in MARKS}
    marks[UNCLEAR] = max(0, length - marks[POSITIVE] - marks[NEGATIVE])
    return "".join(MARKS[k] * marks[k] for k in (POSITIVE, NEGATIVE, UNCLEAR))


def chart(parts: Sequence[tuple[int, Tally]], period: Period) -> str:
    """The text chart of ``parts`` (see the module docstring), with a legend."""
    biggest = max((t.total for _, t in parts), default=0)
    lines = [
        f"{bin_label(first, period)}  {chart_row(t, biggest):<{CHART_WIDTH}} {t.total:>4}"
        for first, t in parts
    ]
    lines.append(
        f"{MARKS[POSITIVE]} positive  {MARKS[NEGATIVE]} negative  {MARKS[UNCLEAR]} neither"
    )
    return "\n".join(lines)


def shares_sentence(t: Tally) -> str:
    if not t.enough:
        return f"{TOO_FEW} ({_messages(t.total)})"
    s = t.shares()
    return (
        f"{s[POSITIVE]}% positive, {s[NEGATIVE]}% negative, {s[UNCLEAR]}% no clear sentiment "
        f"({_messages(t.total)})"
    )


def trend_sentence(current: Tally, previous: Tally, before: str) -> str:
    """The current period against the one before it, in words (``before``: "the 7 days before")."""
    if not current.enough or not previous.enough:
        return f"Trend: {TOO_FEW} ({_messages(previous.total)} in {before})."
    delta = current.net - previous.net
    if delta >= TREND_DELTA:
        words = "more positive than"
    elif delta <= -TREND_DELTA:
        words = "more negative than"
    else:
        words = "about the same as"
    old = previous.shares()
    return (
        f"Trend: {words} {before} (then {old[POSITIVE]}% positive, {old[NEGATIVE]}% negative; "
        f"net mood {delta * 100:+.0f} points)."
    )


def busiest_hours(hours: Iterable[HourCounts], top: int = 3) -> list[tuple[int, int]]:
    """The ``top`` hours of the day (UTC, 0-23) with the most messages: (hour, messages)."""
    per_hour = [0] * 24
    for row in hours:
        per_hour[row.hour % 24] += row.total
    ranked = sorted(range(24), key=lambda h: (-per_hour[h], h))
    return [(h, per_hour[h]) for h in ranked[:top] if per_hour[h] > 0]


def mood_from_counts(
    channel_id: str,
    period: Period,
    current: Sequence[HourCounts],
    previous: Sequence[HourCounts],
    start_hour: int,
) -> dict[str, Any]:
    """The ephemeral reply to ``/sentiment mood [24h|7d|30d]`` in a watched channel."""
    now_tally, before_tally = tally(current), tally(previous)
    channel = f"<#{channel_id}>"
    before = f"the {period.words.removeprefix('the last ')} before"
    headline = f"Mood in {channel} over {period.words}: {shares_sentence(now_tally)}."
    trend = trend_sentence(now_tally, before_tally, before)
    blocks: list[dict[str, Any]] = [_section(f"*{headline}*")]
    if now_tally.total:
        blocks.append(_section(f"```{chart(bins(current, start_hour, period), period)}```"))
    blocks.append(_section(trend))
    blocks.append(_context(COUNTS_NOTE))
    return {"text": f"{headline} {trend}", "blocks": blocks}


COUNTS_NOTE = (
    "From live counts of this watched channel: only how many messages were positive, negative "
    "or neither, per hour. No message text is kept. Times are UTC."
)


def digest_message(
    channel_id: str,
    week: Sequence[HourCounts],
    previous: Sequence[HourCounts],
    start_hour: int,
    period: Period,
) -> dict[str, Any]:
    """The weekly digest post for one watched channel."""
    this, last = tally(week), tally(previous)
    channel = f"<#{channel_id}>"
    headline = f"Weekly mood of {channel}: {shares_sentence(this)}."
    lines = [trend_sentence(this, last, "the week before")]
    busiest = busiest_hours(week)
    if busiest:
        spans = ", ".join(f"{h:02d}:00-{(h + 1) % 24:02d}:00 ({n})" for h, n in busiest)
        lines.append(f"Busiest hours (UTC): {spans}.")
    blocks: list[dict[str, Any]] = [_section(f"*{headline}*")]
    if this.total:
        blocks.append(_section(f"```{chart(bins(week, start_hour, period), period)}```"))
    blocks.append(_section("\n".join(lines)))
    blocks.append(
        _context(
            "Sent once a week because this channel is watched (`/sentiment unwatch` stops it). "
            "Counts only, no message text."
        )
    )
    return {"text": f"{headline} {' '.join(lines)}", "blocks": blocks}


def _messages(n: int) -> str:
    return f"{n} message" if n == 1 else f"{n} messages"


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}
