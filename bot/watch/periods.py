"""The periods a watched channel's mood is asked for (``24h``, ``7d``, ``30d``) and their hours.

Counts are kept per whole hour since the epoch (UTC), so a period is a range of hours ending
with the current day or bin (partly elapsed) and the one before it is the same length, earlier.
"""

from __future__ import annotations

from dataclasses import dataclass

SECONDS_PER_HOUR = 3600


@dataclass(frozen=True)
class Period:
    """A named window: ``hours`` long, drawn as ``bins`` rows of ``bin_hours`` each."""

    name: str
    hours: int
    bin_hours: int
    words: str

    @property
    def bins(self) -> int:
        return self.hours // self.bin_hours

    def span(self, now: float) -> tuple[int, int]:
        """(first hour, hour after the last) of the period that includes ``now``'s hour.

        The end is rounded up to a bin boundary (whole days for day-long bins, UTC), so each
        chart row is a calendar day; the current day or bin is the partly elapsed last one.
        """
        align = min(self.bin_hours, 24)
        end = -(-(int(now // SECONDS_PER_HOUR) + 1) // align) * align
        return end - self.hours, end

    def previous_span(self, now: float) -> tuple[int, int]:
        """The same length, just before :meth:`span`."""
        start, _ = self.span(now)
        return start - self.hours, start


PERIODS = {
    "24h": Period("24h", 24, 4, "the last 24 hours"),
    "7d": Period("7d", 7 * 24, 24, "the last 7 days"),
    "30d": Period("30d", 30 * 24, 5 * 24, "the last 30 days"),
}
DEFAULT_PERIOD = PERIODS["7d"]
WEEK = PERIODS["7d"]


def parse_period(word: str) -> Period | None:
    """``24h`` / ``7d`` / ``30d`` (any case; ``1d`` and ``week``/``month`` too), else None."""
    aliases = {"1d": "24h", "day": "24h", "week": "7d", "month": "30d"}
    key = word.lower()
    return PERIODS.get(aliases.get(key, key))
