"""Write the self-contained model directory: SavedModel, portable form (if certified), metadata.

The SavedModel's ``serving_default`` signature takes raw strings and returns P(positive) with the
calibration temperature applied, so serving needs nothing but TensorFlow.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import tensorflow as tf

from model.serving.artifact import PORTABLE, SAVED_MODEL
from model.serving.portable import PortableNetwork, read_module_tokenizer
from model.training.hard_cases import hard_cases

log = logging.getLogger(__name__)

PARITY_TOLERANCE = 1e-5


def keras_logits(keras_model, texts: tf.Tensor) -> tf.Tensor:
    """The network's pre-sigmoid output, [batch]: embedding -> hidden -> output kernel/bias."""
    embedding, hidden, output = keras_model.layers
    z = tf.matmul(hidden(embedding(texts)), output.kernel) + output.bias
    return z[:, 0]


class ServingModule(tf.Module):
    """Wraps the trained Keras model with a raw-string serving signature."""

    def __init__(self, keras_model, temperature: float) -> None:
        super().__init__(name="sentiment")
        self.network = keras_model
        self.temperature = tf.Variable(float(temperature), trainable=False, dtype=tf.float32)

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="text")])
    def serve(self, text: tf.Tensor) -> dict[str, tf.Tensor]:
        logit = keras_logits(self.network, text)
        return {"p_positive": tf.sigmoid(logit / self.temperature), "logit": logit}


def save_serving_model(keras_model, temperature: float, out_dir: Path) -> Path:
    target = Path(out_dir) / SAVED_MODEL
    if target.exists():
        shutil.rmtree(target)
    module = ServingModule(keras_model, temperature)
    tf.saved_model.save(module, str(target), signatures={"serving_default": module.serve})
    return target


def extract_portable(keras_model, module_dir: Path, temperature: float) -> PortableNetwork:
    """Read the fine-tuned weights out of the Keras model and the tokenizer out of the module."""
    embedding, hidden, output = keras_model.layers
    matrices = [w.numpy() for w in embedding.weights if len(w.shape) == 2]
    if len(matrices) != 1:
        raise ValueError(f"expected one embedding matrix in the hub layer, found {len(matrices)}")
    matrix = matrices[0]
    spec, vocabulary = read_module_tokenizer(module_dir, matrix.shape[0])
    return PortableNetwork(
        spec=spec,
        vocabulary=vocabulary,
        embeddings=matrix.astype(np.float32),
        hidden_kernel=hidden.kernel.numpy(),
        hidden_bias=hidden.bias.numpy(),
        output_kernel=output.kernel.numpy(),
        output_bias=output.bias.numpy(),
        temperature=float(temperature),
    )


def certify(portable: PortableNetwork, saved_model_dir: Path, texts: Sequence[str]) -> dict:
    """Score texts + hard cases with both runtimes; certified iff |dP| <= 1e-5, labels agree."""
    from model.serving.lite import LiteNetwork
    from model.serving.tf_runtime import SavedModelScorer

    cases = list(texts) + hard_cases()
    tf_p = SavedModelScorer(saved_model_dir).p_positive(cases)
    lite_p = LiteNetwork(portable).p_positive(cases)
    diff = np.abs(tf_p - lite_p)
    worst = int(np.argmax(diff)) if len(diff) else 0
    disagreements = int(((tf_p >= 0.5) != (lite_p >= 0.5)).sum())
    max_diff = float(diff.max()) if len(diff) else 0.0
    certified = bool(max_diff <= PARITY_TOLERANCE and disagreements == 0)
    result = {
        "certified": certified,
        "tolerance": PARITY_TOLERANCE,
        "max_abs_diff_p_positive": max_diff,
        "label_disagreements": disagreements,
        "texts_compared": len(cases),
        "validation_texts": len(texts),
        "hard_cases": len(cases) - len(texts),
    }
    if not certified:
        result["reason"] = (
            f"largest |dP| {max_diff:.3g} (tolerance {PARITY_TOLERANCE:g}) and "
            f"{disagreements} label disagreements; worst text starts "
            f"{cases[worst][:60]!r}"
        )
    return result


def export_portable(
    keras_model,
    module_dir: Path | None,
    temperature: float,
    out_dir: Path,
    parity_texts: Sequence[str],
) -> dict:
    """Write ``portable/`` only if certified against the SavedModel; returns the certificate."""
    target = Path(out_dir) / PORTABLE
    if target.exists():
        shutil.rmtree(target)
    if module_dir is None:
        return {"certified": False, "reason": "the embedding module's files could not be located"}
    try:
        portable = extract_portable(keras_model, module_dir, temperature)
    except (ValueError, FileNotFoundError) as error:
        return {"certified": False, "reason": f"cannot extract a portable form: {error}"}
    certificate = certify(portable, Path(out_dir) / SAVED_MODEL, parity_texts)
    if certificate["certified"]:
        portable.save(target, certificate)
    return certificate
