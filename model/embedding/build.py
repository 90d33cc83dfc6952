"""Build the offline text-embedding module: ``python -m model.embedding``.

Google's gnews-swivel-20dim cannot be fetched in air-gapped workspaces, so this builds a module
with the same contract from unlabelled text (PPMI + SVD) or from a GloVe / word2vec text file
(``--vectors``). By default it learns 20,000 words from the IMDB ``unsupervised`` split, as the
tutorial recipe expects. For chat, e.g. ``--corpora imdb,text --tokenizer chat --ngrams 2 --emoji
--init random --vocab-size 100000 --dim 16 --oov-buckets 5000`` adds the team's short-text
corpora, adjacent-word bigrams ("not bad"), the emoji / shortcode table and a vocabulary of the
words and bigrams found in the most texts, learned from scratch during training. Train with it
via ``--embedding DIR``.
"""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

from model.embedding.corpora import CORPORA
from model.embedding.handle import DEFAULT_EMBEDDING_DIR
from model.serving.errors import ModelError, exit_on_model_error
from model.serving.tokenizer import PythonTokenizer, TokenizerSpec, chat_spec, default_spec
from model.training.cli_logging import setup_logging

log = logging.getLogger("model.embedding")


def _corpora(value: str) -> list[str]:
    names = [v.strip() for v in value.split(",") if v.strip()]
    unknown = [n for n in names if n not in CORPORA]
    if not names or unknown:
        raise argparse.ArgumentTypeError(f"choose from {', '.join(CORPORA)} (comma-separated)")
    return names


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m model.embedding",
        description="Build a TF Hub-format text-embedding module offline.",
    )
    parser.add_argument("--data-dir", help="tensorflow-datasets dir (default: env TFDS_DATA_DIR)")
    parser.add_argument(
        "--text-dir",
        help="directory of *.jsonl short-text corpora for --corpora text "
        "(default: env TEXT_DATA_DIR, else ../shared/data/text)",
    )
    parser.add_argument(
        "--corpora",
        type=_corpora,
        default=["imdb"],
        help="unlabelled text to learn from: imdb, text or imdb,text (default imdb)",
    )
    parser.add_argument(
        "--vectors",
        type=Path,
        metavar="FILE",
        help="GloVe / word2vec text file to take word vectors from instead of PPMI-SVD",
    )
    parser.add_argument(
        "--tokenizer",
        choices=["default", "chat"],
        default="default",
        help="normalisation rules; chat also turns links into 'url' and drops @mentions",
    )
    parser.add_argument(
        "--init",
        choices=["ppmi", "random"],
        default="ppmi",
        help="ppmi: word vectors from PPMI-SVD (default); random: N(0, --init-scale) rows for "
        "the --vocab-size words and n-grams found in the most texts (needs training to learn)",
    )
    parser.add_argument("--init-scale", type=float, default=0.1, help="for --init random")
    parser.add_argument(
        "--min-df", type=int, default=3, help="for --init random: texts a token must occur in"
    )
    parser.add_argument("--dim", type=int, default=20, help="vector size (default 20)")
    parser.add_argument(
        "--vocab-size",
        type=int,
        default=20_000,
        help="words (ppmi) or words and n-grams together (random) (default 20000)",
    )
    parser.add_argument(
        "--ngrams",
        type=int,
        default=1,
        choices=[1, 2, 3],
        help="longest token n-gram: 2 adds adjacent-word bigrams such as 'not bad' (default 1)",
    )
    parser.add_argument(
        "--ngram-vocab-size",
        type=int,
        default=20_000,
        help="with --init ppmi: most frequent n-grams added when --ngrams > 1 (default 20000)",
    )
    parser.add_argument("--ngram-min-count", type=int, default=3, help="default 3")
    parser.add_argument(
        "--ngram-init",
        choices=["mean", "random"],
        default="mean",
        help="n-gram starting vectors: mean of their words' vectors, or small random",
    )
    parser.add_argument(
        "--emoji",
        action="store_true",
        help="rewrite emoji, Slack :shortcodes: and emoticons as words (recorded in the spec)",
    )
    parser.add_argument(
        "--oov-buckets",
        type=int,
        default=1_000,
        help="hash buckets for unknown tokens (default 1000)",
    )
    parser.add_argument("--window", type=int, default=5, help="PPMI co-occurrence window")
    parser.add_argument("--limit", type=int, help="use only the first N texts of each corpus")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_EMBEDDING_DIR,
        help=f"output directory (default {DEFAULT_EMBEDDING_DIR})",
    )
    return parser.parse_args(argv)


