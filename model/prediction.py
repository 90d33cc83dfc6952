"""The classifier's public types: what a prediction is and what every runtime provides."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Protocol

POSITIVE = "positive"
NEGATIVE = "negative"


@dataclass(frozen=True)
class Prediction:
    """One text's verdict: label, confidence in that label (0.5-1) and P(positive)."""

    label: str
    confidence: float
    p_positive: float

    @classmethod
    def from_probability(cls, p_positive: float) -> Prediction:
        p = float(p_positive)
        if p >= 0.5:
            return cls(label=POSITIVE, confidence=p, p_positive=p)
        return cls(label=NEGATIVE, confidence=1.0 - p, p_positive=p)

    def to_dict(self) -> dict[str, float | str]:
        return asdict(self)


@dataclass(frozen=True)
class ModelInfo:
    """What a loaded model says about itself (shown by /healthz and the CLI)."""

    path: str
    version: str
    runtime: str
    test_accuracy: float | None = None
    temperature: float = 1.0
    extra: dict = field(default_factory=dict)


class Classifier(Protocol):
    """A loaded model: a batch of texts in, one Prediction per text out."""

    info: ModelInfo

    def predict(self, texts: Sequence[str]) -> list[Prediction]: ...
