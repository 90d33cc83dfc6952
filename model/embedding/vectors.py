"""Word vectors for the offline embedding: PPMI + truncated SVD on unlabeled text, or a file.

PPMI-SVD (Levy, Goldberg & Dagan 2015) needs no network and no GPU: count co-occurrences within
a small window, take positive pointwise mutual information with context-distribution smoothing,
and keep the top singular directions. On the 50,000 unlabeled IMDB reviews it takes about a
minute on two cores.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from model.serving.tokenizer import PythonTokenizer, add_ngrams

log = logging.getLogger(__name__)


def build_vocabulary(token_lists: Iterable[list[str]], size: int, min_count: int = 2) -> list[str]:
    """The ``size`` most frequent tokens (ties broken alphabetically, so builds are repeatable)."""
    counts: Counter[str] = Counter()
    for tokens in token_lists:
        counts.update(tokens)
    ranked = sorted((t for t, c in counts.items() if c >= min_count), key=lambda t: (-counts[t], t))
    return ranked[:size]


def document_frequency_vocabulary(
    token_lists: Iterable[list[str]], size: int, min_df: int = 3
) -> list[str]:
    """The ``size`` tokens (words and n-grams alike) found in the most texts, at least ``min_df``.

    Document frequency rather than raw counts, so one review repeating a phrase 30 times does
    not buy it a row; ties alphabetical, so builds are repeatable.
    """
    counts: Counter[str] = Counter()
    for tokens in token_lists:
        counts.update(set(tokens))
    ranked = sorted((t for t, c in counts.items() if c >= min_df), key=lambda t: (-counts[t], t))
    return ranked[:size]


def random_vectors(rows: int, dim: int, scale: float, seed: int) -> np.ndarray:
    """N(0, scale) rows: what an embedding learned from scratch during training starts from."""
    return np.random.RandomState(seed).normal(0, scale, size=(rows, dim)).astype(np.float32)


def cooccurrence_matrix(token_lists: list[list[str]], vocabulary: list[str], window: int):
    """Symmetric co-occurrence counts within ``window`` tokens, weighted 1/distance (sparse)."""
    from scipy import sparse

    index = {t: i for i, t in enumerate(vocabulary)}
    ids = np.fromiter((index.get(t, -1) for tokens in token_lists for t in tokens), dtype=np.int64)
    doc = np.repeat(np.arange(len(token_lists)), [len(t) for t in token_lists])
    n = len(vocabulary)
    total = sparse.csr_matrix((n, n), dtype=np.float64)
    for distance in range(1, window + 1):
        left, right = ids[:-distance], ids[distance:]
        keep = (left >= 0) & (right >= 0) & (doc[:-distance] == doc[distance:])
        rows, cols = left[keep], right[keep]
        weights = np.full(rows.shape, 1.0 / distance)
        pairs = sparse.coo_matrix((weights, (rows, cols)), shape=(n, n)).tocsr()
        total = total + pairs + pairs.T
    return total


def ppmi_svd_vectors(counts, dim: int, smoothing: float = 0.75, seed: int = 0) -> np.ndarray:
    """PPMI with context smoothing, then rank-``dim`` SVD; rows scaled to unit length."""
    from scipy import sparse
    from scipy.sparse.linalg import svds

    counts = sparse.csr_matrix(counts)
    total = counts.sum()
    word_p = np.asarray(counts.sum(axis=1)).ravel() / total
    context = np.asarray(counts.sum(axis=0)).ravel() ** smoothing
    context_p = context / context.sum()
    coo = counts.tocoo()
    pmi = np.log(coo.data / total) - np.log(word_p[coo.row]) - np.log(context_p[coo.col])
    keep = pmi > 0
    ppmi = sparse.csr_matrix((pmi[keep], (coo.row[keep], coo.col[keep])), shape=counts.shape)
    rng = np.random.RandomState(seed)
    v0 = rng.uniform(-1, 1, size=min(ppmi.shape))
    u, s, _ = svds(ppmi, k=dim, v0=v0)
    order = np.argsort(-s)
    vectors = u[:, order] * np.sqrt(s[order])
    # Fix each direction's sign (SVD is sign-ambiguous) so builds are byte-for-byte repeatable.
    signs = np.sign(vectors[np.abs(vectors).argmax(axis=0), np.arange(dim)])
    vectors *= np.where(signs == 0, 1.0, signs)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-8)).astype(np.float32)


def train_vectors(
    texts: Iterable[str],
    tokenizer: PythonTokenizer,
    vocab_size: int,
    dim: int,
    window: int = 5,
    seed: int = 0,
) -> tuple[list[str], np.ndarray]:
    """Vocabulary and PPMI-SVD vectors of words (unigrams) learned from unlabeled texts."""
    token_lists = [tokenizer.words(t) for t in texts]
    log.info("tokenized %d texts (%d tokens)", len(token_lists), sum(map(len, token_lists)))
    vocabulary = build_vocabulary(token_lists, vocab_size)
    log.info("vocabulary: %d tokens; counting co-occurrences (window %d)", len(vocabulary), window)
    counts = cooccurrence_matrix(token_lists, vocabulary, window)
    log.info("factorizing PPMI matrix (%d non-zeros) to %d dims", counts.nnz, dim)
    return vocabulary, ppmi_svd_vectors(counts, dim, seed=seed)


def _vector_lines(path: Path) -> Iterator[list[str]]:
    with open(path, encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle):
            parts = line.rstrip("\n").rstrip().split(" ")
            if number == 0 and len(parts) == 2 and all(p.isdigit() for p in parts):
                continue  # word2vec text header: "<count> <dim>"
            if len(parts) >= 2:
                yield parts


def read_vectors_file(
    path: Path, tokenizer: PythonTokenizer, vocab_size: int, dim: int | None = None
) -> tuple[list[str], np.ndarray]:
    """Read GloVe / word2vec text vectors (frequency-ordered), keeping the first ``vocab_size``.

    Words are normalised with the tokenizer; a word that does not come out as exactly one token
    (e.g. it holds punctuation) or repeats an earlier one (after lowercasing) is skipped.
    """
    vocabulary: list[str] = []
    rows: list[np.ndarray] = []
    seen: set[str] = set()
    for parts in _vector_lines(Path(path)):
        word, values = parts[0], parts[1:]
        if dim is not None and len(values) != dim:
            if not rows:
                raise ValueError(f"{path}: vectors have {len(values)} dims, --dim asked {dim}")
            continue
        tokens = tokenizer.words(word)
        if len(tokens) != 1 or tokens[0] in seen:
            continue
        try:
            rows.append(np.asarray(values, dtype=np.float32))
        except ValueError:
            continue
        seen.add(tokens[0])
        vocabulary.append(tokens[0])
        dim = len(values)
        if len(vocabulary) >= vocab_size:
            break
    if not vocabulary:
        raise ValueError(f"{path}: no usable word vectors found")
    return vocabulary, np.stack(rows)


def ngram_vocabulary(
    word_lists: Iterable[list[str]],
    widths: tuple[int, ...],
    size: int,
    min_count: int = 3,
    separator: str = " ",
) -> list[str]:
    """The ``size`` most frequent n-grams of widths >= 2 (ties alphabetical, so repeatable)."""
    counts: Counter[str] = Counter()
    for words in word_lists:
        counts.update(t for t in add_ngrams(words, widths, separator) if separator in t)
    ranked = sorted((t for t, c in counts.items() if c >= min_count), key=lambda t: (-counts[t], t))
    return ranked[:size]


NGRAM_INITS = ("mean", "random")


def ngram_vectors(
    ngrams: list[str],
    vocabulary: list[str],
    vectors: np.ndarray,
    method: str = "mean",
    seed: int = 0,
    separator: str = " ",
) -> np.ndarray:
    """Starting vectors for n-gram rows, which fine-tuning then specialises.

    ``mean``: the mean of the n-gram's known words' vectors ("not bad" starts between "not" and
    "bad"; small random if none is known). ``random``: small random vectors, so n-grams start
    silent and only learn what the words alone cannot say.
    """
    if method not in NGRAM_INITS:
        raise ValueError(f"unknown n-gram init {method!r} (one of {NGRAM_INITS})")
    rng = np.random.RandomState(seed)
    out = rng.normal(0, 0.01, size=(len(ngrams), vectors.shape[1])).astype(np.float32)
    if method == "random":
        return out
    index = {t: i for i, t in enumerate(vocabulary)}
    for row, ngram in enumerate(ngrams):
        known = [index[w] for w in ngram.split(separator) if w in index]
        if known:
            out[row] = vectors[known].mean(axis=0)
    return out
