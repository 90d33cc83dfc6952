"""The model directory's layout and its small JSON files (no TensorFlow here)."""

from __future__ import annotations

import json
from pathlib import Path

from model.serving.errors import ModelNotFoundError

FORMAT_VERSION = 1
SAVED_MODEL = "saved_model"
PORTABLE = "portable"
MANIFEST = "manifest.json"
METRICS = "metrics.json"
MODEL_CARD = "model_card.md"
PLOTS = "plots"

BUILD_HINT = (
    "Build one with `make model` (or: `python -m model.embedding --data-dir ../shared/data/tfds` "
    "then `python -m model.train --data-dir ../shared/data/tfds`), or point MODEL_DIR / --model "
    "at an existing model directory."
)


def read_json(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def write_json(path: Path, data: dict) -> None:
    Path(path).write_text(json.dumps(data, indent=2, sort_keys=False) + "\n", encoding="utf-8")


def read_manifest(model_dir: Path) -> dict:
    """The manifest, or a ModelNotFoundError that says how to build a model."""
    model_dir = Path(model_dir)
    path = model_dir / MANIFEST
    if not path.is_file():
        what = "does not exist" if not model_dir.exists() else f"has no {MANIFEST}"
        raise ModelNotFoundError(
            f"no trained model at {model_dir} (the directory {what}). " + BUILD_HINT
        )
    manifest = read_json(path)
    if manifest.get("format_version", 0) > FORMAT_VERSION:
        raise ModelNotFoundError(
            f"{model_dir} was written by a newer version of this project (format "
            f"{manifest['format_version']}); upgrade the code or retrain with this version."
        )
    return manifest


def read_metrics(model_dir: Path) -> dict:
    path = Path(model_dir) / METRICS
    return read_json(path) if path.is_file() else {}
