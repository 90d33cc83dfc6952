"""The portable form of a trained network: plain files that NumPy alone can run.

``portable/`` holds ``weights.npz`` (embedding matrix with OOV rows, Dense kernels and biases,
and the optional presence output's),
``vocabulary.txt``, ``tokenizer.json`` and ``portable.json`` (temperature, certificate).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from model.serving.artifact import read_json, write_json
from model.serving.tokenizer import TOKENIZER_FILENAME, TokenizerSpec, gnews_swivel_spec

WEIGHTS = "weights.npz"
DESCRIPTION = "portable.json"
VOCABULARY = "vocabulary.txt"


@dataclass
class PortableNetwork:
    """Everything the forward pass needs."""

    spec: TokenizerSpec
    vocabulary: list[str]
    embeddings: np.ndarray  # [vocabulary + OOV buckets, dim]
    hidden_kernel: np.ndarray
    hidden_bias: np.ndarray
    output_kernel: np.ndarray
    output_bias: np.ndarray
    temperature: float = 1.0
    # The optional second output ("does the text express any sentiment?"), Dense(1) on hidden.
    presence_kernel: np.ndarray | None = None
    presence_bias: np.ndarray | None = None
    #: The last columns of ``embeddings`` that are a frozen lexicon channel (0: none).
    frozen_columns: int = 0

    def save(self, directory: Path, certificate: dict) -> None:
        directory = Path(directory)
        if directory.exists():
            shutil.rmtree(directory)
        directory.mkdir(parents=True)
        arrays: dict[str, Any] = {
            "embeddings": self.embeddings,
            "hidden_kernel": self.hidden_kernel,
            "hidden_bias": self.hidden_bias,
            "output_kernel": self.output_kernel,
            "output_bias": self.output_bias,
        }
        if self.presence_kernel is not None:
            arrays.update(presence_kernel=self.presence_kernel, presence_bias=self.presence_bias)
        np.savez(directory / WEIGHTS, **arrays)
        (directory / VOCABULARY).write_text(
            "".join(f"{t}\n" for t in self.vocabulary), encoding="utf-8"
        )
        spec = self.spec.to_json_dict()
        spec["vocabulary_file"] = VOCABULARY
        write_json(directory / TOKENIZER_FILENAME, spec)
        write_json(
            directory / DESCRIPTION,
            {
                "temperature": self.temperature,
                "frozen_columns": self.frozen_columns,
                "certificate": certificate,
            },
        )

    @classmethod
    def load(cls, directory: Path) -> PortableNetwork:
        directory = Path(directory)
        spec = TokenizerSpec.from_json_dict(read_json(directory / TOKENIZER_FILENAME))
        with np.load(directory / WEIGHTS) as weights:
            arrays = {k: weights[k] for k in weights.files}
        vocabulary = (directory / VOCABULARY).read_text(encoding="utf-8").split("\n")[:-1]
        description = read_json(directory / DESCRIPTION)
        return cls(
            spec=spec,
            vocabulary=vocabulary,
            temperature=description["temperature"],
            frozen_columns=int(description.get("frozen_columns", 0)),
            **arrays,
        )


def read_module_tokenizer(module_dir: Path, embedding_rows: int) -> tuple[TokenizerSpec, list[str]]:
    """Tokenizer spec and vocabulary of a hub module directory.

    Modules built by ``model.embedding`` record ``assets/tokenizer.json``; a module that records
    none (Google's gnews-swivel) is assumed to follow its documented behaviour, with as many OOV
    buckets as the embedding has rows beyond the vocabulary.
    """
    assets = Path(module_dir) / "assets"
    if (assets / TOKENIZER_FILENAME).is_file():
        spec = TokenizerSpec.from_json_dict(read_json(assets / TOKENIZER_FILENAME))
    else:
        spec = gnews_swivel_spec()
    vocab_path = assets / spec.vocabulary_file
    if not vocab_path.is_file():
        raise FileNotFoundError(f"{module_dir} has no vocabulary file {vocab_path.name}")
    vocabulary = vocab_path.read_text(encoding="utf-8").split("\n")
    if vocabulary and vocabulary[-1] == "":
        vocabulary.pop()
    buckets = embedding_rows - len(vocabulary)
    if buckets != spec.num_oov_buckets:
        if buckets < 0:
            raise ValueError(f"embedding has {embedding_rows} rows for {len(vocabulary)} tokens")
        spec = TokenizerSpec.from_json_dict({**spec.to_json_dict(), "num_oov_buckets": buckets})
    return spec, vocabulary
