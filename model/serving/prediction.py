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

    ``label`` is "positive", "negative" or "neutral" (no clear sentiment). A three-class model
    gives ``p_positive``, ``p_negative`` and ``p_neutral`` (summing to 1, temperature-calibrated),
    its label comes from the decision rule fitted on validation data and ``confidence`` is the
    probability of that label. An older two-output model gives only the calibrated
    ``p_positive`` (``p_negative`` = 1 - p_positive, ``p_neutral`` = 0) and its ``confidence`` is
    max(p_positive, 1 - p_positive). ``leaning`` names the polar side with more probability.
    """

    label: str
    confidence: float
    p_positive: float
    #: P(negative); a two-output (older) model has none of its own: 1 - p_positive.
    p_negative: float = -1.0
    #: P(no clear sentiment); 0.0 for models without a neutral class of their own.
    p_neutral: float = 0.0

    def __post_init__(self) -> None:
        if self.p_negative < 0:
            object.__setattr__(self, "p_negative", 1.0 - float(self.p_positive))

    @property
    def leaning(self) -> str:
        """ "positive" if P(positive) >= P(negative) else "negative", whatever the label."""
        return POSITIVE if self.p_positive >= self.p_negative else NEGATIVE

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

    @classmethod
    def from_classes(cls, label: str, p_negative: float, p_positive: float, p_neutral: float):
        """A three-class model's verdict: ``confidence`` is the probability of ``label``."""
        probabilities = {NEGATIVE: p_negative, POSITIVE: p_positive, NEUTRAL: p_neutral}
        return cls(
            label=label,
            confidence=float(probabilities[label]),
            p_positive=float(p_positive),
            p_negative=float(p_negative),
            p_neutral=float(p_neutral),
        )

    def to_dict(self) -> dict[str, float | str]:
        return {**asdict(self), "leaning": self.leaning}


@dataclass(frozen=True)
class ModelInfo:
    """What a loaded model says about itself (shown by /healthz and the CLI).

    ``domains`` holds per-domain validation metrics from metrics.json (empty for older models);
    ``neutral`` is the stored decision rule, e.g. {"method": "offsets", "offsets": {...}} for a
    three-class model or {"method": "band", "threshold": 0.1} for an older one, or None when the
    model never answers "neutral". ``classes`` lists the model's own outputs. ``emoji_codes``
    tells a caller that cleans Slack markup which ``:shortcode:`` emoji to keep because the
    model understands them.
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
    #: The probabilities the model itself outputs, e.g. ("negative", "positive", "neutral").
    classes: tuple[str, ...] = (POSITIVE,)


class Classifier(Protocol):
    """A loaded model: a batch of texts in, one Prediction per text out."""

    info: ModelInfo

    def predict(self, texts: Sequence[str]) -> list[Prediction]: ...
