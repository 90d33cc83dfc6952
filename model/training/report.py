"""The artifact's human- and machine-readable descriptions: manifest and model card."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import platform
import subprocess
from pathlib import Path

PACKAGES = (
    "tensorflow",
    "tensorflow-cpu",
    "tf-keras",
    "tensorflow-hub",
    "tensorflow-datasets",
    "numpy",
    "pyfarmhash",
    "scipy",
)


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return versions


def git_revision() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            cwd=Path(__file__).resolve().parent,
        )
        if out.returncode != 0:
            return None
        dirty = subprocess.run(
            ["git", "status", "--porcelain"],
            capture_output=True,
            text=True,
            timeout=5,
            cwd=Path(__file__).resolve().parent,
        ).stdout.strip()
        return out.stdout.strip() + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return None


def model_version(created: dt.datetime, config: dict) -> str:
    """Date plus a short hash of the recipe: sortable and distinct per configuration."""
    digest = hashlib.sha256(repr(sorted(config.items())).encode()).hexdigest()[:8]
    return f"{created:%Y%m%d-%H%M%S}-{digest}"


def manifest(config: dict, calibration: dict, portable: dict, created: dt.datetime) -> dict:
    from model.serving.artifact import FORMAT_VERSION

    return {
        "format_version": FORMAT_VERSION,
        "version": model_version(created, config),
        "created": created.isoformat(timespec="seconds"),
        "git_revision": git_revision(),
        "packages": package_versions(),
        "config": config,
        "calibration": calibration,
        "portable": portable,
        "serving": {
            "signature": "serving_default",
            "input": "text: string [batch]",
            "outputs": {"p_positive": "float32 [batch]", "logit": "float32 [batch]"},
        },
    }


def model_card(manifest_data: dict, metrics: dict) -> str:
    """A short model card (Mitchell et al. 2019): what it is, how it was made, how well, limits."""
    cfg, test = manifest_data["config"], metrics["test"]
    cal = manifest_data["calibration"]
    portable = manifest_data["portable"]
    cm = test["confusion_matrix"]["matrix"]
    return f"""# Model card: Slack sentiment classifier {manifest_data["version"]}

## What it does
Scores English text as **positive** or **negative** and gives P(positive); the app reports the
label and its confidence (max(p, 1 - p)).

## Intended use
Quick, indicative sentiment of short English messages in Slack. Not for decisions about people
(hiring, moderation, performance reviews) and not a substitute for reading the message.

## Training data
IMDB Large Movie Review Dataset (Maas et al., 2011) via tensorflow-datasets `imdb_reviews`:
15,000 train (`train[:60%]`), 10,000 validation (`train[60%:]`), 25,000 test reviews.

## Recipe
Following the TensorFlow tutorial "Text classification with TensorFlow Hub":
- Embedding: `{cfg["embedding"]}` (hub.KerasLayer, trainable)
- Dense(16, relu) -> Dense(1, sigmoid); adam, binary cross-entropy
- {cfg["epochs"]} epochs, batch {cfg["batch_size"]}, shuffle(10000), seed {cfg["seed"]}
- Weights kept from epoch {cfg.get("kept_epoch") or cfg["epochs"]} \
({"lowest validation loss" if cfg["keep_best"] else "last epoch"})
- Calibration: temperature {cal["temperature"]:.3f} \
({"fitted on validation" if cal["applied"] else "not needed"})

## Test metrics (all {test["examples"]:,} test reviews)
| metric | value |
| --- | --- |
| accuracy | {test["accuracy"]:.4f} |
| loss | {test["loss"]:.4f} |
| precision | {test["precision"]:.4f} |
| recall | {test["recall"]:.4f} |
| F1 | {test["f1"]:.4f} |
| ROC-AUC | {test["roc_auc"]:.4f} |
| ECE before calibration | {test["ece_before_calibration"]:.4f} |
| ECE after calibration | {test["ece_after_calibration"]:.4f} |

Confusion matrix (rows true, columns predicted; negative, positive): {cm}

## Runtimes
TensorFlow SavedModel (`saved_model/`, signature `serving_default`). Portable NumPy form:
{
        f"certified, largest |dP| {portable['max_abs_diff_p_positive']:.2g}"
        if portable.get("certified")
        else "not certified: " + portable.get("reason", "")
    }.

## Limits
- English only; other languages and scripts fall back to the model's prior (about 50/50).
- Trained on movie reviews: domain words ("plot", "acting") carry meaning; workplace jargon,
  sarcasm, negation across long distances and emoji are poorly understood.
- A bag of words: word order is ignored ("not good, bad" ~ "not bad, good").
- Confidence is calibrated on movie reviews; on Slack messages it is a guide, not a guarantee.
"""
