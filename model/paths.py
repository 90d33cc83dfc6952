"""Default locations, each overridable from the environment."""

from __future__ import annotations

import os
from pathlib import Path

GNEWS_SWIVEL_HANDLE = "https://tfhub.dev/google/tf2-preview/gnews-swivel-20dim/1"
DEFAULT_EMBEDDING_DIR = Path("artifacts/embedding")
DEFAULT_MODEL_DIR = Path("artifacts/model")


def default_model_dir() -> Path:
    """env MODEL_DIR, else ./artifacts/model."""
    return Path(os.environ.get("MODEL_DIR") or DEFAULT_MODEL_DIR)


def default_embedding_handle() -> str:
    """env EMBEDDING_HANDLE, else Google's gnews-swivel-20dim on tfhub.dev."""
    return os.environ.get("EMBEDDING_HANDLE") or GNEWS_SWIVEL_HANDLE
