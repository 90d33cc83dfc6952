"""Evaluate a model directory on all 25,000 IMDB test reviews: ``python -m model.evaluate DIR``.

Scores with the runtime ``model.load`` would pick (or ``--runtime``), so the figures are those
of the model as it is served, not as it was trained.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from model.serving.errors import exit_on_model_error


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m model.evaluate", description=__doc__)
    parser.add_argument(
        "model_dir",
        type=Path,
        metavar="DIR",
        nargs="?",
        help="model directory (default: env MODEL_DIR, else artifacts/model)",
    )
    parser.add_argument("--data-dir", help="tensorflow-datasets dir (default: env TFDS_DATA_DIR)")
    parser.add_argument("--runtime", choices=["lite", "tensorflow"])
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--limit", type=int, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def load_test_set(data_dir: str | None, limit: int | None) -> tuple[list[str], np.ndarray]:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from model.training.data import as_arrays, load_splits

    _, _, test = load_splits(data_dir)
    if limit:
        test = test.take(limit)
    texts, labels = as_arrays(test)
    return texts, np.asarray(labels)


def evaluate(
    model_dir: Path | None, data_dir: str | None, runtime: str | None, limit: int | None = None
) -> dict:
    """Accuracy, loss, precision, recall, F1, ROC-AUC, confusion and ECE of the served model."""
    import model
    from model.training.calibration import ECE_THRESHOLD, expected_calibration_error, sigmoid
    from model.training.metrics import classification_metrics

    classifier = model.load(model_dir, runtime=runtime)
    texts, labels = load_test_set(data_dir, limit)
    started = time.perf_counter()
    p = np.array([pred.p_positive for pred in classifier.predict(texts)])
    report = classification_metrics(p, labels)
    temperature = classifier.info.temperature
    clipped = np.clip(p, 1e-15, 1 - 1e-15)
    uncalibrated = sigmoid(np.log(clipped / (1 - clipped)) * temperature)  # undo 1/T
    ece = expected_calibration_error(p, labels)
    report.update(
        ece=ece,
        ece_before_calibration=expected_calibration_error(uncalibrated, labels),
        ece_after_calibration=ece,
        ece_threshold=ECE_THRESHOLD,
        temperature=temperature,
        model_dir=classifier.info.path,
        model_version=classifier.info.version,
        runtime=classifier.info.runtime,
        scoring_seconds=time.perf_counter() - started,
    )
    return report


def print_report(report: dict) -> None:
    cm = report["confusion_matrix"]["matrix"]
    print(
        f"model {report['model_version']} ({report['runtime']} runtime), "
        f"{report['examples']:,} test reviews"
    )
    for key in ("accuracy", "loss", "precision", "recall", "f1", "roc_auc", "ece"):
        print(f"  {key:<10} {report[key]:.4f}")
    print(f"  confusion (rows true neg/pos, cols predicted neg/pos): {cm[0]} {cm[1]}")


@exit_on_model_error
def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    report = evaluate(args.model_dir, args.data_dir, args.runtime, args.limit)
    if args.json:
        json.dump(report, sys.stdout, indent=2)
        print()
    else:
        print_report(report)
    return 0
