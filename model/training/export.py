"""Write the self-contained model directory: SavedModel, portable form (if certified), metadata.

The SavedModel's ``serving_default`` signature takes raw strings and returns P(positive) with the
calibration temperature applied, and the raw logit(s) that ``model.serving.postprocess`` turns
into labels, so serving needs nothing but TensorFlow. A network with a second "presence" output
(does the text express any sentiment?) exports it as ``presence_logit`` and ``p_presence``.
A three-class network exports ``logits`` and ``probabilities`` ([batch, 3]: negative, positive,
neutral) besides ``p_positive``.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import tensorflow as tf

from model.serving.artifact import PORTABLE, SAVED_MODEL
from model.serving.errors import ModelError
from model.serving.portable import PortableNetwork, read_module_tokenizer
from model.serving.postprocess import (
    DecisionRule,
    NeutralRule,
    class_predictions,
    labels,
    log_softmax,
    to_predictions,
)
from model.training.hard_cases import hard_cases

log = logging.getLogger(__name__)

PARITY_TOLERANCE = 1e-5


class CertificationError(ModelError):
    """The portable NumPy form does not reproduce TensorFlow: training must not pass silently."""


PRESENCE_LAYER = "presence"


def _layer(keras_model, name: str):
    try:
        return keras_model.get_layer(name)
    except ValueError:
        return None


def has_presence(keras_model) -> bool:
    """Whether the network has the second, "sentiment presence" output layer."""
    return _layer(keras_model, PRESENCE_LAYER) is not None


def frozen_columns(keras_model) -> int:
    """How many frozen (lexicon) columns the hub layer appends to its output."""
    frozen = [
        w for w in keras_model.get_layer("embedding").non_trainable_weights if len(w.shape) == 2
    ]
    return int(frozen[0].shape[1]) if frozen else 0


def is_three_class(keras_model) -> bool:
    """Whether the network's output layer gives three class logits."""
    return int(keras_model.get_layer("output").kernel.shape[1]) == 3


def keras_outputs(keras_model, texts: tf.Tensor) -> dict[str, tf.Tensor]:
    """Raw outputs: ``logits`` [batch, 3] of a three-class network, else the pre-sigmoid
    ``logit`` [batch] and, if the network has one, ``presence`` [batch]."""
    embedding, hidden = keras_model.get_layer("embedding"), keras_model.get_layer("hidden")
    pooled = embedding(texts)
    features = hidden(pooled)
    output = keras_model.get_layer("output")
    if int(output.kernel.shape[0]) != int(hidden.kernel.shape[1]):  # a skip connection
        features = tf.concat([features, pooled], axis=1)
    if is_three_class(keras_model):
        out = {"logits": tf.matmul(features, output.kernel) + output.bias}
        frozen = frozen_columns(keras_model)
        if frozen:  # lexicon evidence: the largest pooled lexicon column (0: no lexicon word)
            out["evidence"] = tf.reduce_max(pooled[:, -frozen:], axis=1)
        return out
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
        if "logits" in raw:
            probabilities = tf.nn.softmax(raw["logits"] / self.temperature, axis=-1)
            served = {
                "logits": raw["logits"],
                "probabilities": probabilities,
                "p_positive": probabilities[:, 1],
            }
            if "evidence" in raw:
                served["evidence"] = raw["evidence"]
            return served
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
    trained = [w for w in embedding.trainable_weights if len(w.shape) == 2]
    frozen = [w for w in embedding.non_trainable_weights if len(w.shape) == 2]
    if len(trained) != 1 or len(frozen) > 1:
        raise ValueError(
            f"expected one trainable embedding matrix (and at most one frozen one) in the hub "
            f"layer, found {len(trained)} and {len(frozen)}"
        )
    # The module appends the frozen columns (e.g. lexicon valence) after the trained ones.
    matrix = np.concatenate([w.numpy() for w in trained + frozen], axis=1)
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
        frozen_columns=int(sum(w.shape[1] for w in frozen)),
        presence_bias=presence.bias.numpy() if presence is not None else None,
    )


def certify(
    portable: PortableNetwork,
    saved_model_dir: Path,
    texts: Sequence[str],
    rule: NeutralRule | DecisionRule | None = None,
) -> dict:
    """Score texts + hard cases with both runtimes; certified iff every probability differs by
    <= 1e-5 and every label agrees, except at a tie: a text whose scores sit so close to the
    decision boundary that the runtimes' measured difference could move it (within the parity
    tolerance) may get either label. Deterministic: the same inputs give the same verdict."""
    from model.serving.lite import LiteNetwork
    from model.serving.tf_runtime import SavedModelScorer

    cases = list(texts) + hard_cases()
    tf_out = SavedModelScorer(saved_model_dir).outputs(cases)
    lite = LiteNetwork(portable)
    lite_logit, lite_presence, lite_evidence = lite.forward(cases)
    if lite.three_class != ("logits" in tf_out) or (lite_evidence is None) != (
        "evidence" not in tf_out
    ):
        return {"certified": False, "reason": "the runtimes disagree on the number of outputs"}
    if lite.three_class:
        evidence = (tf_out.get("evidence"), lite_evidence)
        return _certify_classes(portable, tf_out, lite_logit, cases, len(texts), rule, evidence)
    lite_p = lite.p_positive_from(lite_logit)
    diff = np.abs(tf_out["p_positive"] - lite_p)
    neutral = rule if isinstance(rule, NeutralRule) else None
    if lite_presence is not None or "p_presence" in tf_out:
        if lite_presence is None or "p_presence" not in tf_out:
            return {"certified": False, "reason": "only one runtime has the presence output"}
        from model.serving.postprocess import sigmoid

        diff = np.maximum(diff, np.abs(tf_out["p_presence"] - sigmoid(lite_presence)))
    tf_labels = labels(
        to_predictions(tf_out["logit"], portable.temperature, neutral, tf_out.get("presence_logit"))
    )
    lite_labels = labels(to_predictions(lite_logit, portable.temperature, neutral, lite_presence))
    # Each label is a threshold on one probability: runtimes within the tolerance that still
    # disagree have a threshold between their two values, so the text is a tie.
    tolerated = diff <= PARITY_TOLERANCE
    compared = ["p_positive", "labels"] + (["p_presence"] if lite_presence is not None else [])
    return _verdict(diff, tf_labels, lite_labels, tolerated, cases, len(texts), rule, compared)


