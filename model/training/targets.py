"""Rows -> what Keras trains on, per the recipe's neutral design.

* ``none``/``band``: one output; positive 1, negative 0, neutral rows (band only) get the soft
  target ``neutral_target`` (0.5: "no lean either way").
* ``presence``: two outputs; ``output`` learns polarity from polar rows only (neutral rows get
  weight 0 there) and ``presence`` learns polar (1) vs neutral (0) from every row.
"""

from __future__ import annotations

import numpy as np

from model.training.corpora import NEUTRAL, POSITIVE
from model.training.network import POLARITY_OUTPUT, PRESENCE_OUTPUT
from model.training.recipes import NEUTRAL_PRESENCE, Recipe


def keras_targets(labels: np.ndarray, weights: np.ndarray | None, recipe: Recipe):
    """(targets, sample weights or None) for ``model.fit``."""
    labels = np.asarray(labels)
    neutral = labels == NEUTRAL
    polarity = (labels == POSITIVE).astype(np.float32)
    weights = None if weights is None else np.asarray(weights, dtype=np.float32)
    if recipe.neutral == NEUTRAL_PRESENCE:
        base = np.ones(len(labels), np.float32) if weights is None else weights
        targets = {POLARITY_OUTPUT: polarity, PRESENCE_OUTPUT: (~neutral).astype(np.float32)}
        return targets, {POLARITY_OUTPUT: base * (~neutral), PRESENCE_OUTPUT: base}
    polarity[neutral] = recipe.neutral_target
    if weights is not None and np.all(weights == 1.0):
        weights = None  # identical loss, and the tutorial's inputs stay exactly the tutorial's
    return polarity, weights


def dataset(texts: list[str], labels: np.ndarray, weights: np.ndarray | None, recipe: Recipe):
    """A tf.data dataset of (text, target[, weight]) rows, in the given order (fit shuffles)."""
    import tensorflow as tf

    targets, sample_weights = keras_targets(labels, weights, recipe)
    if sample_weights is None:
        return tf.data.Dataset.from_tensor_slices((texts, targets))
    return tf.data.Dataset.from_tensor_slices((texts, targets, sample_weights))
