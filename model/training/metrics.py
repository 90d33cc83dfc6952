"""Evaluation figures for a binary classifier, in NumPy (no scikit-learn needed)."""

from __future__ import annotations

import numpy as np


def roc_auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """Area under the ROC curve via the rank-sum (Mann-Whitney U) statistic, ties averaged."""
    scores = np.asarray(scores, dtype=np.float64)
    y = np.asarray(labels).astype(bool)
    positives, negatives = int(y.sum()), int((~y).sum())
    if positives == 0 or negatives == 0:
        return float("nan")
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores), dtype=np.float64)
    sorted_scores = scores[order]
    i = 0
    while i < len(scores):
        j = i
        while j + 1 < len(scores) and sorted_scores[j + 1] == sorted_scores[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2.0 + 1.0
        i = j + 1
    return float((ranks[y].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def classification_metrics(p_positive: np.ndarray, labels: np.ndarray) -> dict:
    """Accuracy, loss (binary cross-entropy), precision, recall, F1, ROC-AUC, confusion matrix."""
    p = np.asarray(p_positive, dtype=np.float64)
    y = np.asarray(labels).astype(int)
    predicted = (p >= 0.5).astype(int)
    tp = int(((predicted == 1) & (y == 1)).sum())
    tn = int(((predicted == 0) & (y == 0)).sum())
    fp = int(((predicted == 1) & (y == 0)).sum())
    fn = int(((predicted == 0) & (y == 1)).sum())
    eps = 1e-7
    clipped = np.clip(p, eps, 1 - eps)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "examples": len(y),
        "accuracy": (tp + tn) / len(y) if len(y) else float("nan"),
        "loss": float(-np.mean(y * np.log(clipped) + (1 - y) * np.log(1 - clipped))),
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "roc_auc": roc_auc(p, y),
        "confusion_matrix": {
            "labels": ["negative", "positive"],
            "rows_are": "true label",
            "columns_are": "predicted label",
            "matrix": [[tn, fp], [fn, tp]],
        },
    }
