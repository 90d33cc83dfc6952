"""A TF Hub-format text-embedding module with the same contract as gnews-swivel-20dim.

1-D batch of strings in, ``[batch, dim]`` float32 out; tokens looked up in a vocabulary with OOV
hash buckets (``StaticVocabularyTable``, Fingerprint64); sqrtn combiner. The module saves
``variables`` / ``trainable_variables`` so ``hub.KerasLayer(trainable=True)`` fine-tunes it, and
records its tokenizer in ``assets/tokenizer.json`` so other runtimes can reproduce it.

A module may also carry a *frozen* matrix (e.g. lexicon valence per token): it is gathered with
the same ids and appended to the output columns, but is not among ``trainable_variables``, so
fine-tuning leaves it as it was written.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import tensorflow as tf

from model.serving.tokenizer import TOKENIZER_FILENAME, TokenizerSpec, re2_literal


def tf_words(spec: TokenizerSpec, sentences: tf.Tensor) -> tf.RaggedTensor:
    """The spec's normalisation and split with TensorFlow string ops: ragged [batch, (words)]."""
    text = tf.reshape(sentences, [-1])
    if spec.lowercase:
        text = tf.strings.lower(text)
    for literal, rewrite in spec.substitutions:
        text = tf.strings.regex_replace(text, re2_literal(literal), _re2_rewrite(rewrite))
    for pattern, rewrite in spec.replacements:
        text = tf.strings.regex_replace(text, pattern, rewrite)
    if spec.split == "whitespace":
        return tf.strings.split(text)
    if spec.split == "space":
        tokens = tf.strings.split(text, " ")
        return tf.ragged.boolean_mask(tokens, tf.not_equal(tokens, ""))
    raise ValueError(f"unknown split mode {spec.split!r}")


def _re2_rewrite(text: str) -> str:
    """A literal rewrite string for regex_replace (backslash is its only special character)."""
    return text.replace("\\", "\\\\")


def tf_tokenize(spec: TokenizerSpec, sentences: tf.Tensor) -> tf.RaggedTensor:
    """Run a TokenizerSpec with TensorFlow ops; returns ragged [batch, (tokens)]."""
    words = tf_words(spec, sentences)
    if spec.ngrams == (1,):
        return words
    widths = spec.ngrams[0] if len(spec.ngrams) == 1 else spec.ngrams
    return tf.strings.ngrams(words, widths, separator=spec.ngram_separator)


def sqrtn_combine(vectors: tf.RaggedTensor, counts: tf.Tensor) -> tf.Tensor:
    """Sum of token vectors divided by sqrt(token count); an empty text gives the zero vector."""
    sums = tf.reduce_sum(vectors, axis=1)
    scale = tf.math.rsqrt(tf.maximum(tf.cast(counts, tf.float32), 1.0))
    return sums * scale[:, tf.newaxis]


class TextEmbeddingModule(tf.train.Checkpoint):
    """The exported object. Subclassing Checkpoint (not tf.Module) lets us set `variables`."""

    def __init__(
        self,
        vocabulary_path: str,
        tokenizer_path: str,
        embeddings: np.ndarray,
        spec: TokenizerSpec,
        frozen: np.ndarray | None = None,
    ) -> None:
        super().__init__()
        self._spec = spec
        self.vocabulary_file = tf.saved_model.Asset(vocabulary_path)
        self.tokenizer_file = tf.saved_model.Asset(tokenizer_path)
        initializer = tf.lookup.TextFileInitializer(
            self.vocabulary_file,
            key_dtype=tf.string,
            key_index=tf.lookup.TextFileIndex.WHOLE_LINE,
            value_dtype=tf.int64,
            value_index=tf.lookup.TextFileIndex.LINE_NUMBER,
        )
        self._table = tf.lookup.StaticVocabularyTable(initializer, spec.num_oov_buckets)
        self.embeddings = tf.Variable(embeddings.astype(np.float32), name="embeddings")
        self.variables = [self.embeddings]
        self.trainable_variables = [self.embeddings]
        if frozen is not None:
            self.frozen = tf.Variable(frozen.astype(np.float32), trainable=False, name="frozen")
            self.variables = [self.embeddings, self.frozen]
        self.regularization_losses = []

    def _rows_with_frozen(self, ids: tf.Tensor) -> tf.Tensor:
        return tf.concat([tf.gather(self.embeddings, ids), tf.gather(self.frozen, ids)], axis=1)

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string)])
    def __call__(self, sentences: tf.Tensor) -> tf.Tensor:
        tokens = tf_tokenize(self._spec, sentences)
        ids = tf.ragged.map_flat_values(self._table.lookup, tokens)
        if hasattr(self, "frozen"):
            vectors = tf.ragged.map_flat_values(self._rows_with_frozen, ids)
        else:
            vectors = tf.ragged.map_flat_values(tf.gather, self.embeddings, ids)
        return sqrtn_combine(vectors, ids.row_lengths())


def save_module(
    out_dir: Path,
    vocabulary: Sequence[str],
    vectors: np.ndarray,
    spec: TokenizerSpec,
    oov_vectors: np.ndarray | None = None,
    frozen: np.ndarray | None = None,
) -> Path:
    """Write a hub-format SavedModel: vocabulary rows, then ``spec.num_oov_buckets`` OOV rows.

    ``frozen``: optional extra columns, one row per vocabulary entry AND OOV bucket (not trained).
    """
    vocabulary = list(vocabulary)
    if len(vocabulary) != len(vectors):
        raise ValueError("one vector per vocabulary entry is required")
    if len(set(vocabulary)) != len(vocabulary):
        raise ValueError("vocabulary entries must be unique")
    if any(("\n" in t or "\r" in t or not t) for t in vocabulary):
        raise ValueError("vocabulary entries must be non-empty single-line strings")
    dim = vectors.shape[1]
    if oov_vectors is None:
        oov_vectors = np.zeros([spec.num_oov_buckets, dim], np.float32)
    matrix = np.concatenate([vectors, oov_vectors]).astype(np.float32)
    if frozen is not None and frozen.shape[0] != matrix.shape[0]:
        raise ValueError(f"frozen columns need {matrix.shape[0]} rows, got {frozen.shape[0]}")

    out_dir = Path(out_dir)
    with tempfile.TemporaryDirectory() as staging:
        vocab_path = Path(staging) / spec.vocabulary_file
        vocab_path.write_text("".join(f"{t}\n" for t in vocabulary), encoding="utf-8")
        tokenizer_path = Path(staging) / TOKENIZER_FILENAME
        record = spec.to_json_dict()
        record.update(vocabulary_size=len(vocabulary), dim=int(dim))
        if frozen is not None:
            record.update(frozen_columns=int(frozen.shape[1]))
        tokenizer_path.write_text(json.dumps(record, indent=2), encoding="utf-8")
        module = TextEmbeddingModule(
            str(vocab_path), str(tokenizer_path), matrix, spec, frozen=frozen
        )
        tf.saved_model.save(module, str(out_dir))
    return out_dir
