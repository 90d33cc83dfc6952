"""Seeded, stratified index arithmetic: validation carves and per-corpus sampling.

Stratified so that a small validation split keeps its corpus's label balance (airline tweets
are 63% negative; a random 10% could drift); seeded so the same recipe and seed always carve the
same rows, which is what lets ``model.evaluate`` rebuild a model's validation splits.
"""

from __future__ import annotations

import hashlib

import numpy as np


def corpus_seed(seed: int, name: str) -> int:
    """A per-corpus seed: adding or removing one corpus never reshuffles another."""
    digest = hashlib.sha256(f"{seed}:{name}".encode()).digest()
    return int.from_bytes(digest[:4], "little")


def stratified_pick(labels: np.ndarray, size: int, seed: int) -> np.ndarray:
    """``size`` indices drawn without replacement, each label class in proportion (sorted)."""
    labels = np.asarray(labels)
    if size >= len(labels):
        return np.arange(len(labels))
    rng = np.random.default_rng(seed)
    classes, counts = np.unique(labels, return_counts=True)
    quotas = counts * size / len(labels)
    take = np.floor(quotas).astype(int)
    shortfall = size - int(take.sum())  # largest remainders get the leftover picks
    for index in np.argsort(-(quotas - take), kind="stable")[:shortfall]:
        take[index] += 1
    picked = [
        rng.permutation(np.flatnonzero(labels == cls))[:k]
        for cls, k in zip(classes, take, strict=True)
    ]
    return np.sort(np.concatenate(picked)) if picked else np.arange(0)


def carve(
    labels: np.ndarray, fraction: float, cap: int | None, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """(train indices, validation indices): a stratified seeded validation carve.

    Per label (in sorted order, one ``RandomState(seed)`` per corpus): a permutation of that
    label's rows, the first round(fraction x n) go to validation. With ``cap``, the fraction
    shrinks so that about ``cap`` rows are carved.
    """
    labels = np.asarray(labels)
    if cap is not None and len(labels) and fraction * len(labels) > cap:
        fraction = cap / len(labels)
    rng = np.random.RandomState(seed)
    validation = np.zeros(len(labels), dtype=bool)
    for label in np.unique(labels):
        rows = np.flatnonzero(labels == label)
        rows = rows[rng.permutation(len(rows))]
        validation[rows[: round(fraction * len(rows))]] = True
    return np.flatnonzero(~validation), np.flatnonzero(validation)
