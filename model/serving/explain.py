"""Which words moved the answer: leave-one-out over the words of a text, only when asked.

Every word (as the user wrote it, split on whitespace) is removed in turn and the text scored
again in one batch; a word's effect is how much the shown label's probability drops without it.
A word whose removal *raises* the shown label's probability pushed toward another answer: it is
reported toward the answer whose probability drops most without it, by that drop. Costs one
batch of (words + 1) predictions, so it stays off the hot path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from model.serving.prediction import NEGATIVE, NEUTRAL, POSITIVE, Prediction

#: Longer texts are explained by their first this many words (a Slack message can be 40k chars).
MAX_WORDS = 80
#: Effects below this are noise, not reasons.
MIN_EFFECT = 0.01


@dataclass(frozen=True)
class WordEffect:
    """One reason: ``words`` pushed the answer toward ``toward`` by ``effect`` (0..1)."""

    words: str
    toward: str
    effect: float


class Predicts(Protocol):
    def predict(self, texts: Sequence[str]) -> list[Prediction]: ...


def _probabilities(prediction: Prediction) -> dict[str, float]:
    return {
        POSITIVE: float(prediction.p_positive),
        NEGATIVE: float(prediction.p_negative),
        NEUTRAL: float(prediction.p_neutral),
    }


def explain(classifier: Predicts, text: str, top: int = 5) -> list[WordEffect]:
    """The ``top`` words with the largest effect on ``classifier``'s answer for ``text``."""
    words = text.split()[:MAX_WORDS]
    if not words or top <= 0:
        return []
    variants = [text] + [" ".join(words[:i] + words[i + 1 :]) for i in range(len(words))]
    predictions = classifier.predict(variants)
    base = predictions[0]
    full = _probabilities(base)
    effects: list[WordEffect] = []
    for word, without in zip(words, predictions[1:], strict=True):
        rest = _probabilities(without)
        drops = {label: full[label] - rest[label] for label in full}
        toward = base.label
        if drops[toward] <= 0:
            toward = max((k for k in drops if k != base.label), key=lambda k: drops[k])
        if drops[toward] >= MIN_EFFECT:
            effects.append(WordEffect(word, toward, round(min(drops[toward], 1.0), 4)))
    effects.sort(key=lambda e: -e.effect)
    return effects[:top]
