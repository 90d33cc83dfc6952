"""Build the offline text-embedding module: ``python -m model.embedding``.

Google's gnews-swivel-20dim cannot be fetched in air-gapped workspaces, so this builds a module
with the same contract from the IMDB ``unsupervised`` split (PPMI + SVD) or from a GloVe /
word2vec text file (``--vectors``). Train with it via ``--embedding artifacts/embedding``.
"""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

from model.embedding.handle import DEFAULT_EMBEDDING_DIR
from model.serving.errors import ModelError, exit_on_model_error
from model.serving.tokenizer import PythonTokenizer, default_spec
from model.training.cli_logging import setup_logging

log = logging.getLogger("model.embedding")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m model.embedding",
        description="Build a TF Hub-format text-embedding module offline.",
    )
    parser.add_argument("--data-dir", help="tensorflow-datasets dir (default: env TFDS_DATA_DIR)")
    parser.add_argument(
        "--vectors",
        type=Path,
        metavar="FILE",
        help="GloVe / word2vec text file to take vectors from instead of PPMI-SVD",
    )
    parser.add_argument("--dim", type=int, default=20, help="vector size (default 20)")
    parser.add_argument("--vocab-size", type=int, default=20_000, help="tokens (default 20000)")
    parser.add_argument(
        "--oov-buckets",
        type=int,
        default=1_000,
        help="hash buckets for unknown tokens (default 1000)",
    )
    parser.add_argument("--window", type=int, default=5, help="PPMI co-occurrence window")
    parser.add_argument("--limit", type=int, help="use only the first N unlabeled reviews")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_EMBEDDING_DIR,
        help=f"output directory (default {DEFAULT_EMBEDDING_DIR})",
    )
    return parser.parse_args(argv)


def build(args: argparse.Namespace) -> Path:
    """Learn or read the vectors, then save the hub module; returns its directory."""
    import numpy as np

    from model.embedding import vectors as vec

    spec = default_spec(num_oov_buckets=args.oov_buckets)
    tokenizer = PythonTokenizer(spec)
    started = time.perf_counter()
    if args.vectors:
        if not args.vectors.is_file():
            raise ModelError(f"--vectors {args.vectors}: no such file")
        log.info("reading word vectors from %s", args.vectors)
        try:
            vocabulary, vectors = vec.read_vectors_file(
                args.vectors, tokenizer, args.vocab_size, args.dim
            )
        except ValueError as error:
            raise ModelError(str(error)) from error
        source = {"vectors_file": str(args.vectors)}
    else:
        from model.training.data import load_unsupervised_texts

        log.info("loading the IMDB unsupervised split")
        texts = load_unsupervised_texts(args.data_dir, args.limit)
        vocabulary, vectors = vec.train_vectors(
            texts, tokenizer, args.vocab_size, args.dim, window=args.window, seed=args.seed
        )
        source = {
            "unlabeled_texts": len(texts),
            "method": "PPMI (alpha 0.75) + truncated SVD",
            "window": args.window,
        }
    spec = default_spec(num_oov_buckets=args.oov_buckets)
    spec.notes.update(source)
    rng = np.random.RandomState(args.seed)
    oov = rng.normal(0, 0.01, size=(args.oov_buckets, vectors.shape[1])).astype(np.float32)

    from model.embedding.hub_module import save_module

    save_module(args.out, vocabulary, vectors, spec, oov_vectors=oov)
    log.info(
        "saved %d tokens x %d dims (+%d OOV buckets) to %s in %.0f s",
        len(vocabulary),
        vectors.shape[1],
        args.oov_buckets,
        args.out,
        time.perf_counter() - started,
    )
    return args.out


@exit_on_model_error
def main(argv: list[str] | None = None) -> int:
    setup_logging()
    out = build(parse_args(argv))
    print(f"embedding module written to {out}; train with: python -m model.train --embedding {out}")
    return 0
