"""The TensorFlow runtime: the exported SavedModel's serving signature (strings -> P(positive)).

Needs only ``tensorflow`` (or ``tensorflow-cpu``): not tensorflow_hub, tf_keras or tfds.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from model.serving.errors import ModelError
from model.serving.explain import WordEffect, explain
from model.serving.postprocess import (
    DecisionRule,
    NeutralRule,
    class_predictions,
    to_predictions,
)
from model.serving.prediction import ModelInfo, Prediction
from model.serving.tokenizer import sanitize

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

    def outputs(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """Every output of the signature (p_positive, logit, ...) for a batch, as float64."""
        texts = [sanitize(t) for t in texts]
        parts: dict[str, list[np.ndarray]] = {}
        for start in range(0, len(texts), BATCH):
            batch = self._tf.constant(texts[start : start + BATCH], dtype=self._tf.string)
            for name, value in self._serve(text=batch).items():
                parts.setdefault(name, []).append(value.numpy().astype(np.float64))
        if not parts:
            return {
                name: np.zeros([0, *spec.shape[1:]])
                for name, spec in self._serve.structured_outputs.items()
            }
        return {name: np.concatenate(values) for name, values in parts.items()}

    def p_positive(self, texts: Sequence[str]) -> np.ndarray:
        """P(positive) as computed inside the SavedModel (temperature applied in the graph)."""
        return self.outputs(texts)["p_positive"]


class TensorFlowClassifier:
    """model.load()'s classifier when serving with TensorFlow."""

    def __init__(
        self,
        saved_model_dir: Path,
        info: ModelInfo,
        rule: NeutralRule | DecisionRule | None = None,
    ) -> None:
        self.scorer = SavedModelScorer(saved_model_dir)
        self.info = info
        self.rule = rule

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        if isinstance(texts, str):
            texts = [texts]
        outputs = self.scorer.outputs(list(texts))
        if "logits" in outputs:  # a three-class network
            rule = self.rule if isinstance(self.rule, DecisionRule) else None
            return class_predictions(
                outputs["logits"], self.info.temperature, rule, outputs.get("evidence")
            )
        neutral = self.rule if isinstance(self.rule, NeutralRule) else None
        return to_predictions(
            outputs["logit"], self.info.temperature, neutral, outputs.get("presence_logit")
        )

    def explain(self, text: str, top: int = 5) -> list[WordEffect]:
        """Which words moved the answer (leave-one-out; see ``model.serving.explain``)."""
        return explain(self, text, top)
