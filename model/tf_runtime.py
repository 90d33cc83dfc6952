"""The TensorFlow runtime: the exported SavedModel's serving signature (strings -> P(positive)).

Needs only ``tensorflow`` (or ``tensorflow-cpu``): not tensorflow_hub, tf_keras or tfds.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from model.errors import ModelError
from model.prediction import ModelInfo, Prediction
from model.tokenizer import sanitize

BATCH = 1024


def import_tensorflow():
    """Import TensorFlow quietly, or explain how to install it."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        import tensorflow as tf
    except ImportError as error:
        raise ModelError(
            "this model needs the TensorFlow runtime, which is not installed. Install it with "
            "`pip install '.[tf]'` (serving) or `pip install '.[train]'`, or use a model whose "
            "portable form is certified (MODEL_RUNTIME=lite)."
        ) from error
    return tf


class SavedModelScorer:
    """Calls the serving signature in batches."""

    def __init__(self, saved_model_dir: Path) -> None:
        tf = import_tensorflow()
        self._tf = tf
        self._loaded = tf.saved_model.load(str(saved_model_dir))
        self._serve = self._loaded.signatures["serving_default"]

    def p_positive(self, texts: Sequence[str]) -> np.ndarray:
        texts = [sanitize(t) for t in texts]
        out = []
        for start in range(0, len(texts), BATCH):
            batch = self._tf.constant(texts[start : start + BATCH], dtype=self._tf.string)
            out.append(self._serve(text=batch)["p_positive"].numpy().astype(np.float64))
        return np.concatenate(out) if out else np.zeros([0])


class TensorFlowClassifier:
    """model.load()'s classifier when serving with TensorFlow."""

    def __init__(self, saved_model_dir: Path, info: ModelInfo) -> None:
        self.scorer = SavedModelScorer(saved_model_dir)
        self.info = info

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        if isinstance(texts, str):
            texts = [texts]
        return [Prediction.from_probability(p) for p in self.scorer.p_positive(list(texts))]
