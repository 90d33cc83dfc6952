"""Write the self-contained model directory: SavedModel, portable form (if certified), metadata.

The SavedModel's ``serving_default`` signature takes raw strings and returns P(positive) with the
calibration temperature applied, and the raw logit(s) that ``model.serving.postprocess`` turns
into labels, so serving needs nothing but TensorFlow. A network with a second "presence" output
(does the text express any sentiment?) exports it as ``presence_logit`` and ``p_presence``.
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
from model.serving.postprocess import NeutralRule, labels, to_predictions
from model.training.hard_cases import hard_cases

log = logging.getLogger(__name__)

PARITY_TOLERANCE = 1e-5


PRESENCE_LAYER = "presence"


def _layer(keras_model, name: str):
    try:
        return keras_model.get_layer(name)
    except ValueError:
        return None


def has_presence(keras_model) -> bool:
    """Whether the network has the second, "sentiment presence" output layer."""
    return _layer(keras_model, PRESENCE_LAYER) is not None


def keras_outputs(keras_model, texts: tf.Tensor) -> dict[str, tf.Tensor]:
    """Pre-sigmoid outputs, [batch] each: ``logit`` and, if the network has one, ``presence``."""
    embedding, hidden = keras_model.get_layer("embedding"), keras_model.get_layer("hidden")
    features = hidden(embedding(texts))
    output = keras_model.get_layer("output")
    out = {"logit": (tf.matmul(features, output.kernel) + output.bias)[:, 0]}
    presence = _layer(keras_model, PRESENCE_LAYER)
    if presence is not None:
        out["presence"] = (tf.matmul(features, presence.kernel) + presence.bias)[:, 0]
    return out


def keras_logits(keras_model, texts: tf.Tensor) -> tf.Tensor:
    """The polarity output before the sigmoid, [batch]: embedding -> hidden -> output."""
    return keras_outputs(keras_model, texts)["logit"]


class ServingModule(tf.Module):
    """Wraps the trained Keras model with a raw-string serving signature."""

    def __init__(self, keras_model, temperature: float) -> None:
        super().__init__(name="sentiment")
        self.network = keras_model
        self.temperature = tf.Variable(float(temperature), trainable=False, dtype=tf.float32)

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="text")])
    def serve(self, text: tf.Tensor) -> dict[str, tf.Tensor]:
        raw = keras_outputs(self.network, text)
        logit = raw["logit"]
        out = {"p_positive": tf.sigmoid(logit / self.temperature), "logit": logit}
        if "presence" in raw:
            out.update(presence_logit=raw["presence"], p_presence=tf.sigmoid(raw["presence"]))
        return out


def save_serving_model(keras_model, temperature: float, out_dir: Path) -> Path:
    target = Path(out_dir) / SAVED_MODEL
    if target.exists():
        shutil.rmtree(target)
    module = ServingModule(keras_model, temperature)
    tf.saved_model.save(module, str(target), signatures={"serving_default": module.serve})
    return target


def extract_portable(keras_model, module_dir: Path, temperature: float) -> PortableNetwork:
    """Read the fine-tuned weights out of the Keras model and the tokenizer out of the module."""
    embedding, hidden = keras_model.get_layer("embedding"), keras_model.get_layer("hidden")
    output, presence = keras_model.get_layer("output"), _layer(keras_model, PRESENCE_LAYER)
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
        presence_kernel=presence.kernel.numpy() if presence is not None else None,
        presence_bias=presence.bias.numpy() if presence is not None else None,
    )


def certify(
    portable: PortableNetwork,
    saved_model_dir: Path,
    texts: Sequence[str],
    rule: NeutralRule | None = None,
) -> dict:
    """Score texts + hard cases with both runtimes; certified iff every P(positive) (and
    P(presence), if any) differs by <= 1e-5 and every label (neutral included) agrees."""
    from model.serving.lite import LiteNetwork
    from model.serving.tf_runtime import SavedModelScorer

    cases = list(texts) + hard_cases()
    tf_out = SavedModelScorer(saved_model_dir).outputs(cases)
    lite = LiteNetwork(portable)
    lite_logit, lite_presence = lite.outputs(cases)
    lite_p = lite.p_positive_from(lite_logit)
    diff = np.abs(tf_out["p_positive"] - lite_p)
    if lite_presence is not None or "p_presence" in tf_out:
        if lite_presence is None or "p_presence" not in tf_out:
            return {"certified": False, "reason": "only one runtime has the presence output"}
        from model.serving.postprocess import sigmoid

        diff = np.maximum(diff, np.abs(tf_out["p_presence"] - sigmoid(lite_presence)))
    tf_labels = labels(
        to_predictions(tf_out["logit"], portable.temperature, rule, tf_out.get("presence_logit"))
    )
    lite_labels = labels(to_predictions(lite_logit, portable.temperature, rule, lite_presence))
    disagreements = sum(a != b for a, b in zip(tf_labels, lite_labels, strict=True))
    worst = int(np.argmax(diff)) if len(diff) else 0
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
        "outputs_compared": ["p_positive", "labels"]
        + (["p_presence"] if lite_presence is not None else []),
        "neutral_rule": rule.to_json() if rule else None,
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
    rule: NeutralRule | None = None,
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
    certificate = certify(portable, Path(out_dir) / SAVED_MODEL, parity_texts, rule)
    if certificate["certified"]:
        portable.save(target, certificate)
    return certificate
