"""Synthetic training rows that teach what a negator does to a sentiment word.

The corpora rarely negate a strong word ("not the worst", "can't complain"), so a model learns
that "not" and "can't" simply mean negative. These rows, made at training time from VADER's
lexicon (Hutto and Gilbert 2014, MIT licence), put every clearly positive or negative lexicon
word in a few negated templates and label it the way VADER's own rule reads it: a negated
negative word leans positive, a negated positive word negative. They are polar-only rows
(they say nothing about "no clear sentiment") and never appear in any validation split.
"""

from __future__ import annotations

import numpy as np

from model.training.corpora import NEGATIVE, POSITIVE

NAME = "negation_templates"
MIN_VALENCE = 1.5
TEMPLATES = (
    "not {w}",
    "not the {w}",
    "not so {w}",
    "it is not {w}",
    "this is not {w}",
    "it wasn't {w}",
    "isn't {w}",
    "never {w}",
    "don't {w}",
    "i don't {w} it",
    "can't {w}",
    "no {w}",
    "nothing {w}",
    "not {w} at all",
    "not really {w}",
)


def negation_rows(seed: int, per_word: int = len(TEMPLATES)) -> tuple[list[str], np.ndarray]:
    """(texts, label codes): ``per_word`` seeded templates for each strong lexicon word."""
    from model.training.lexicon import vader_lexicon

    lexicon = vader_lexicon()
    rng = np.random.RandomState(seed)
    texts: list[str] = []
    labels: list[int] = []
    for word in sorted(lexicon):
        valence = lexicon[word]
        if abs(valence) < MIN_VALENCE:
            continue
        for index in rng.choice(len(TEMPLATES), size=per_word, replace=False):
            texts.append(TEMPLATES[index].format(w=word))
            labels.append(POSITIVE if valence < 0 else NEGATIVE)
    return texts, np.asarray(labels, dtype=np.int8)
