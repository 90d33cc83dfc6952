"""The classifier's public types: what a prediction is and what every runtime provides."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Protocol

POSITIVE = "positive"
NEGATIVE = "negative"
NEUTRAL = "neutral"  # "no clear sentiment": only models with a neutral rule ever say it


@dataclass(frozen=True)
class Prediction:
    """One text's verdict.

    ``label`` is "positive", "negative" or "neutral" (no clear sentiment; only from models whose
    artifact stores a neutral rule). ``p_positive`` is the calibrated P(positive) and
    ``confidence`` is max(p_positive, 1 - p_positive): how sure the model is of the side the text
    leans to (0.5-1), also for a neutral text. ``leaning`` names that side.
    """

    label: str
    confidence: float
    p_positive: float

    @property
    def leaning(self) -> str:
        """ "positive" if p_positive >= 0.5 else "negative", whatever the label."""
        return POSITIVE if self.p_positive >= 0.5 else NEGATIVE

    @property
    def is_neutral(self) -> bool:
        return self.label == NEUTRAL

    @classmethod
    def from_probability(cls, p_positive: float, neutral: bool = False) -> Prediction:
        p = float(p_positive)
        confidence = p if p >= 0.5 else 1.0 - p
        if neutral:
            return cls(label=NEUTRAL, confidence=confidence, p_positive=p)
        return cls(label=POSITIVE if p >= 0.5 else NEGATIVE, confidence=confidence, p_positive=p)

    def to_dict(self) -> dict[str, float | str]:
        return {**asdict(self), "leaning": self.leaning}


@dataclass(frozen=True)
class ModelInfo:
    """What a loaded model says about itself (shown by /healthz and the CLI).

    ``domains`` holds per-domain validation metrics from metrics.json (empty for older models);
    ``neutral`` is the stored neutral rule, e.g. {"method": "band", "threshold": 0.1}, or None
    when the model never answers "neutral". ``emoji_codes`` tells a caller that cleans Slack
    markup which ``:shortcode:`` emoji to keep because the model understands them.
    """

    path: str
    version: str
    runtime: str
    test_accuracy: float | None = None
    temperature: float = 1.0
    recipe: str | None = None
    domains: dict[str, dict] = field(default_factory=dict)
    neutral: dict | None = None
    extra: dict = field(default_factory=dict)
    #: Slack ``:shortcode:`` emoji the tokenizer reads as words (empty: it reads none).
    emoji_codes: frozenset[str] = frozenset()


class Classifier(Protocol):
    """A loaded model: a batch of texts in, one Prediction per text out."""

    info: ModelInfo

    def predict(self, texts: Sequence[str]) -> list[Prediction]: ...
