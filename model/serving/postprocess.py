"""Raw network outputs -> Predictions: the one post-processing step both runtimes share.

polarity logit -> / temperature -> sigmoid = calibrated P(positive) -> label, where the label is
"neutral" when the artifact's neutral rule says the text carries no clear sentiment:

* ``{"method": "band", "threshold": t}``: neutral when |P(positive) - 0.5| < t;
* ``{"method": "presence", "threshold": t}``: neutral when sigmoid(presence logit) < t, for a
  network with a second output that scores whether the text expresses any sentiment at all;
* no rule (older models, the tutorial recipe): never neutral.

A three-class network (P(negative), P(positive), P(no clear sentiment)) has logits [batch, 3]:
softmax(logits / temperature) gives the probabilities and a :class:`DecisionRule` (per-class
log-probability offsets fitted on validation data) picks the label: argmax(log p + offset).

Keeping this in one place is what lets the lite and TensorFlow runtimes give identical labels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from model.serving.prediction import NEGATIVE, NEUTRAL, POSITIVE, Prediction

BAND = "band"
PRESENCE = "presence"
METHODS = (BAND, PRESENCE)
OFFSETS = "offsets"
#: Column order of a three-class network's logits (the data layer's label codes 0, 1, 2).
CLASSES = (NEGATIVE, POSITIVE, NEUTRAL)


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
        if not data or data.get("method") in (None, "none", OFFSETS):
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


@dataclass(frozen=True)
class DecisionRule:
    """A three-class model's label: argmax over classes of log P(class) + offset[class].

    Offsets of zero are plain argmax; a positive offset makes its class win more often. A
    network whose embedding carries a lexicon channel also reports, per text, its *lexicon
    evidence* (the largest pooled lexicon column: 0 when no word of the text is in the
    lexicon); ``no_evidence_neutral`` is added to the neutral score of texts without any, as
    VADER calls them neutral. All are fitted on validation data (``model.training.decision``)
    and stored in the manifest as ``{"method": "offsets", "offsets": {"negative": ..,
    "positive": .., "neutral": ..}, "no_lexicon_evidence_neutral": ..}``.
    """

    offsets: tuple[float, float, float] = (0.0, 0.0, 0.0)
    no_evidence_neutral: float = 0.0

    @classmethod
    def from_json(cls, data: dict | None) -> DecisionRule | None:
        if not data or data.get("method") != OFFSETS:
            return None
        values = data["offsets"]
        offsets = tuple(float(values[name]) for name in CLASSES)
        extra = float(data.get("no_lexicon_evidence_neutral", 0.0))
        return cls(offsets, extra)  # type: ignore[arg-type]

    def to_json(self) -> dict:
        return {
            "method": OFFSETS,
            "offsets": dict(zip(CLASSES, self.offsets, strict=True)),
            "no_lexicon_evidence_neutral": self.no_evidence_neutral,
            "classes": list(CLASSES),
        }

    def scores(
        self, log_probabilities: np.ndarray, evidence: np.ndarray | None = None
    ) -> np.ndarray:
        scores = np.asarray(log_probabilities, dtype=np.float64) + np.asarray(self.offsets)
        if evidence is not None and self.no_evidence_neutral:
            scores[:, 2] += self.no_evidence_neutral * (np.asarray(evidence) <= 0)
        return scores

    def choose(self, log_probabilities: np.ndarray, evidence: np.ndarray | None = None):
        """Class index per row (ties go to the first class in CLASSES order)."""
        return np.argmax(self.scores(log_probabilities, evidence), axis=1)

    def margins(self, log_probabilities: np.ndarray, evidence: np.ndarray | None = None):
        """Per row, best score minus runner-up: how far the row is from a different label."""
        ordered = np.sort(self.scores(log_probabilities, evidence), axis=1)
        return ordered[:, -1] - ordered[:, -2]


def log_softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """log softmax(logits / T) per row, float64."""
    z = np.asarray(logits, dtype=np.float64) / float(temperature)
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def class_probabilities(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """softmax(logits / T): columns in CLASSES order."""
    return np.exp(log_softmax(logits, temperature))


def class_predictions(
    logits: np.ndarray,
    temperature: float = 1.0,
    rule: DecisionRule | None = None,
    evidence: np.ndarray | None = None,
) -> list[Prediction]:
    """One Prediction per row of a three-class network's logits (and lexicon evidence)."""
    logits = np.asarray(logits, dtype=np.float64).reshape(-1, len(CLASSES))
    log_p = log_softmax(logits, temperature)
    chosen = (rule or DecisionRule()).choose(log_p, evidence)
    p = np.exp(log_p)
    return [
        Prediction.from_classes(CLASSES[c], float(row[0]), float(row[1]), float(row[2]))
        for c, row in zip(chosen.tolist(), p.tolist(), strict=True)
    ]
