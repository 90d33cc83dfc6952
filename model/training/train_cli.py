"""Train, calibrate, evaluate and export the sentiment model: ``python -m model.train``.

Two recipes, one code path: ``chat`` (default; the model the bot serves: IMDB plus short-text
corpora, with a neutral answer) and ``tutorial`` (the TensorFlow tutorial "Text classification
with TensorFlow Hub" exactly). Add your own labelled messages with ``--data FILE``. The output is
a self-contained model directory that ``model.load`` serves.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from model.serving.config import default_model_dir
from model.serving.errors import exit_on_model_error
from model.training import recipes
from model.training.cli_logging import setup_logging

log = logging.getLogger("model.train")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m model.train", description=__doc__)
    parser.add_argument(
        "--recipe",
        choices=sorted(recipes.RECIPES),
        default=recipes.DEFAULT_RECIPE,
        help=f"what to train (default {recipes.DEFAULT_RECIPE}; tutorial = the TF tutorial)",
    )
    parser.add_argument("--data-dir", help="tensorflow-datasets dir (default: env TFDS_DATA_DIR)")
    parser.add_argument(
        "--text-dir",
        help="directory of the *.jsonl text corpora (default: env TEXT_DATA_DIR, else "
        "../shared/data/text)",
    )
    parser.add_argument(
        "--data",
        action="append",
        default=[],
        metavar="FILE",
        help="your own labelled messages, added to the recipe's corpora (repeatable): JSON lines "
        '{"text": ..., "label": ...} or CSV with a text,label header; labels '
        "positive|negative|neutral or 1|0. A validation split is carved out of each file.",
    )
    parser.add_argument(
        "--embedding",
        help="TF Hub URL, Kaggle handle or local SavedModel dir (default: env EMBEDDING_HANDLE, "
        "else the recipe's: gnews-swivel-20dim for tutorial, with the offline module as fallback)",
    )
    parser.add_argument("--epochs", type=int, help="default: the recipe's")
    parser.add_argument("--batch-size", type=int, help="default: the recipe's")
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
        default=None,
        help="keep the last epoch's weights instead of the best validation epoch",
    )
    parser.add_argument("--train-limit", type=int, help=argparse.SUPPRESS)  # tests: slice data
    parser.add_argument("--test-limit", type=int, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def check_data_files(paths: list[str]) -> None:
    """Read every --data file before anything slow starts: a bad row fails in a second."""
    from model.training.corpora import read_labelled_file

    for path in paths:
        corpus = read_labelled_file(path)
        counts = ", ".join(f"{n} {k}" for k, n in corpus.counts().items() if n)
        print(f"--data {path}: {len(corpus.texts):,} rows ({counts})")


def build_offline_embedding(recipe: recipes.Recipe, data_dir: str | None, text_dir: str | None):
    """Build the recipe's offline hub module with ``python -m model.embedding``'s code."""
    from model.embedding.build import build
    from model.embedding.build import parse_args as embedding_args

    argv = [*recipe.embedding.args, "--out", recipe.embedding.directory]
    if data_dir:
        argv += ["--data-dir", data_dir]
    if text_dir:
        argv += ["--text-dir", text_dir]
    print(
        f"building the {recipe.name!r} recipe's embedding module in {recipe.embedding.directory}"
        f" (python -m model.embedding {' '.join(recipe.embedding.args)}); once only"
    )
    build(embedding_args(argv))


def resolve_recipe_embedding(
    recipe: recipes.Recipe, handle: str | None, data_dir: str | None, text_dir: str | None
) -> tuple[str, Path]:
    """(handle, module dir): --embedding / EMBEDDING_HANDLE, else the recipe's hub handle,
    else (unreachable or none) the recipe's offline module, built on first use."""
    from model.embedding.handle import resolve_embedding
    from model.serving.errors import EmbeddingUnavailableError

    explicit = handle or os.environ.get("EMBEDDING_HANDLE")
    if explicit:
        return resolve_embedding(explicit, explicit=True)
    if recipe.embedding is None:
        raise ValueError(f"the {recipe.name!r} recipe builds its embedding from its training rows")
    if recipe.hub_handle:
        try:
            return resolve_embedding(recipe.hub_handle, explicit=True)
        except EmbeddingUnavailableError as error:
            log.warning(
                "could not fetch %s; using the offline embedding module %s instead (%s)",
                recipe.hub_handle,
                recipe.embedding.directory,
                str(error).split(". ")[0],
            )
    offline = Path(recipe.embedding.directory)
    if not (offline / "saved_model.pb").is_file():
        build_offline_embedding(recipe, data_dir, text_dir)
    return str(offline), offline


