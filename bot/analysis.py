"""Score a text and decide which caveats the reply must state.

This is the one place that calls the classifier, so every surface (command, mention, DM,
console) gives the same verdict and the same warnings for the same text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from bot.language import looks_non_english
from bot.markup import clean_text
from model.serving.explain import WordEffect, explain

__all__ = ["Analysis", "Analyzer", "ClassifierLike", "WordEffect"]


class ClassifierLike(Protocol):
    """What the bot needs from ``model.load(...)``: ``.info`` and ``.predict``."""

    info: Any

    def predict(self, texts: Sequence[str]) -> list[Any]: ...


@dataclass(frozen=True)
class Analysis:
    """One scored text plus the caveats to show with it."""

    text: str
    label: str
    confidence: float
    low_confidence: bool
    non_english: bool
    threshold: float
    #: Calibrated P(positive): says where a "neutral" (no clear sentiment) text leans.
    p_positive: float | None = None
    #: Calibrated P(negative) and P(no clear sentiment) of a three-class model.
    p_negative: float | None = None
    p_neutral: float | None = None


class Analyzer:
    """Classifier + threshold: turns a cleaned text into an Analysis."""

    def __init__(self, classifier: ClassifierLike, confidence_threshold: float = 0.6):
        self.classifier = classifier
        self.threshold = confidence_threshold
        #: Emoji shortcodes the model reads as words; markup cleaning keeps these.
        self.emoji_codes: frozenset[str] = frozenset(getattr(classifier.info, "emoji_codes", ()))

    def clean(self, text: str) -> str:
        """``text`` with Slack markup removed as this model wants it (its emoji kept)."""
        return clean_text(text, keep_emoji=self.emoji_codes)

    def analyse(self, text: str) -> Analysis:
        """Score ``text`` (already cleaned of Slack markup); exceptions propagate to the caller."""
        prediction = self.classifier.predict([text])[0]
        confidence = float(prediction.confidence)
        return Analysis(
            text=text,
            label=str(prediction.label),
            confidence=confidence,
            low_confidence=confidence < self.threshold,
            non_english=looks_non_english(text),
            threshold=self.threshold,
            p_positive=float(prediction.p_positive),
            p_negative=_optional_float(prediction, "p_negative"),
            p_neutral=_optional_float(prediction, "p_neutral"),
        )

    def explain(self, text: str, top: int = 5) -> list[WordEffect]:
        """The words that moved the answer for ``text`` (already cleaned), strongest first.

        Leave-one-out through the classifier (``model.serving.explain``): one extra batch of
        predictions, so it runs only when someone asks "Why?".
        """
        return explain(self.classifier, text, top)


def _optional_float(prediction: Any, name: str) -> float | None:
    value = getattr(prediction, name, None)
    return None if value is None else float(value)
