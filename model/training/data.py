"""The IMDB reviews through tensorflow-datasets (the tutorial's splits: 60/40 of train, and test).

The text corpora are read by ``model.training.corpora``; ``model.training.mixing`` puts both
together per recipe.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from model.serving.errors import DataUnavailableError

log = logging.getLogger(__name__)

DATASET = "imdb_reviews"
SPLITS = ("train[:60%]", "train[60%:]", "test")


def _team_copies() -> list[Path]:
    """Where the team's prepared copy lives: ``../shared/data/tfds`` of the checkout or cwd."""
    checkout = Path(__file__).resolve().parents[2]
    return [root.parent / "shared" / "data" / "tfds" for root in (checkout, Path.cwd())]


def resolve_data_dir(data_dir: str | os.PathLike | None) -> str | None:
    """--data-dir, else env TFDS_DATA_DIR, else tfds' default; else the team's shared copy.

    The shared copy (``../shared/data/tfds``) is used only when nothing was asked for and
    tensorflow-datasets' own default location holds no prepared IMDB, so that default settings
    work offline on the team's machines; it is logged so nobody wonders where data came from.
    """
    value = data_dir or os.environ.get("TFDS_DATA_DIR") or None
    if value:
        return str(Path(value).expanduser())
    if not _is_prepared(_tfds_default_dir()):
        for candidate in _team_copies():
            if _is_prepared(str(candidate)):
                log.info(
                    "using the prepared IMDB copy at %s (set TFDS_DATA_DIR to change)", candidate
                )
                return str(candidate)
    return None


def _explain(data_dir: str | None, error: Exception) -> DataUnavailableError:
    where = data_dir or "~/tensorflow_datasets (the tensorflow-datasets default)"
    return DataUnavailableError(
        f"the IMDB reviews dataset ('{DATASET}') is not prepared in {where} and could not be "
        "downloaded. Point --data-dir (or env TFDS_DATA_DIR) at a directory that holds "
        f"{DATASET}/plain_text/1.0.0 — on the team's machines that is ../shared/data/tfds — or "
        "run once with network access so tensorflow-datasets can download and prepare it. "
        f"(Underlying error: {type(error).__name__}: {str(error).splitlines()[0][:200]})"
    )


DOWNLOAD_HOST = ("ai.stanford.edu", 80)  # where tensorflow-datasets fetches aclImdb_v1.tar.gz


def _download_host_reachable(timeout: float = 5.0) -> bool:
    """tfds retries unreachable downloads for minutes; find out in seconds instead."""
    import socket

    try:
        with socket.create_connection(DOWNLOAD_HOST, timeout=timeout):
            return True
    except OSError:
        return False


def _load(split, data_dir: str | None, as_supervised: bool):
    import tensorflow_datasets as tfds

    download = data_dir is None or not _is_prepared(data_dir)
    already_prepared = data_dir is None and _is_prepared(_tfds_default_dir())
    if download and not already_prepared and not _download_host_reachable():
        raise _explain(data_dir, ConnectionError(f"{DOWNLOAD_HOST[0]} is unreachable"))
    try:
        return tfds.load(
            DATASET, split=split, as_supervised=as_supervised, data_dir=data_dir, download=download
        )
    except Exception as error:  # tfds raises many types: AssertionError, DatasetNotFoundError, ...
        raise _explain(data_dir, error) from error


def _tfds_default_dir() -> str:
    return str(Path("~/tensorflow_datasets").expanduser())


def _is_prepared(data_dir: str) -> bool:
    return any(Path(data_dir, DATASET).glob("*/*/dataset_info.json"))


def load_splits(data_dir: str | None = None):
    """(train, validation, test) tf.data datasets of (text, label): 15,000 / 10,000 / 25,000."""
    return load_named_splits(list(SPLITS), data_dir)


def load_named_splits(split_names: list[str], data_dir: str | None = None):
    """tf.data datasets of (text, label) for tfds split strings such as ``train[:90%]``."""
    return _load(list(split_names), resolve_data_dir(data_dir), as_supervised=True)


def load_unsupervised_texts(data_dir: str | None = None, limit: int | None = None) -> list[str]:
    """The 50,000 unlabeled reviews as Python strings (embedding pre-training)."""
    import tensorflow_datasets as tfds

    split = "unsupervised" if limit is None else f"unsupervised[:{limit}]"
    dataset = _load(split, resolve_data_dir(data_dir), as_supervised=False)
    return [row["text"].decode("utf-8") for row in tfds.as_numpy(dataset)]


def as_arrays(dataset) -> tuple[list[str], list[int]]:
    """Materialise a (text, label) dataset as Python lists (texts decoded)."""
    import tensorflow_datasets as tfds

    texts, labels = [], []
    for text, label in tfds.as_numpy(dataset):
        texts.append(text.decode("utf-8"))
        labels.append(int(label))
    return texts, labels