_scorers: dict[int, object] = {}


def score(keras_model, texts: list[str], batch: int = 2048) -> dict[str, np.ndarray]:
    """Raw network outputs (pre-sigmoid ``logit`` and, if any, ``presence``), float64."""
    import tensorflow as tf

    from model.training.export import keras_outputs

    if not texts:
        return {"logit": np.zeros(0)}
    fn = _scorers.get(id(keras_model))
    if fn is None:  # one trace per model, whatever the batch size
        spec = tf.TensorSpec([None], tf.string)
        fn = tf.function(lambda x: keras_outputs(keras_model, x), input_signature=[spec])
        _scorers[id(keras_model)] = fn
    parts = [fn(tf.constant(texts[i : i + batch])) for i in range(0, len(texts), batch)]
    return {
        key: np.concatenate([part[key].numpy() for part in parts]).astype(np.float64)
        for key in parts[0]
    }


def _polar(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from model.training.corpora import NEUTRAL, POSITIVE

    mask = labels != NEUTRAL
    return mask, (labels[mask] == POSITIVE).astype(int)


def calibrate(recipe: recipes.Recipe, data, outputs: dict) -> dict:
    """Temperature fitted on the polar validation rows of the recipe's calibration domains,
    always or only when their ECE is above the recipe's threshold."""
    from model.training import calibration as cal

    if recipe.calibration_domains is None:
        names = list(data.validation)
    else:  # the recipe's domains, plus the team's own --data files
        names = [n for n in data.validation if n in recipe.calibration_domains or _is_user(data, n)]
    labels = np.concatenate([data.validation[n].labels for n in names])
    mask, y = _polar(labels)
    z = np.concatenate([outputs[n]["logit"] for n in names])[mask]
    threshold = recipe.ece_threshold
    ece_before = cal.expected_calibration_error(cal.sigmoid(z), y)
    applied = recipe.temperature == recipes.TEMPERATURE_ALWAYS or ece_before > threshold
    temperature = cal.fit_temperature(z, y) if applied else 1.0
    scaled = cal.sigmoid(z / temperature)
    return {
        "temperature": temperature,
        "applied": bool(applied),
        "ece_threshold": threshold,
        "bins": 10,
        "fitted_on": f"validation, polar rows of: {', '.join(names)}" if applied else None,
        "measured_on": names,
        "when": recipe.temperature,
        "validation_ece_before": ece_before,
        "validation_ece_after": cal.expected_calibration_error(scaled, y),
        "reliability_before": cal.reliability_bins(cal.sigmoid(z), y),
        "reliability_after": cal.reliability_bins(scaled, y),
    }


def _is_user(data, name: str) -> bool:
    return bool(data.sizes.get(name, {}).get("user_data"))


def fit_neutral_rule(recipe: recipes.Recipe, data, outputs: dict, temperature: float):
    """The neutral rule fitted on validation (None for recipes without a neutral answer)."""
    from model.serving.postprocess import p_positive
    from model.training.corpora import LABEL_NAMES
    from model.training.neutral import fit_neutral_threshold

    if recipe.neutral == recipes.NEUTRAL_NONE:
        return None, None
    objective = recipe.neutral_objective
    cap = float(objective.get("max_polar_flagged", 0.10))
    groups = {
        group: [n for n in members if n in data.validation]
        for group, members in (objective.get("groups") or {"all": list(data.validation)}).items()
    }
    groups = {group: members for group, members in groups.items() if members}

    def pooled(names: list[str]):
        labels = np.concatenate([data.validation[n].labels for n in names])
        logits = np.concatenate([outputs[n]["logit"] for n in names])
        presence = (
            np.concatenate([outputs[n]["presence"] for n in names])
            if recipe.neutral == recipes.NEUTRAL_PRESENCE
            else None
        )
        return labels, p_positive(logits, temperature), presence

    everything = [n for members in groups.values() for n in members]
    labels, p, presence = pooled(everything)
    group_of = [
        g for g, members in groups.items() for n in members for _ in range(len(data.validation[n]))
    ]
    rule, figures = fit_neutral_threshold(
        recipe.neutral,
        [LABEL_NAMES[int(c)] for c in labels],
        p,
        presence,
        max_polar_flagged=cap,
        groups=group_of if len(groups) > 1 else None,
    )
    figures.update(fitted_on=everything, groups=groups)
    return rule, figures


def measure_domains(data, outputs: dict, temperature: float, rule) -> dict[str, dict]:
    """Per-domain figures: every validation split, then the test split(s)."""
    from model.serving.postprocess import neutral_mask, p_positive
    from model.training.domains import domain_metrics

    report = {}
    for name, rows in {**data.validation, **data.test}.items():
        p = p_positive(outputs[name]["logit"], temperature)
        flags = neutral_mask(p, rule, outputs[name].get("presence"))
        report[name] = domain_metrics(p, rows.labels, flags)
    return report


def test_metrics(rows, logits: np.ndarray, temperature: float) -> dict:
    """The IMDB test figures (all polar), ECE before and after the temperature."""
    from model.training import calibration as cal
    from model.training.metrics import classification_metrics

    _, y = _polar(rows.labels)
    raw, scaled = cal.sigmoid(logits), cal.sigmoid(logits / temperature)
    figures = classification_metrics(scaled, y)
    figures.update(
        ece_before_calibration=cal.expected_calibration_error(raw, y),
        ece_after_calibration=cal.expected_calibration_error(scaled, y),
        reliability_before=cal.reliability_bins(raw, y),
        reliability_after=cal.reliability_bins(scaled, y),
    )
    return figures


def print_summary(
    recipe: str, history: dict, kept: int | None, seconds: float, metrics: dict, manifest: dict
) -> None:
    from model.training.domains import text_table

    test, cal = metrics.get("test"), metrics["calibration"]
    certificate = manifest["portable"]
    rows = [
        ("recipe", recipe),
        ("epochs run", f"{len(history['loss'])}"),
        ("weights kept from", f"epoch {kept}" if kept else "last epoch"),
        ("training time", f"{seconds:.0f} s"),
    ]
    if test:
        rows += [
            ("IMDB test accuracy", f"{test['accuracy']:.4f} ({test['examples']:,} reviews)"),
            ("IMDB test F1 / ROC-AUC", f"{test['f1']:.4f} / {test['roc_auc']:.4f}"),
            ("IMDB test ECE", f"{test['ece_after_calibration']:.4f}"),
        ]
    rows += [
        (
            "validation ECE before -> after",
            f"{cal['validation_ece_before']:.4f} -> {cal['validation_ece_after']:.4f}",
        ),
        (
            "temperature",
            f"{cal['temperature']:.3f}" + ("" if cal["applied"] else " (not needed)"),
        ),
        (
            "neutral rule",
            (
                f"{manifest['neutral']['method']} < {manifest['neutral']['threshold']:.4f}"
                if manifest.get("neutral")
                else "none (never answers neutral)"
            ),
        ),
        (
            "portable runtime",
            (f"certified, max |dP| {certificate['max_abs_diff_p_positive']:.2e}")
            if certificate.get("certified")
            else "not certified",
        ),
    ]
    width = max(len(k) for k, _ in rows)
    print("\n" + "-" * (width + 44))
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    print("-" * (width + 44))
    print(text_table(metrics["domains"]))


def run(args: argparse.Namespace) -> Path:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    recipe = recipes.get(args.recipe)
    check_data_files(args.data)
    with tempfile.TemporaryDirectory(prefix="model-train-") as workdir:
        return _run(args, recipe, workdir)


def _run(args: argparse.Namespace, recipe: recipes.Recipe, workdir: str) -> Path:

    import tensorflow as tf
    import tf_keras

    from model.serving import artifact
    from model.serving.postprocess import p_positive
    from model.training import export, mixing, plots, report, targets
    from model.training.corpora import resolve_text_dir
    from model.training.data import resolve_data_dir
    from model.training.fit import fit
    from model.training.metrics import classification_metrics
    from model.training.network import build_model
    from model.training.vocabulary import build_module

    epochs = args.epochs or recipe.epochs
    batch_size = args.batch_size or recipe.batch_size
    keep_best = recipe.keep_best if args.keep_best is None else args.keep_best
    out = args.out or default_model_dir()
    data_dir = resolve_data_dir(args.data_dir)
    text_dir = str(resolve_text_dir(args.text_dir)) if recipe.corpora or args.text_dir else None
    print(f"recipe {recipe.name!r}: {recipe.description}")
    own_embedding = recipe.vocabulary is not None and not (
        args.embedding or os.environ.get("EMBEDDING_HANDLE")
    )
    if not own_embedding:
        handle, module_dir = resolve_recipe_embedding(recipe, args.embedding, data_dir, text_dir)
        log.info("embedding: %s", handle)

    sources = mixing.Sources(data_dir=data_dir, text_dir=text_dir, data_files=tuple(args.data))
    data = mixing.prepare(recipe, sources, args.seed, args.train_limit, args.test_limit)
    embedding_info = None
    if own_embedding:
        module_dir, embedding_info = build_module(
            data.train.texts, recipe.vocabulary, args.seed, Path(workdir) / "embedding"
        )
        handle = str(module_dir)

    tf_keras.utils.set_random_seed(args.seed)
    tf.config.experimental.enable_op_determinism()
    presence = recipe.neutral == recipes.NEUTRAL_PRESENCE
    model = build_model(handle, presence=presence, hidden_units=recipe.hidden_units)
    tf_keras.backend.set_value(model.optimizer.learning_rate, recipe.learning_rate)
    pooled = data.pooled_validation()
    train_ds = targets.dataset(
        data.train.texts, data.train.labels, data.weights, recipe, data.pseudo_neutral
    )
    val_ds = targets.dataset(pooled.texts, pooled.labels, None, recipe)
    buffer = recipe.shuffle_buffer or max(len(data.train), 1)
    print(
        f"Training for {epochs} epochs on {len(data.train):,} rows "
        f"(batch {batch_size}, seed {args.seed})"
        + ("; keeping the epoch with the lowest validation loss" if keep_best else "")
    )
    history, kept_epoch, seconds = fit(
        model, train_ds, val_ds, epochs, batch_size, args.seed, keep_best, buffer
    )

    print("scoring the validation and test splits")
    outputs = {name: score(model, rows.texts) for name, rows in data.validation.items()}
    outputs.update({name: score(model, rows.texts) for name, rows in data.test.items()})
    pooled_logits = np.concatenate([outputs[n]["logit"] for n in data.validation])
    calibration = calibrate(recipe, data, outputs)
    temperature = calibration["temperature"]
    rule, neutral_figures = fit_neutral_rule(recipe, data, outputs, temperature)
    domains = measure_domains(data, outputs, temperature, rule)
    test = (
        test_metrics(data.test[mixing.IMDB_TEST], outputs[mixing.IMDB_TEST]["logit"], temperature)
        if mixing.IMDB_TEST in data.test
        else None
    )

    out.mkdir(parents=True, exist_ok=True)
    log.info("exporting SavedModel to %s", out / artifact.SAVED_MODEL)
    export.save_serving_model(model, temperature, out)
    log.info("certifying the portable NumPy runtime against TensorFlow")
    certificate = export.export_portable(
        model, module_dir, temperature, out, parity_texts=pooled.texts, rule=rule
    )

    config = {
        "recipe": recipe.name,
        "recipe_definition": recipe.describe(),
        "embedding": "trained with the network (see embedding_module)" if own_embedding else handle,
        "embedding_module": embedding_info,
        "learning_rate": recipe.learning_rate,
        "epochs": epochs,
        "batch_size": batch_size,
        "seed": args.seed,
        "keep_best": keep_best,
        "kept_epoch": kept_epoch,
        "optimizer": "adam",
        "loss": "binary_crossentropy",
        "shuffle_buffer": buffer,
        "neutral_design": recipe.neutral,
        "pseudo_neutral_rows": int(data.pseudo_neutral.sum())
        if data.pseudo_neutral is not None
        else 0,
        "data": {
            "tfds_data_dir": data_dir,
            "text_dir": text_dir,
            "user_files": list(args.data),
            "train_limit": args.train_limit,
            "test_limit": args.test_limit,
            "train_examples": len(data.train),
            "validation_examples": len(pooled),
            "test_examples": sum(map(len, data.test.values())),
            "corpora": data.sizes,
        },
    }
    manifest = report.manifest(
        config,
        {k: calibration[k] for k in ("temperature", "applied", "ece_threshold", "fitted_on")},
        certificate,
        dt.datetime.now(dt.timezone.utc),
        neutral=rule.to_json() if rule else None,
        presence_output=presence,
    )
    polar_mask, polar_y = _polar(pooled.labels)
    metrics = {
        "model_version": manifest["version"],
        "recipe": recipe.name,
        "test": test,
        "validation": classification_metrics(
            p_positive(pooled_logits[polar_mask], temperature), polar_y
        ),
        "domains": domains,
        "neutral": neutral_figures,
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
        calibration["validation_ece_before"],
        calibration["validation_ece_after"] if applied else None,
        out / artifact.PLOTS / "reliability.png",
    )
    plots.per_domain(domains, out / artifact.PLOTS / "per_domain.png")
    artifact.write_json(out / artifact.MANIFEST, manifest)  # last: marks the directory complete
    print_summary(recipe.name, history, kept_epoch, seconds, metrics, manifest)
    return out


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
