"""The default model that ships inside the package, so ``pip install .`` answers right away.

The directory holds only what the lite (NumPy) runtime needs: the certified ``portable/`` form,
``manifest.json`` (with a ``bundle`` section: recipe, its fingerprint, git revision, data,
metrics), ``metrics.json``, ``model_card.md`` and ``reference_sample.json`` (fixed validation
texts with the P(positive) recorded when the bundle was made). ``python -m model.bundle``
(``make bundle``) regenerates it; nothing here is hand-edited.
"""

from __future__ import annotations

from pathlib import Path

BUNDLED_MODEL_DIR = Path(__file__).resolve().parent / "bundled_model"
REFERENCE_SAMPLE = "reference_sample.json"


def bundled_model_dir() -> Path:
    """Where the bundled model lives (inside the installed package)."""
    return BUNDLED_MODEL_DIR
