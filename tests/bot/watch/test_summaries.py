"""Mood and digest texts built from hourly counts (no database, no Slack)."""

from __future__ import annotations

import pytest

from bot.watch.periods import PERIODS, WEEK, parse_period
from bot.watch.store import HourCounts
from bot.watch.summaries import (
    TOO_FEW,
    busiest_hours,
    chart_row,
    digest_message,
    mood_from_counts,
    tally,
    trend_sentence,
)

NOW = 1_764_000_000.0  # Mon 24 Nov 2025 16:00 UTC


def test_periods_parse_and_span_whole_hours():
    assert parse_period("7D") is WEEK and parse_period("week") is WEEK
    assert parse_period("24h").hours == 24 and parse_period("30d").hours == 720
    assert parse_period("12d") is None
    start, end = PERIODS["24h"].span(NOW)
    assert end - start == 24 and end % 4 == 0 and start <= int(NOW // 3600) < end
    week_start, week_end = WEEK.span(NOW)
    assert week_end % 24 == 0 and week_end - week_start == 168
    assert PERIODS["24h"].previous_span(NOW) == (start - 24, start)


def test_shares_come_from_the_counts_and_add_up():
    start, _ = WEEK.span(NOW)
    hours = [HourCounts(start + 1, 3, 1, 0), HourCounts(start + 30, 1, 2, 3)]
    reply = mood_from_counts("C1", WEEK, hours, [], start)
    assert "40% positive, 30% negative, 30% no clear sentiment (10 messages)" in reply["text"]
    assert f"Trend: {TOO_FEW} (0 messages in the 7 days before)" in reply["text"]
    chart = reply["blocks"][1]["text"]["text"]
    assert chart.count("\n") == 7  # seven day rows and the legend


def test_fewer_than_five_messages_are_too_few_to_say():
    start, _ = WEEK.span(NOW)
    reply = mood_from_counts("C1", WEEK, [HourCounts(start, 2, 2, 0)], [], start)
    assert f"{TOO_FEW} (4 messages)" in reply["text"] and "%" not in reply["text"]


@pytest.mark.parametrize(
    ("now", "before", "words"),
    [
        ((8, 1, 1), (2, 6, 2), "more positive than"),
        ((2, 6, 2), (8, 1, 1), "more negative than"),
        ((5, 4, 1), (5, 4, 2), "about the same as"),
    ],
)
def test_trend_against_the_previous_period(now, before, words):
    text = trend_sentence(tally([HourCounts(0, *now)]), tally([HourCounts(0, *before)]), "x")
    assert text.startswith(f"Trend: {words} x")


def test_chart_rows_scale_with_volume_and_split_by_bucket():
    assert chart_row(tally([HourCounts(0, 5, 5, 0)]), 10, width=10) == "█████▓▓▓▓▓"
    assert chart_row(tally([HourCounts(0, 1, 0, 1)]), 10, width=10) == "█░"
    assert chart_row(tally([]), 10) == ""


def test_digest_names_busiest_hours_and_the_change():
    start, _ = WEEK.span(NOW)
    week = [HourCounts(start + 24 * d + 9, 4, 1, 0) for d in range(6)]
    week.append(HourCounts(start + 14, 0, 2, 0))
    previous = [HourCounts(start - 30, 1, 5, 0)]
    assert busiest_hours(week) == [(9, 30), (14, 2)]
    digest = digest_message("C1", week, previous, start, WEEK)
    assert (
        "Weekly mood of <#C1>: 75% positive, 25% negative, 0% no clear sentiment"
        in (digest["text"])
    )
    assert "more positive than the week before" in digest["text"]
    assert "09:00-10:00 (30)" in digest["text"]