def make_spec(args: argparse.Namespace) -> TokenizerSpec:
    """The tokenizer the module records: the project's default plus the requested options."""
    make = chat_spec if args.tokenizer == "chat" else default_spec
    spec = make(num_oov_buckets=args.oov_buckets)
    substitutions = None
    if args.emoji:
        from model.embedding.normalisation import EMOJI_TABLE

        substitutions = EMOJI_TABLE
    return spec.with_options(ngrams=tuple(range(1, args.ngrams + 1)), substitutions=substitutions)


def build(args: argparse.Namespace) -> Path:
    """Learn or read the vectors, then save the hub module; returns its directory."""
    import numpy as np

    from model.embedding import vectors as vec
    from model.embedding.corpora import load_texts

    spec = make_spec(args)
    tokenizer = PythonTokenizer(spec)
    started = time.perf_counter()
    texts: list[str] = []
    source: dict = {}
    if args.init == "random" and not args.vectors:
        texts, counts = load_texts(args.corpora, args.data_dir, args.text_dir, args.limit)
        log.info("ranking words and n-grams of %d texts by document frequency", len(texts))
        token_lists = (tokenizer.tokenize(t) for t in texts)
        vocabulary = vec.document_frequency_vocabulary(token_lists, args.vocab_size, args.min_df)
        rows = len(vocabulary) + args.oov_buckets
        matrix = vec.random_vectors(rows, args.dim, args.init_scale, args.seed)
        spec.notes.update(
            unlabeled_texts=len(texts),
            corpora=counts,
            method=f"random N(0, {args.init_scale}) init, learned in training",
            vocabulary=f"{len(vocabulary)} tokens by document frequency (min {args.min_df})",
            ngrams_in_vocabulary=sum(spec.ngram_separator in t for t in vocabulary),
        )
        split = len(vocabulary)
        return _save(args, spec, vocabulary, matrix[:split], matrix[split:], started)
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
        if args.ngrams > 1:  # n-grams are counted on the corpora, words come from the file
            texts, counts = load_texts(args.corpora, args.data_dir, args.text_dir, args.limit)
            source["ngram_texts"] = counts
    else:
        texts, counts = load_texts(args.corpora, args.data_dir, args.text_dir, args.limit)
        vocabulary, vectors = vec.train_vectors(
            texts, tokenizer, args.vocab_size, args.dim, window=args.window, seed=args.seed
        )
        source = {
            "unlabeled_texts": len(texts),
            "method": "PPMI (alpha 0.75) + truncated SVD",
            "window": args.window,
        }
        if args.corpora != ["imdb"]:
            source["corpora"] = counts
    if args.ngrams > 1:
        log.info("counting n-grams up to width %d", args.ngrams)
        word_lists = (tokenizer.words(t) for t in texts)
        ngrams = vec.ngram_vocabulary(
            word_lists, spec.ngrams, args.ngram_vocab_size, args.ngram_min_count
        )
        ngram_rows = vec.ngram_vectors(ngrams, vocabulary, vectors, args.ngram_init, args.seed)
        vocabulary = list(vocabulary) + ngrams
        vectors = np.concatenate([vectors, ngram_rows]).astype(np.float32)
        source.update(ngram_vocabulary=len(ngrams), ngram_init=args.ngram_init)
    if args.emoji:
        source["substitutions"] = "emoji, Slack shortcodes and emoticons rewritten as words"
    spec.notes.update(source)
    rng = np.random.RandomState(args.seed)
    oov = rng.normal(0, 0.01, size=(args.oov_buckets, vectors.shape[1])).astype(np.float32)
    return _save(args, spec, vocabulary, vectors, oov, started)


def _save(args, spec, vocabulary, vectors, oov, started: float | None = None) -> Path:
    from model.embedding.hub_module import save_module

    started = time.perf_counter() if started is None else started
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
