"""Rows -> what Keras trains on, per the recipe's neutral design.

* ``none``/``band``: one output; positive 1, negative 0, neutral rows (band only) get the soft
  target ``neutral_polarity_target`` (0.5: "no lean either way").
* ``presence``: two outputs. ``output`` learns polarity from polar rows (and from neutral rows
  with the soft target, when the recipe gives one; otherwise they weigh 0 there); ``presence``
  learns 1 for polar rows, 0 for neutral rows and for pseudo-neutral rows (polar labels whose
  text carries no sentiment words).
"""

from __future__ import annotations

import numpy as np

from model.training.corpora import NEUTRAL, POSITIVE
from model.training.network import POLARITY_OUTPUT, PRESENCE_OUTPUT
from model.training.recipes import NEUTRAL_CLASSES, NEUTRAL_PRESENCE, Recipe


def _normalised(weights: np.ndarray) -> np.ndarray:
    """Mean 1 over the rows that count, so the loss keeps the scale of unweighted training."""
    used = weights > 0
    return weights / weights[used].mean() if used.any() else weights


def keras_targets(
    labels: np.ndarray,
    weights: np.ndarray | None,
    recipe: Recipe,
    pseudo_neutral: np.ndarray | None = None,
    polar_only: np.ndarray | None = None,
):
    """(targets, sample weights or None) for ``model.fit``."""
    labels = np.asarray(labels)
    if recipe.neutral == NEUTRAL_CLASSES:
        return class_targets(labels, weights, recipe, polar_only)
    neutral = labels == NEUTRAL
    polarity = (labels == POSITIVE).astype(np.float32)
    soft = recipe.neutral_polarity_target
    if soft is not None:
        polarity[neutral] = soft
    base = np.ones(len(labels), np.float32) if weights is None else np.asarray(weights, np.float32)
    if recipe.neutral == NEUTRAL_PRESENCE:
        presence = (~neutral).astype(np.float32)
        if pseudo_neutral is not None:
            presence[np.asarray(pseudo_neutral, bool)] = 0.0
        polarity_weight = base * (~neutral) if soft is None else base.copy()
        presence_weight = base.copy()
        if recipe.normalise_weights:
            polarity_weight, presence_weight = map(_normalised, (polarity_weight, presence_weight))
        targets = {POLARITY_OUTPUT: polarity, PRESENCE_OUTPUT: presence}
        return targets, {POLARITY_OUTPUT: polarity_weight, PRESENCE_OUTPUT: presence_weight}
    if soft is None:
        base = base * (~neutral)  # neutral rows carry no polarity to learn
    if recipe.normalise_weights:
        base = _normalised(base)
    if np.all(base == 1.0):
        return polarity, None  # identical loss, and the tutorial's inputs stay the tutorial's
    return polarity, base


def class_targets(
    labels: np.ndarray,
    weights: np.ndarray | None,
    recipe: Recipe,
    polar_only: np.ndarray | None = None,
):
    """[n, 2] (label code, polar-only flag) for ``three_way_loss``, and the row weights."""
    flags = np.zeros(len(labels), np.float32) if polar_only is None else polar_only
    targets = np.stack([labels.astype(np.float32), np.asarray(flags, np.float32)], axis=1)
    base = np.ones(len(labels), np.float32) if weights is None else np.asarray(weights, np.float32)
    if recipe.normalise_weights:
        base = _normalised(base)
    return targets, base


def dataset(
    texts: list[str],
    labels: np.ndarray,
    weights: np.ndarray | None,
    recipe: Recipe,
    pseudo_neutral: np.ndarray | None = None,
    polar_only: np.ndarray | None = None,
):
    """A tf.data dataset of (text, target[, weight]) rows, in the given order (fit shuffles)."""
    import tensorflow as tf

    targets, sample_weights = keras_targets(labels, weights, recipe, pseudo_neutral, polar_only)
    if sample_weights is None:
        return tf.data.Dataset.from_tensor_slices((texts, targets))
    return tf.data.Dataset.from_tensor_slices((texts, targets, sample_weights))
