"""Unlabelled text for the embedding: the IMDB ``unsupervised`` split and the team's short-text
corpora (``*.jsonl`` files with a ``text`` field), which bring chat-like words and bigrams."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from model.serving.errors import DataUnavailableError

log = logging.getLogger(__name__)

CORPORA = ("imdb", "text")


def resolve_text_dir(text_dir: str | os.PathLike | None) -> Path:
    """--text-dir, else env TEXT_DATA_DIR, else ``../shared/data/text`` of the checkout or cwd."""
    value = text_dir or os.environ.get("TEXT_DATA_DIR")
    if value:
        return Path(value).expanduser()
    checkout = Path(__file__).resolve().parents[2]
    candidates = [root.parent / "shared" / "data" / "text" for root in (checkout, Path.cwd())]
    for candidate in candidates:
        if any(candidate.glob("*.jsonl")):
            return candidate
    return candidates[0]


def read_text_corpora(text_dir: Path, limit: int | None = None) -> dict[str, list[str]]:
    """Texts of every ``*.jsonl`` file in ``text_dir`` (labels ignored), by file stem."""
    files = sorted(Path(text_dir).glob("*.jsonl"))
    if not files:
        raise DataUnavailableError(
            f"no *.jsonl text corpora in {text_dir}. Point --text-dir (or env TEXT_DATA_DIR) at "
            "a directory of JSON-lines files with a 'text' field -- on the team's machines "
            "../shared/data/text -- or build from IMDB alone with --corpora imdb."
        )
    corpora: dict[str, list[str]] = {}
    for path in files:
        texts = []
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    texts.append(str(json.loads(line)["text"]))
                if limit is not None and len(texts) >= limit:
                    break
        corpora[path.stem] = texts
    return corpora


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
        directory = resolve_text_dir(text_dir)
        log.info("loading the short-text corpora in %s", directory)
        for name, items in read_text_corpora(directory, limit).items():
            texts += items
            counts[name] = len(items)
    return texts, counts
