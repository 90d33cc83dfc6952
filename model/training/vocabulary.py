"""The chat recipe's embedding module, made for the run from its TRAINING rows.

Uni+bigram vocabulary by document frequency over the training rows only (validation and test
texts never shape it), random starting vectors, then learned end to end with the dense head.
Saved as an ordinary hub-format module (same contract as any other: strings in, vectors out),
so training, export and both serving runtimes treat it like the tutorial's embedding.
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

from model.training.recipes import TrainedVocabulary

log = logging.getLogger(__name__)


def tokenizer_spec(config: TrainedVocabulary):
    """The recorded tokenizer: the named base spec + emoji table + n-gram widths."""
    from model.serving import tokenizer

    if config.tokenizer == "conversation":
        spec = tokenizer.conversation_spec(num_oov_buckets=config.oov_buckets)
    elif config.tokenizer == "chat":
        spec = tokenizer.chat_spec(num_oov_buckets=config.oov_buckets)
    elif config.tokenizer == "default":
        spec = tokenizer.default_spec(num_oov_buckets=config.oov_buckets)
    else:
        raise ValueError(f"unknown tokenizer {config.tokenizer!r} (conversation, chat or default)")
    substitutions = None
    if config.emoji:
        from model.embedding.normalisation import EMOJI_TABLE

        substitutions = EMOJI_TABLE
    return spec.with_options(ngrams=tuple(config.ngrams), substitutions=substitutions)


def build_module(
    texts: list[str], config: TrainedVocabulary, seed: int, out_dir: Path
) -> tuple[Path, dict]:
    """Write the module to ``out_dir``; returns it and a description for the manifest."""
    from model.embedding.hub_module import save_module
    from model.embedding.vectors import document_frequency_vocabulary, random_vectors
    from model.serving.tokenizer import PythonTokenizer

    started = time.perf_counter()
    spec = tokenizer_spec(config)
    tokenizer = PythonTokenizer(spec)
    print(f"building the vocabulary from {len(texts):,} training rows", file=sys.stderr, flush=True)
    vocabulary = document_frequency_vocabulary(
        (tokenizer.tokenize(t) for t in texts), config.vocab_size, config.min_document_frequency
    )
    frozen, lexicon_added = None, 0
    if config.lexicon:
        vocabulary, frozen, lexicon_added = _with_lexicon(vocabulary, spec, config)
    rows = random_vectors(
        len(vocabulary) + config.oov_buckets, config.dim, config.init_stddev, seed
    )
    vectors, oov = rows[: len(vocabulary)], rows[len(vocabulary) :]
    save_module(out_dir, vocabulary, vectors, spec, oov_vectors=oov, frozen=frozen)
    bigrams = sum(spec.ngram_separator in t for t in vocabulary)
    description = {
        "kind": "trained from scratch with the network",
        "vocabulary": len(vocabulary),
        "bigrams": bigrams,
        "oov_buckets": config.oov_buckets,
        "dim": config.dim,
        "vocabulary_from": f"document frequency over the {len(texts):,} training rows",
        "init": f"N(0, {config.init_stddev})",
        "megabytes": round((len(vocabulary) + config.oov_buckets) * config.dim * 4 / 1e6, 1),
    }
    if frozen is not None:
        from model.training.lexicon import LEXICON_COLUMNS

        description["frozen_columns"] = {
            "columns": list(LEXICON_COLUMNS),
            "source": "VADER lexicon (Hutto and Gilbert 2014, MIT licence): valence / 4, "
            "negated words x -0.74; not trained",
            "lexicon_tokens_added": lexicon_added,
        }
    print(
        f"embedding module: {len(vocabulary):,} tokens ({bigrams:,} bigrams) + "
        f"{config.oov_buckets:,} OOV buckets x {config.dim} dims, "
        f"{time.perf_counter() - started:.0f} s",
        file=sys.stderr,
        flush=True,
    )
    return Path(out_dir), description


def _with_lexicon(vocabulary: list[str], spec, config: TrainedVocabulary):
    """The vocabulary plus every lexicon word (and negated form) it lacks, and the frozen
    lexicon columns for all its rows: a rare lexicon word still carries its valence."""
    from model.serving.tokenizer import NEGATED_PREFIX
    from model.training.lexicon import lexicon_columns, lexicon_tokens, vader_lexicon

    if config.lexicon != "vader":
        raise ValueError(f"unknown lexicon {config.lexicon!r} (only 'vader')")
    lexicon = vader_lexicon()
    prefix = NEGATED_PREFIX if any(NEGATED_PREFIX in r for _, r in spec.replacements) else None
    known = set(vocabulary)
    extra = [t for t in lexicon_tokens(lexicon, prefix) if t not in known]
    vocabulary = vocabulary + extra
    frozen = lexicon_columns(vocabulary, lexicon, prefix, len(vocabulary) + config.oov_buckets)
    return vocabulary, frozen, len(extra)
