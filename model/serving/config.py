"""Where serving finds its model: explicit arguments first, the environment only as a fallback.

This is the one place in the model package that reads MODEL_DIR and MODEL_RUNTIME; callers that
know better (the bot's settings, the CLIs' flags) pass their values explicitly.
"""

from __future__ import annotations

import os
from pathlib import Path

from model.serving.artifact import MANIFEST
from model.serving.bundle import BUNDLED_MODEL_DIR

DEFAULT_MODEL_DIR = Path("artifacts/model")


def default_model_dir() -> Path:
    """env MODEL_DIR, else ./artifacts/model: where training writes when given no ``--out``."""
    return Path(os.environ.get("MODEL_DIR") or DEFAULT_MODEL_DIR)


def serving_model_dir() -> Path:
    """What ``model.load()`` serves when given no path: env MODEL_DIR, else ./artifacts/model
    when it holds a trained model, else the model bundled in the package.

    The bundled fallback is what lets a fresh ``pip install .`` (or clone) answer without
    training; a model you built or pointed at always wins over it.
    """
    if os.environ.get("MODEL_DIR"):
        return Path(os.environ["MODEL_DIR"])
    if (DEFAULT_MODEL_DIR / MANIFEST).is_file():
        return DEFAULT_MODEL_DIR
    return BUNDLED_MODEL_DIR


def requested_runtime(explicit: str | None = None) -> str | None:
    """The runtime asked for: the explicit argument, else env MODEL_RUNTIME, else None (auto)."""
    value = (explicit or os.environ.get("MODEL_RUNTIME") or "").strip().lower()
    return value or None
