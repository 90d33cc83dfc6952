"""The lightweight runtime: the trained network's forward pass in NumPy, no TensorFlow.

It must reproduce TensorFlow exactly, so each step mirrors an op in the exported graph:
tokenizer spec -> vocabulary lookup, unknown tokens to ``vocab + Fingerprint64(token) % buckets``
(what ``tf.lookup.StaticVocabularyTable`` does; pyfarmhash computes the same Fingerprint64) ->
sqrtn combiner -> Dense(16, relu) -> Dense(3) class logits (or, for older models, Dense(1) and
an optional Dense(1) presence output) -> ``model.serving.postprocess`` (temperature, softmax or
sigmoid, the decision rule), shared with TensorFlow.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import farmhash
import numpy as np

from model.serving.explain import WordEffect, explain
from model.serving.portable import PortableNetwork
from model.serving.postprocess import (
    DecisionRule,
    NeutralRule,
    class_predictions,
    to_predictions,
)
from model.serving.postprocess import p_positive as calibrated_p
from model.serving.prediction import ModelInfo, Prediction
from model.serving.tokenizer import PythonTokenizer


class LiteNetwork:
    """Computes P(positive) for a batch of texts from a PortableNetwork."""

    def __init__(self, network: PortableNetwork) -> None:
        self.network = network
        self.tokenizer = PythonTokenizer(network.spec)
        self.index = {token: i for i, token in enumerate(network.vocabulary)}
        self.vocab_size = len(network.vocabulary)
        self.buckets = network.spec.num_oov_buckets
        # No copy when the weights are float32 already (they are): 6.7 MB for the chat model.
        self.embeddings = np.asarray(network.embeddings, dtype=np.float32)

    def token_id(self, token: str) -> int:
        found = self.index.get(token)
        if found is not None:
            return found
        return self.vocab_size + farmhash.fingerprint64(token) % self.buckets

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.embeddings.shape[1]), dtype=np.float32)
        # token_id inlined: one dict lookup per token, hashing only the unknown ones.
        get, tokenize, fingerprint = self.index.get, self.tokenizer.tokenize, farmhash.fingerprint64
        vocab_size, buckets = self.vocab_size, self.buckets
        for row, text in enumerate(texts):
            ids = [
                i if (i := get(t)) is not None else vocab_size + fingerprint(t) % buckets
                for t in tokenize(text)
            ]
            if ids:
                total = self.embeddings[ids].sum(axis=0, dtype=np.float32)
                out[row] = total * np.float32(1.0 / np.sqrt(np.float32(len(ids))))
        return out

    @property
    def three_class(self) -> bool:
        """Whether the network outputs three class logits (else one polarity logit)."""
        return self.network.output_kernel.shape[1] == 3

    def outputs(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray | None]:
        """Logits ([batch, 3] for a three-class network, else [batch]) and, for an older
        network with a presence output, presence logits."""
        logits, presence, _ = self.forward(texts)
        return logits, presence

    def forward(
        self, texts: Sequence[str]
    ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
        """(logits, presence logits or None, lexicon evidence or None) for a batch."""
        n = self.network
        pooled = self.embed(texts)
        evidence = None
        if n.frozen_columns:
            evidence = pooled[:, -n.frozen_columns :].max(axis=1).astype(np.float64)
        hidden = np.maximum(pooled @ n.hidden_kernel + n.hidden_bias, 0.0)
        if n.output_kernel.shape[0] != n.hidden_kernel.shape[1]:  # the output also sees pooled
            hidden = np.concatenate([hidden, pooled], axis=1)
        if self.three_class:
            return (hidden @ n.output_kernel + n.output_bias).astype(np.float64), None, evidence
        logits = (hidden @ n.output_kernel + n.output_bias)[:, 0].astype(np.float64)
        if n.presence_kernel is None or n.presence_bias is None:
            return logits, None, evidence
        presence = (hidden @ n.presence_kernel + n.presence_bias)[:, 0].astype(np.float64)
        return logits, presence, evidence

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        return self.outputs(texts)[0]

    def p_positive_from(self, logits: np.ndarray) -> np.ndarray:
        if self.three_class:
            from model.serving.postprocess import class_probabilities

            return class_probabilities(logits, self.network.temperature)[:, 1]
        return calibrated_p(logits, self.network.temperature)

    def p_positive(self, texts: Sequence[str]) -> np.ndarray:
        return self.p_positive_from(self.logits(texts))


class LiteClassifier:
    """model.load()'s classifier when the artifact carries a certified portable form."""

    def __init__(
        self, directory: Path, info: ModelInfo, rule: NeutralRule | DecisionRule | None = None
    ) -> None:
        self.network = LiteNetwork(PortableNetwork.load(directory))
        self.info = info
        self.rule = rule

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        if isinstance(texts, str):
            texts = [texts]
        logits, presence, evidence = self.network.forward(list(texts))
        temperature = self.network.network.temperature
        if self.network.three_class:
            rule = self.rule if isinstance(self.rule, DecisionRule) else None
            return class_predictions(logits, temperature, rule, evidence)
        neutral = self.rule if isinstance(self.rule, NeutralRule) else None
        return to_predictions(logits, temperature, neutral, presence)

    def explain(self, text: str, top: int = 5) -> list[WordEffect]:
        """Which words moved the answer (leave-one-out; see ``model.serving.explain``)."""
        return explain(self, text, top)
