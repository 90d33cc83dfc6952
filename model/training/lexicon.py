"""Lexicon evidence (VADER) for pseudo-neutral rows: training time only, never served.

VADER: Hutto and Gilbert (2014), "VADER: A Parsimonious Rule-based Model for Sentiment Analysis
of Social Media Text", ICWSM 2014 (the ``vaderSentiment`` package, MIT licence).
"""

from __future__ import annotations

import numpy as np

from model.serving.errors import ModelError


def vader_compound(texts: list[str]) -> np.ndarray:
    """VADER's compound score (-1..1) per text."""
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError as error:
        raise ModelError(
            "this recipe marks pseudo-neutral rows with the VADER lexicon, which is not "
            "installed: pip install '.[train]' (or: pip install vaderSentiment)"
        ) from error
    analyzer = SentimentIntensityAnalyzer()
    return np.array([analyzer.polarity_scores(t)["compound"] for t in texts], dtype=np.float64)


def no_lexicon_evidence(texts: list[str], max_abs_compound: float) -> np.ndarray:
    """True where VADER finds (almost) no sentiment words: |compound| < ``max_abs_compound``."""
    if not texts:
        return np.zeros(0, dtype=bool)
    return np.abs(vader_compound(texts)) < max_abs_compound


#: VADER's own scale: valences run -4..4; a negated word counts -0.74 times (its N_SCALAR).
VALENCE_SCALE = 4.0
NEGATION_SCALAR = -0.74
LEXICON_COLUMNS = ("lexicon_positive", "lexicon_negative")


def vader_lexicon() -> dict[str, float]:
    """VADER's word -> valence table, restricted to words the tokenizers keep whole."""
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError as error:
        raise ModelError(
            "this recipe gives the embedding module a lexicon channel from VADER, which is not "
            "installed: pip install '.[train]' (or: pip install vaderSentiment)"
        ) from error
    table = SentimentIntensityAnalyzer().lexicon
    words = {}
    for key, value in table.items():
        word = key.replace("'", "").lower()
        if word.isascii() and word.isalnum():
            words.setdefault(word, float(value))
    return words


def lexicon_tokens(lexicon: dict[str, float], negated_prefix: str | None) -> list[str]:
    """Every lexicon word, and its negated form when the tokenizer marks negation scope."""
    words = sorted(lexicon)
    return words + ([negated_prefix + w for w in words] if negated_prefix else [])


def lexicon_columns(
    tokens: list[str], lexicon: dict[str, float], negated_prefix: str | None, rows: int
) -> np.ndarray:
    """[rows, 2] frozen channel: (positive, negative) valence / 4 per vocabulary token; a token in
    a negation scope gets the word's valence times -0.74; n-grams and OOV rows get zeros (the
    words of an n-gram are already counted as words)."""
    out = np.zeros((rows, len(LEXICON_COLUMNS)), dtype=np.float32)
    for index, token in enumerate(tokens):
        value = lexicon.get(token)
        if value is None and negated_prefix and token.startswith(negated_prefix):
            base = lexicon.get(token[len(negated_prefix) :])
            value = None if base is None else NEGATION_SCALAR * base
        if value:
            out[index, 0 if value > 0 else 1] = abs(value) / VALENCE_SCALE
    return out
