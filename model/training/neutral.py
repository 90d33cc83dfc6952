"""Fitting the neutral rule ("no clear sentiment") on validation data.

A rule scores every text and calls it neutral when the score is below a threshold: the distance
of P(positive) from 0.5 (``band``), or P(presence) from the network's second output
(``presence``). The threshold is the largest one that labels at most ``max_polar_flagged`` of the
validation texts that *do* carry sentiment as neutral -- pooled, or in every domain separately
when ``groups`` names each text's domain (so movie reviews cannot buy tweets a looser cap) --
and within that cap it recalls as many of the truly neutral texts as the score allows. The
recipe chooses the cap (how much real sentiment we accept to hide behind "neutral").
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from model.serving.postprocess import BAND, PRESENCE, NeutralRule, sigmoid

NEUTRAL_LABEL = "neutral"


def neutral_scores(
    method: str, p_positive: np.ndarray, presence_logits: np.ndarray | None = None
) -> np.ndarray:
    """The score the rule thresholds (lower = more neutral), exactly as serving computes it."""
    if method == BAND:
        return np.abs(np.asarray(p_positive, dtype=np.float64) - 0.5)
    if method == PRESENCE:
        if presence_logits is None:
            raise ValueError("the presence method needs the network's presence logits")
        return sigmoid(presence_logits)
    raise ValueError(f"unknown neutral method {method!r}")


def fit_neutral_threshold(
    method: str,
    labels: Sequence[str],
    p_positive: np.ndarray,
    presence_logits: np.ndarray | None = None,
    max_polar_flagged: float = 0.10,
    groups: Sequence[str] | None = None,
) -> tuple[NeutralRule, dict]:
    """The rule maximising neutral recall with at most ``max_polar_flagged`` polar texts flagged.

    ``labels`` are "positive" / "negative" / "neutral" per validation text; ``groups``, if
    given, the domain of each, and then the cap holds in every domain. Returns the rule and its
    validation figures (neutral recall and precision, polar-flagged rate, counts; per domain
    too when grouped).
    """
    if not 0.0 <= max_polar_flagged < 1.0:
        raise ValueError("max_polar_flagged must be in [0, 1)")
    scores = neutral_scores(method, p_positive, presence_logits)
    is_neutral = np.asarray([label == NEUTRAL_LABEL for label in labels])
    if is_neutral.all() or not is_neutral.any():
        raise ValueError("fitting the neutral rule needs both neutral and polar validation texts")
    group_of = np.asarray(groups) if groups is not None else np.zeros(len(scores), dtype=int)
    thresholds = []
    for group in np.unique(group_of):
        polar = np.sort(scores[(group_of == group) & ~is_neutral])
        if len(polar):
            thresholds.append(_largest_threshold(polar, max_polar_flagged))
    rule = NeutralRule(method, float(min(thresholds)))
    flagged = scores < rule.threshold
    figures = rule_figures(flagged, is_neutral, max_polar_flagged)
    if groups is not None:
        figures["domains"] = {
            str(g): rule_figures(flagged[group_of == g], is_neutral[group_of == g])
            for g in np.unique(group_of)
        }
    return rule, figures


def _largest_threshold(sorted_polar_scores: np.ndarray, cap: float) -> float:
    """neutral iff score < t: the k-th smallest polar score lets exactly k or fewer through."""
    allowed = int(np.floor(cap * len(sorted_polar_scores)))
    return float(sorted_polar_scores[allowed])


def rule_figures(flagged: np.ndarray, is_neutral: np.ndarray, cap: float | None = None) -> dict:
    """Neutral recall / precision and the share of polar texts called neutral."""
    flagged, is_neutral = np.asarray(flagged, bool), np.asarray(is_neutral, bool)
    hits = int((flagged & is_neutral).sum())
    figures = {
        "neutral_recall": hits / max(int(is_neutral.sum()), 1),
        "neutral_precision": hits / int(flagged.sum()) if flagged.any() else 0.0,
        "polar_flagged_rate": int((flagged & ~is_neutral).sum()) / max(int((~is_neutral).sum()), 1),
        "neutral_rate": float(flagged.mean()) if len(flagged) else 0.0,
        "neutral_examples": int(is_neutral.sum()),
        "polar_examples": int((~is_neutral).sum()),
    }
    if cap is not None:
        figures["max_polar_flagged"] = cap
    return figures
