"""Is "90% confident" right 90% of the time? Expected calibration error and temperature scaling."""

from __future__ import annotations

import numpy as np

from model.serving.postprocess import sigmoid as sigmoid  # one copy, re-exported here

ECE_THRESHOLD = 0.03


def confidence_of(p_positive: np.ndarray) -> np.ndarray:
    """Confidence in the predicted label: max(p, 1 - p)."""
    p = np.asarray(p_positive, dtype=np.float64)
    return np.maximum(p, 1.0 - p)


def reliability_bins(p_positive: np.ndarray, labels: np.ndarray, bins: int = 10) -> list[dict]:
    """Per confidence bin (equal width over [0.5, 1]): count, mean confidence, accuracy."""
    p = np.asarray(p_positive, dtype=np.float64)
    y = np.asarray(labels).astype(int)
    confidence = confidence_of(p)
    correct = ((p >= 0.5).astype(int) == y).astype(float)
    edges = np.linspace(0.5, 1.0, bins + 1)
    index = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
    table = []
    for b in range(bins):
        mask = index == b
        count = int(mask.sum())
        table.append(
            {
                "lower": float(edges[b]),
                "upper": float(edges[b + 1]),
                "count": count,
                "confidence": float(confidence[mask].mean()) if count else None,
                "accuracy": float(correct[mask].mean()) if count else None,
            }
        )
    return table


def expected_calibration_error(p_positive: np.ndarray, labels: np.ndarray, bins: int = 10) -> float:
    """ECE: bin-size-weighted |accuracy - confidence| over confidence bins."""
    table = reliability_bins(p_positive, labels, bins)
    total = sum(row["count"] for row in table)
    if total == 0:
        return 0.0
    return float(
        sum(
            row["count"] / total * abs(row["accuracy"] - row["confidence"])
            for row in table
            if row["count"]
        )
    )


def binary_nll(logits: np.ndarray, labels: np.ndarray) -> float:
    """Mean binary cross-entropy computed stably from logits."""
    z = np.asarray(logits, dtype=np.float64)
    y = np.asarray(labels, dtype=np.float64)
    return float(np.mean(np.logaddexp(0.0, z) - y * z))


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """The T > 0 minimising validation NLL of sigmoid(logit / T) (golden-section on log T)."""
    lo, hi = np.log(0.05), np.log(20.0)
    ratio = (np.sqrt(5) - 1) / 2

    def loss(log_t: float) -> float:
        return binary_nll(np.asarray(logits) / np.exp(log_t), labels)

    a, b = lo, hi
    c, d = b - ratio * (b - a), a + ratio * (b - a)
    for _ in range(80):
        if loss(c) < loss(d):
            b = d
        else:
            a = c
        c, d = b - ratio * (b - a), a + ratio * (b - a)
    return float(np.exp((a + b) / 2))
