"""Where serving finds its model: explicit arguments first, the environment only as a fallback.

This is the one place in the model package that reads MODEL_DIR and MODEL_RUNTIME; callers that
know better (the bot's settings, the CLIs' flags) pass their values explicitly.
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_MODEL_DIR = Path("artifacts/model")


def default_model_dir() -> Path:
    """env MODEL_DIR, else ./artifacts/model.

    The single fallback used when no path is given to ``model.load``; a bundled default model
    (package data) would be added here.
    """
    return Path(os.environ.get("MODEL_DIR") or DEFAULT_MODEL_DIR)


def requested_runtime(explicit: str | None = None) -> str | None:
    """The runtime asked for: the explicit argument, else env MODEL_RUNTIME, else None (auto)."""
    value = (explicit or os.environ.get("MODEL_RUNTIME") or "").strip().lower()
    return value or None
