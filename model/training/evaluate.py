"""Evaluate a model directory per domain: ``python -m model.evaluate DIR [--json]``.

Re-carves the validation split of every corpus the model was trained with (same recipe, seed
and files, as recorded in its manifest), scores them and all 25,000 IMDB test reviews with the
runtime ``model.load`` would pick (or ``--runtime``), and prints accuracy, F1, ECE and the
neutral rates per domain: the figures of the model as it is served, not as it was trained.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path

import numpy as np

from model.serving.errors import exit_on_model_error

log = logging.getLogger("model.evaluate")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m model.evaluate", description=__doc__)
    parser.add_argument(
        "model_dir",
        type=Path,
        metavar="DIR",
        nargs="?",
        help="model directory (default: env MODEL_DIR, else artifacts/model, else bundled)",
    )
    parser.add_argument("--data-dir", help="tensorflow-datasets dir (default: env TFDS_DATA_DIR)")
    parser.add_argument(
        "--text-dir",
        help="directory of the *.jsonl corpora (default: the one recorded at training, else "
        "env TEXT_DATA_DIR, else ../shared/data/text)",
    )
    parser.add_argument("--runtime", choices=["lite", "tensorflow"])
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--limit", type=int, help=argparse.SUPPRESS)  # tests: cap the test split
    return parser.parse_args(argv)


def _recipe_of(manifest: dict):
    """The recipe a model was trained with; older models were all the tutorial."""
    from model.training import recipes

    config = manifest.get("config", {})
    if config.get("recipe_definition"):
        return recipes.from_definition(config["recipe_definition"])
    return recipes.get(config.get("recipe") or "tutorial")


def held_out_data(manifest: dict, data_dir: str | None, text_dir: str | None, limit: int | None):
    """The validation splits and the test split of the model's recipe, carved as at training."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from model.training import mixing
    from model.training.corpora import resolve_text_dir

    config = manifest.get("config", {})
    recorded = config.get("data", {})
    recipe = _recipe_of(manifest)
    user_files = []
    for path in recorded.get("user_files") or ():
        if Path(path).is_file():
            user_files.append(path)
        else:
            log.warning("%s (a --data file of this model) is not here: its domain is skipped", path)
    text = None
    if recipe.corpora or text_dir:
        where = recorded.get("text_dir")
        if text_dir or not (where and Path(where).is_dir()):
            where = text_dir  # the model was trained elsewhere: this machine's corpora
        text = str(resolve_text_dir(where))
    sources = mixing.Sources(data_dir=data_dir, text_dir=text, data_files=tuple(user_files))
    data = mixing.prepare(
        recipe,
        sources,
        int(config.get("seed", 42)),
        limit=recorded.get("train_limit"),
        test_limit=limit,
        training=False,
    )
    _warn_if_changed(recorded.get("corpora") or {}, data.sizes)
    return data


def _warn_if_changed(recorded: dict, now: dict) -> None:
    for name, size in now.items():
        before = recorded.get(name, {}).get("sha256")
        if before and size.get("sha256") and before != size["sha256"]:
            log.warning(
                "%s changed since the model was trained: its validation split is not the one "
                "held out at training, so its figures may be optimistic",
                size.get("source", name),
            )


def evaluate(
    model_dir: Path | None,
    data_dir: str | None,
    runtime: str | None,
    limit: int | None = None,
    text_dir: str | None = None,
) -> dict:
    """IMDB test figures at the top level (accuracy, loss, precision, recall, F1, ROC-AUC,
    confusion, ECE) and ``domains``: the per-domain table as served."""
    import model
    from model.serving.artifact import read_manifest
    from model.training.calibration import ECE_THRESHOLD, expected_calibration_error, sigmoid
    from model.training.corpora import LABEL_NAMES
    from model.training.domains import domain_metrics, three_way_metrics
    from model.training.metrics import classification_metrics
    from model.training.mixing import IMDB_TEST

    codes_of = {name: code for code, name in LABEL_NAMES.items()}
    classifier = model.load(model_dir, runtime=runtime)
    manifest = read_manifest(Path(classifier.info.path))
    data = held_out_data(manifest, data_dir, text_dir, limit)
    started = time.perf_counter()
    domains, scored = {}, {}
    for name, rows in {**data.validation, **data.test}.items():
        print(f"scoring {name} ({len(rows):,} texts)", file=sys.stderr, flush=True)
        predictions = classifier.predict(rows.texts)
        # By the side the model leans to: P(positive | positive or negative).
        p = np.array(
            [pred.p_positive / (pred.p_positive + pred.p_negative) for pred in predictions]
        )
        neutral = np.array([pred.label == "neutral" for pred in predictions], dtype=bool)
        domains[name] = domain_metrics(p, rows.labels, neutral)
        if "neutral" in classifier.info.classes:  # a three-class model: the three-way figures
            codes = np.array([codes_of[pred.label] for pred in predictions], dtype=np.int8)
            domains[name].update(three_way_metrics(rows.labels, codes))
        scored[name] = p
    report: dict = {}
    temperature = classifier.info.temperature
    if IMDB_TEST in data.test:
        p, labels = scored[IMDB_TEST], data.test[IMDB_TEST].labels.astype(int)
        report = classification_metrics(p, labels)
        clipped = np.clip(p, 1e-15, 1 - 1e-15)
        uncalibrated = sigmoid(np.log(clipped / (1 - clipped)) * temperature)  # undo 1/T
        ece = expected_calibration_error(p, labels)
        report.update(
            ece=ece,
            ece_before_calibration=expected_calibration_error(uncalibrated, labels),
            ece_after_calibration=ece,
        )
    report.update(
        ece_threshold=ECE_THRESHOLD,
        temperature=temperature,
        model_dir=classifier.info.path,
        model_version=classifier.info.version,
        recipe=classifier.info.recipe or "tutorial",
        runtime=classifier.info.runtime,
        neutral_rule=classifier.info.neutral,
        domains=domains,
        scoring_seconds=time.perf_counter() - started,
    )
    return report


def print_report(report: dict) -> None:
    from model.training.domains import text_table

    neutral = report.get("neutral_rule")
    print(
        f"model {report['model_version']} (recipe {report['recipe']}, {report['runtime']} "
        f"runtime); neutral: "
        + (
            "never"
            if not neutral
            else f"offsets {neutral['offsets']}"
            if neutral["method"] == "offsets"
            else f"{neutral['method']} < {neutral['threshold']:.4f}"
        )
    )
    print(text_table(report["domains"]))
    if "accuracy" in report:
        cm = report["confusion_matrix"]["matrix"]
        print(
            f"IMDB test ({report['examples']:,} reviews): accuracy {report['accuracy']:.4f}, "
            f"F1 {report['f1']:.4f}, ROC-AUC {report['roc_auc']:.4f}, ECE {report['ece']:.4f}; "
            f"confusion (rows true neg/pos, cols predicted neg/pos): {cm[0]} {cm[1]}"
        )


@exit_on_model_error
def main(argv: list[str] | None = None) -> int:
    from model.training.cli_logging import setup_logging

    args = parse_args(argv)
    setup_logging()
    report = evaluate(args.model_dir, args.data_dir, args.runtime, args.limit, args.text_dir)
    if args.json:
        json.dump(report, sys.stdout, indent=2)
        print()
    else:
        print_report(report)
    return 0