def _certify_classes(
    portable, tf_out, lite_logits, cases, validation_texts, rule, evidence=(None, None)
) -> dict:
    decision = rule if isinstance(rule, DecisionRule) else DecisionRule()
    tf_evidence, lite_evidence = evidence
    tf_log_p = log_softmax(tf_out["logits"], portable.temperature)
    lite_log_p = log_softmax(lite_logits, portable.temperature)
    diff = np.abs(np.exp(tf_log_p) - np.exp(lite_log_p)).max(axis=1)
    if tf_evidence is not None and lite_evidence is not None:
        diff = np.maximum(diff, np.abs(tf_evidence - lite_evidence))
    tf_labels = labels(
        class_predictions(tf_out["logits"], portable.temperature, decision, tf_evidence)
    )
    lite_labels = labels(
        class_predictions(lite_logits, portable.temperature, decision, lite_evidence)
    )
    # If no score moves by more than e between the runtimes, a label can only differ where the
    # best and runner-up scores are within 2e: a tie at the boundary, not a disagreement.
    moved = np.abs(tf_log_p - lite_log_p).max(axis=1)
    margin = np.minimum(
        decision.margins(tf_log_p, tf_evidence), decision.margins(lite_log_p, lite_evidence)
    )
    tolerated = margin <= 2 * moved + 1e-12
    return _verdict(
        diff,
        tf_labels,
        lite_labels,
        tolerated,
        cases,
        validation_texts,
        rule,
        ["probabilities", "labels"],
    )


def _verdict(diff, tf_labels, lite_labels, tolerated, cases, validation_texts, rule, compared):
    differs = np.array([a != b for a, b in zip(tf_labels, lite_labels, strict=True)], dtype=bool)
    disagreements = int((differs & ~tolerated).sum())
    ties = int((differs & tolerated).sum())
    worst = int(np.argmax(diff)) if len(diff) else 0
    max_diff = float(diff.max()) if len(diff) else 0.0
    certified = bool(max_diff <= PARITY_TOLERANCE and disagreements == 0)
    result = {
        "certified": certified,
        "tolerance": PARITY_TOLERANCE,
        "max_abs_diff_p_positive": max_diff,
        "label_disagreements": disagreements,
        "ties_at_a_threshold": ties,
        "texts_compared": len(cases),
        "validation_texts": validation_texts,
        "hard_cases": len(cases) - validation_texts,
        "outputs_compared": compared,
        "neutral_rule": rule.to_json() if rule else None,
    }
    if not certified:
        first = int(np.argmax(differs & ~tolerated)) if disagreements else worst
        result["reason"] = (
            f"largest |dP| {max_diff:.3g} (tolerance {PARITY_TOLERANCE:g}) "
            f"and {disagreements} label disagreements beyond a tie; e.g. the text starting "
            f"{cases[first][:60]!r}"
        )
    return result


def export_portable(
    keras_model,
    module_dir: Path | None,
    temperature: float,
    out_dir: Path,
    parity_texts: Sequence[str],
    rule: NeutralRule | DecisionRule | None = None,
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


def export_model(
    keras_model,
    module_dir: Path | None,
    temperature: float,
    out_dir: Path,
    parity_texts: Sequence[str],
    rule: NeutralRule | DecisionRule | None = None,
    require_certified: bool = True,
) -> dict:
    """Steps 6 and 7, certify and export: the SavedModel, then the portable form if it is
    certified against it. An uncertified model raises :class:`CertificationError` with the
    reason (the directory gets no manifest, so nothing serves it by mistake) unless
    ``require_certified`` is off."""
    out_dir.mkdir(parents=True, exist_ok=True)
    print(f"exporting the SavedModel to {out_dir / SAVED_MODEL}", flush=True)
    save_serving_model(keras_model, temperature, out_dir)
    print(f"certifying the portable NumPy runtime on {len(parity_texts):,} texts", flush=True)
    certificate = export_portable(
        keras_model, module_dir, temperature, out_dir, parity_texts=parity_texts, rule=rule
    )
    if require_certified and not certificate.get("certified"):
        raise CertificationError(
            "the portable (NumPy) runtime was NOT certified, so this model could only be served "
            f"with TensorFlow: {certificate.get('reason', 'no reason recorded')}. Nothing was "
            "marked complete in the output directory; pass --allow-uncertified to keep such a "
            "model anyway."
        )
    return certificate
