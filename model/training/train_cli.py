"""Train, calibrate, evaluate and export the sentiment model: ``python -m model.train``.

The recipe is the TensorFlow tutorial "Text classification with TensorFlow Hub"; the output is a
self-contained model directory that ``model.load`` serves.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import time
from pathlib import Path

from model.embedding.handle import default_embedding_handle
from model.serving.config import default_model_dir
from model.serving.errors import exit_on_model_error
from model.training.cli_logging import setup_logging

log = logging.getLogger("model.train")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m model.train", description=__doc__)
    parser.add_argument("--data-dir", help="tensorflow-datasets dir (default: env TFDS_DATA_DIR)")
    parser.add_argument(
        "--embedding",
        help="TF Hub URL, Kaggle handle or local SavedModel dir "
        "(default: env EMBEDDING_HANDLE, else gnews-swivel-20dim on tfhub.dev)",
    )
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=512)
    parser.add_argument("--seed", type=int, default=42, help="makes runs repeatable (default 42)")
    parser.add_argument(
        "--out",
        type=Path,
        help="model directory to write (default: env MODEL_DIR, else artifacts/model)",
    )
    parser.add_argument(
        "--no-keep-best",
        dest="keep_best",
        action="store_false",
        help="keep the last epoch's weights instead of the best validation epoch",
    )
    parser.add_argument("--train-limit", type=int, help=argparse.SUPPRESS)  # tests: slice data
    parser.add_argument("--test-limit", type=int, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _logits(keras_model, texts: list[str], batch: int = 2048):
    import numpy as np
    import tensorflow as tf

    from model.training.export import keras_logits

    fn = tf.function(lambda x: keras_logits(keras_model, x))
    parts = [fn(tf.constant(texts[i : i + batch])).numpy() for i in range(0, len(texts), batch)]
    return np.concatenate(parts).astype(np.float64)


def calibrate_and_measure(keras_model, val_texts, val_labels, test_texts, test_labels) -> tuple:
    """Metrics on test before/after temperature scaling (fitted on validation when ECE > 0.03)."""
    from model.training import calibration as cal
    from model.training.metrics import classification_metrics

    val_z, test_z = _logits(keras_model, val_texts), _logits(keras_model, test_texts)
    raw = cal.sigmoid(test_z)
    ece_before = cal.expected_calibration_error(raw, test_labels)
    applied = ece_before > cal.ECE_THRESHOLD
    temperature = cal.fit_temperature(val_z, val_labels) if applied else 1.0
    scaled = cal.sigmoid(test_z / temperature)
    ece_after = cal.expected_calibration_error(scaled, test_labels)
    test = classification_metrics(scaled, test_labels)
    test.update(ece_before_calibration=ece_before, ece_after_calibration=ece_after)
    validation = classification_metrics(cal.sigmoid(val_z / temperature), val_labels)
    calibration = {
        "temperature": temperature,
        "applied": applied,
        "ece_threshold": cal.ECE_THRESHOLD,
        "bins": 10,
        "fitted_on": "validation" if applied else None,
        "reliability_before": cal.reliability_bins(raw, test_labels),
        "reliability_after": cal.reliability_bins(scaled, test_labels),
    }
    return test, validation, calibration


def print_summary(
    history: dict,
    kept_epoch: int | None,
    seconds: float,
    test: dict,
    calibration: dict,
    certificate: dict,
    out: Path,
) -> None:
    rows = [
        ("epochs run", f"{len(history['loss'])}"),
        ("weights kept from", f"epoch {kept_epoch}" if kept_epoch else "last epoch"),
        ("training time", f"{seconds:.0f} s"),
        ("test accuracy", f"{test['accuracy']:.4f}"),
        ("test loss", f"{test['loss']:.4f}"),
        (
            "precision / recall / F1",
            f"{test['precision']:.4f} / {test['recall']:.4f} / {test['f1']:.4f}",
        ),
        ("ROC-AUC", f"{test['roc_auc']:.4f}"),
        (
            "ECE before -> after",
            f"{test['ece_before_calibration']:.4f} -> {test['ece_after_calibration']:.4f}",
        ),
        (
            "temperature",
            f"{calibration['temperature']:.3f}"
            + ("" if calibration["applied"] else " (not needed)"),
        ),
        (
            "portable runtime",
            (f"certified, max |dP| {certificate['max_abs_diff_p_positive']:.2e}")
            if certificate.get("certified")
            else "not certified",
        ),
        ("model directory", str(out)),
    ]
    width = max(len(k) for k, _ in rows)
    print("\n" + "-" * (width + 40))
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    print("-" * (width + 40))


def run(args: argparse.Namespace) -> Path:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf
    import tf_keras

    from model.embedding.handle import resolve_embedding
    from model.serving import artifact
    from model.training import export, plots, report
    from model.training.data import as_arrays, load_splits
    from model.training.network import build_model

    out = args.out or default_model_dir()
    handle, module_dir = resolve_embedding(
        args.embedding or default_embedding_handle(),
        explicit=bool(args.embedding or os.environ.get("EMBEDDING_HANDLE")),
    )
    log.info("data: tensorflow-datasets imdb_reviews; embedding: %s", handle)
    train, validation, test = load_splits(args.data_dir)
    if args.train_limit:
        train, validation = train.take(args.train_limit), validation.take(args.train_limit)
    if args.test_limit:
        test = test.take(args.test_limit)

    tf_keras.utils.set_random_seed(args.seed)
    tf.config.experimental.enable_op_determinism()
    model = build_model(handle)
    if args.keep_best:
        print(
            "Keeping the weights of the epoch with the lowest validation loss "
            "(the tutorial's model overfits after ~10 epochs; --no-keep-best keeps the last)."
        )
    history, kept_epoch, seconds = fit_model(model, train, validation, args)

    val_texts, val_labels = as_arrays(validation)
    test_texts, test_labels = as_arrays(test)
    log.info("evaluating on %d test reviews", len(test_texts))
    test_metrics, val_metrics, calibration = calibrate_and_measure(
        model, val_texts, val_labels, test_texts, test_labels
    )

    out.mkdir(parents=True, exist_ok=True)
    log.info("exporting SavedModel to %s", out / artifact.SAVED_MODEL)
    export.save_serving_model(model, calibration["temperature"], out)
    log.info("certifying the portable NumPy runtime against TensorFlow")
    certificate = export.export_portable(
        model, module_dir, calibration["temperature"], out, parity_texts=val_texts
    )

    config = {
        "embedding": handle,
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "seed": args.seed,
        "keep_best": args.keep_best,
        "kept_epoch": kept_epoch,
        "optimizer": "adam",
        "loss": "binary_crossentropy",
        "shuffle_buffer": 10_000,
        "data": {
            "dataset": "imdb_reviews",
            "splits": ["train[:60%]", "train[60%:]", "test"],
            "train_examples": _count(train),
            "validation_examples": len(val_texts),
            "test_examples": len(test_texts),
        },
    }
    manifest = report.manifest(
        config,
        {k: calibration[k] for k in ("temperature", "applied", "ece_threshold", "fitted_on")},
        certificate,
        dt.datetime.now(dt.timezone.utc),
    )
    metrics = {
        "model_version": manifest["version"],
        "test": test_metrics,
        "validation": val_metrics,
        "calibration": calibration,
        "training": {
            "seconds": seconds,
            "kept_epoch": kept_epoch,
            "epochs_run": len(history["loss"]),
            "history": history,
        },
    }
    artifact.write_json(out / artifact.METRICS, metrics)
    (out / artifact.MODEL_CARD).write_text(report.model_card(manifest, metrics), encoding="utf-8")
    (out / artifact.PLOTS).mkdir(exist_ok=True)
    plots.training_curves(history, kept_epoch, out / artifact.PLOTS / "training_curves.png")
    applied = calibration["applied"]  # without a temperature the two curves are the same
    plots.reliability_diagram(
        calibration["reliability_before"],
        calibration["reliability_after"] if applied else None,
        test_metrics["ece_before_calibration"],
        test_metrics["ece_after_calibration"] if applied else None,
        out / artifact.PLOTS / "reliability.png",
    )
    artifact.write_json(out / artifact.MANIFEST, manifest)  # last: marks the directory complete
    print_summary(history, kept_epoch, seconds, test_metrics, calibration, certificate, out)
    return out


def _count(dataset) -> int:
    """Examples in a tf.data dataset: its known cardinality, else one pass over it."""
    known = int(dataset.cardinality())
    return known if known >= 0 else sum(1 for _ in dataset)


def fit_model(model, train, validation, args):
    from model.training.fit import fit

    print(f"Training for {args.epochs} epochs (batch {args.batch_size}, seed {args.seed})")
    return fit(model, train, validation, args.epochs, args.batch_size, args.seed, args.keep_best)


@exit_on_model_error
def main(argv: list[str] | None = None) -> int:
    setup_logging()
    started = time.perf_counter()
    out = run(parse_args(argv))
    print(
        f"done in {time.perf_counter() - started:.0f} s; try it: "
        f'python -m model.predict --model {out} "I loved every minute of it"'
    )
    return 0
