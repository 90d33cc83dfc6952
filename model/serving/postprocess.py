"""Raw network outputs -> Predictions: the one post-processing step both runtimes share.

polarity logit -> / temperature -> sigmoid = calibrated P(positive) -> label, where the label is
"neutral" when the artifact's neutral rule says the text carries no clear sentiment:

* ``{"method": "band", "threshold": t}``: neutral when |P(positive) - 0.5| < t;
* ``{"method": "presence", "threshold": t}``: neutral when sigmoid(presence logit) < t, for a
  network with a second output that scores whether the text expresses any sentiment at all;
* no rule (older models, the tutorial recipe): never neutral.

Keeping this in one place is what lets the lite and TensorFlow runtimes give identical labels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from model.serving.prediction import Prediction

BAND = "band"
PRESENCE = "presence"
METHODS = (BAND, PRESENCE)


@dataclass(frozen=True)
class NeutralRule:
    """When a prediction is called neutral; stored in the artifact as a small JSON object."""

    method: str
    threshold: float

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"unknown neutral method {self.method!r} (one of {METHODS})")

    @classmethod
    def from_json(cls, data: dict | None) -> NeutralRule | None:
        if not data or data.get("method") in (None, "none"):
            return None
        return cls(method=str(data["method"]), threshold=float(data["threshold"]))

    def to_json(self) -> dict:
        return {"method": self.method, "threshold": self.threshold}


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Numerically stable logistic function in float64."""
    z = np.asarray(z, dtype=np.float64)
    return np.exp(-np.logaddexp(0.0, -z))


def p_positive(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Calibrated P(positive) = sigmoid(logit / T)."""
    return sigmoid(np.asarray(logits, dtype=np.float64) / float(temperature))


def neutral_mask(
    p: np.ndarray, rule: NeutralRule | None, presence_logits: np.ndarray | None = None
) -> np.ndarray:
    """Which texts get the "neutral" label under ``rule``."""
    p = np.asarray(p, dtype=np.float64)
    if rule is None:
        return np.zeros(p.shape, dtype=bool)
    if rule.method == BAND:
        return np.abs(p - 0.5) < rule.threshold
    if presence_logits is None:
        raise ValueError("a 'presence' neutral rule needs the network's presence output")
    return sigmoid(presence_logits) < rule.threshold


def to_predictions(
    logits: np.ndarray,
    temperature: float = 1.0,
    rule: NeutralRule | None = None,
    presence_logits: np.ndarray | None = None,
) -> list[Prediction]:
    """One Prediction per row of raw network outputs."""
    p = p_positive(logits, temperature)
    neutral = neutral_mask(p, rule, presence_logits)
    return [
        Prediction.from_probability(value, bool(flag))
        for value, flag in zip(p.tolist(), neutral.tolist(), strict=True)
    ]


def labels(predictions: Sequence[Prediction]) -> list[str]:
    return [p.label for p in predictions]
