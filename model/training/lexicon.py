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
