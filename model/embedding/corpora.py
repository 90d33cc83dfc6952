"""Unlabelled text for the embedding: the IMDB ``unsupervised`` split and the team's short-text
corpora, which bring chat-like words and bigrams. The corpora are found and read by the training
data layer (``model.training.corpora``), so both agree on where they live and how they parse."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

CORPORA = ("imdb", "text")


def load_texts(
    corpora: list[str], data_dir: str | None, text_dir: str | None, limit: int | None
) -> tuple[list[str], dict[str, int]]:
    """All unlabelled texts of the requested corpora, and how many came from each source."""
    texts: list[str] = []
    counts: dict[str, int] = {}
    if "imdb" in corpora:
        from model.training.data import load_unsupervised_texts

        log.info("loading the IMDB unsupervised split")
        imdb = load_unsupervised_texts(data_dir, limit)
        texts += imdb
        counts["imdb_unsupervised"] = len(imdb)
    if "text" in corpora:
        from model.training.corpora import corpus_files, read_texts, resolve_text_dir

        directory = resolve_text_dir(text_dir)
        log.info("loading the short-text corpora in %s", directory)
        for name, path in corpus_files(directory).items():
            items = read_texts(path, limit)
            texts += items
            counts[name] = len(items)
    return texts, counts
