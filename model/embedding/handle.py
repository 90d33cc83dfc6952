"""Resolve the text-embedding handle: a TF Hub URL, a Kaggle handle or a local SavedModel dir."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from model.serving.errors import EmbeddingUnavailableError

log = logging.getLogger(__name__)

GNEWS_SWIVEL_HANDLE = "https://tfhub.dev/google/tf2-preview/gnews-swivel-20dim/1"
DEFAULT_EMBEDDING_DIR = Path("artifacts/embedding")


def default_embedding_handle() -> str:
    """env EMBEDDING_HANDLE, else Google's gnews-swivel-20dim on tfhub.dev."""
    return os.environ.get("EMBEDDING_HANDLE") or GNEWS_SWIVEL_HANDLE


def _is_module_dir(path: Path) -> bool:
    return (path / "saved_model.pb").is_file()


def resolve_embedding(handle: str, explicit: bool) -> tuple[str, Path]:
    """Return (handle to use, local module directory).

    A handle that cannot be fetched ends in EmbeddingUnavailableError naming the offline module.
    Only when the handle is the *default* one (not given on the command line or in the env) and
    the offline module has been built, training falls back to it, and says so loudly.
    """
    local = Path(handle).expanduser()
    if local.exists():
        if not _is_module_dir(local):
            raise EmbeddingUnavailableError(
                f"{local} is not a SavedModel directory (no saved_model.pb). " + _offline_hint()
            )
        return str(local), local
    try:
        import tensorflow_hub as hub

        return handle, Path(hub.resolve(handle))
    except Exception as error:  # URLError, HTTPError, ValueError for malformed handles, ...
        if not explicit and _is_module_dir(DEFAULT_EMBEDDING_DIR):
            log.warning(
                "could not fetch %s (%s); using the offline embedding module at %s "
                "instead (built by `python -m model.embedding`)",
                handle,
                type(error).__name__,
                DEFAULT_EMBEDDING_DIR,
            )
            return str(DEFAULT_EMBEDDING_DIR), DEFAULT_EMBEDDING_DIR
        raise EmbeddingUnavailableError(
            f"could not load the text embedding {handle!r} ({type(error).__name__}: "
            f"{str(error)[:160]}). " + _offline_hint()
        ) from error


def _offline_hint() -> str:
    return (
        "Without access to tfhub.dev / Kaggle, build the offline module with "
        "`python -m model.embedding --data-dir ../shared/data/tfds` (writes "
        f"{DEFAULT_EMBEDDING_DIR}) and train with `--embedding {DEFAULT_EMBEDDING_DIR}` "
        "(or env EMBEDDING_HANDLE). A module already downloaded elsewhere can be given as a "
        "local directory, or cached via TFHUB_CACHE_DIR."
    )
