"""Step 8, report: metrics.json, the model card, plots, the manifest (written last: it marks the
directory complete) and the summary printed at the end of training."""

from __future__ import annotations

from model.serving import artifact
from model.training import plots, recipes, report
from model.training.corpora import NEUTRAL, POSITIVE


def imdb_test_metrics(rows, out: dict, temperature: float) -> dict:
    """The IMDB test figures (all polar, by the side the model leans to), ECE before/after."""
    from model.serving.postprocess import class_probabilities, sigmoid
    from model.training import calibration as cal
    from model.training.metrics import classification_metrics

    y = (rows.labels == POSITIVE).astype(int)
    if "logits" in out:
        raw_p, p = (class_probabilities(out["logits"], t) for t in (1.0, temperature))
        raw, scaled = (q[:, 1] / (q[:, 0] + q[:, 1]) for q in (raw_p, p))
    else:
        raw, scaled = sigmoid(out["logit"]), sigmoid(out["logit"] / temperature)
    figures = classification_metrics(scaled, y)
    figures.update(
        ece_before_calibration=cal.expected_calibration_error(raw, y),
        ece_after_calibration=cal.expected_calibration_error(scaled, y),
        reliability_before=cal.reliability_bins(raw, y),
        reliability_after=cal.reliability_bins(scaled, y),
    )
    return figures


def _config(recipe, args, prepared, training: dict) -> dict:
    data = prepared.data
    pooled = data.pooled_validation()
    return {
        "recipe": recipe.name,
        "recipe_definition": recipe.describe(),
        "embedding": "trained with the network (see embedding_module)"
        if prepared.own_embedding
        else prepared.handle,
        "embedding_module": prepared.embedding_info,
        "learning_rate": recipe.learning_rate,
        "epochs": training["epochs"],
        "batch_size": training["batch_size"],
        "seed": args.seed,
        "keep_best": training["keep_best"],
        "kept_epoch": training["kept_epoch"],
        "optimizer": "adam",
        "loss": "three-way NLL (polar-only corpora: P(label | polar))"
        if recipe.neutral == recipes.NEUTRAL_CLASSES
        else "binary_crossentropy",
        "shuffle_buffer": training["shuffle_buffer"],
        "neutral_design": recipe.neutral,
        "pseudo_neutral_rows": int(data.pseudo_neutral.sum())
        if data.pseudo_neutral is not None
        else 0,
        "data": {
            "tfds_data_dir": prepared.data_dir,
            "text_dir": prepared.text_dir,
            "user_files": list(args.data),
            "train_limit": args.train_limit,
            "test_limit": args.test_limit,
            "train_examples": len(data.train),
            "validation_examples": len(pooled),
            "test_examples": sum(map(len, data.test.values())),
            "corpora": data.sizes,
        },
    }


def write_report(
    recipe,
    args,
    prepared,
    training: dict,
    outputs: dict,
    cal: dict,
    rule,
    rule_figures,
    per_domain: dict,
    certificate: dict,
    out,
    created,
) -> None:
    from model.training.mixing import IMDB_TEST

    data = prepared.data
    config = _config(recipe, args, prepared, training)
    manifest = report.manifest(
        config,
        {k: cal[k] for k in ("temperature", "applied", "ece_threshold", "fitted_on")},
        certificate,
        created,
        neutral=rule.to_json() if rule else None,
        presence_output=recipe.neutral == recipes.NEUTRAL_PRESENCE,
        classes=recipe.neutral == recipes.NEUTRAL_CLASSES,
    )
    test = (
        imdb_test_metrics(data.test[IMDB_TEST], outputs[IMDB_TEST], cal["temperature"])
        if IMDB_TEST in data.test
        else None
    )
    history = training["history"]
    metrics = {
        "model_version": manifest["version"],
        "recipe": recipe.name,
        "test": test,
        "validation": _pooled_validation(data, per_domain),
        "domains": per_domain,
        "neutral": rule_figures,
        "calibration": cal,
        "training": {
            "seconds": training["seconds"],
            "kept_epoch": training["kept_epoch"],
            "epochs_run": len(history["loss"]),
            "history": history,
        },
    }
    artifact.write_json(out / artifact.METRICS, metrics)
    (out / artifact.MODEL_CARD).write_text(report.model_card(manifest, metrics), encoding="utf-8")
    (out / artifact.PLOTS).mkdir(exist_ok=True)
    kept = training["kept_epoch"]
    plots.training_curves(history, kept, out / artifact.PLOTS / "training_curves.png")
    applied = cal["applied"]  # without a temperature the two curves are the same
    plots.reliability_diagram(
        cal["reliability_before"],
        cal["reliability_after"] if applied else None,
        cal["validation_ece_before"],
        cal["validation_ece_after"] if applied else None,
        out / artifact.PLOTS / "reliability.png",
    )
    plots.per_domain(per_domain, out / artifact.PLOTS / "per_domain.png")
    artifact.write_json(out / artifact.MANIFEST, manifest)  # last: marks the directory complete
    print_summary(recipe.name, training, metrics, manifest)


def _pooled_validation(data, per_domain: dict) -> dict:
    """Polar accuracy over all validation rows pooled (size-weighted mean of the domains)."""
    total = sum(per_domain[n]["polar_examples"] for n in data.validation)
    if not total:
        return {"accuracy": None, "examples": 0}
    accuracy = sum(
        (per_domain[n]["accuracy"] or 0.0) * per_domain[n]["polar_examples"]
        for n in data.validation
    )
    neutral = sum(int((rows.labels == NEUTRAL).sum()) for rows in data.validation.values())
    return {"accuracy": accuracy / total, "polar_examples": total, "neutral_examples": neutral}


def print_summary(recipe: str, training: dict, metrics: dict, manifest: dict) -> None:
    from model.training.domains import text_table

    test, cal = metrics.get("test"), metrics["calibration"]
    certificate = manifest["portable"]
    kept = training["kept_epoch"]
    rule = manifest.get("neutral")
    if not rule:
        rule_text = "none (never answers neutral)"
    elif rule["method"] == "offsets":
        rule_text = "argmax(log p + offset): " + ", ".join(
            f"{k} {v:+.2f}" for k, v in rule["offsets"].items()
        )
    else:
        rule_text = f"{rule['method']} < {rule['threshold']:.4f}"
    rows = [
        ("recipe", recipe),
        ("epochs run", f"{len(training['history']['loss'])}"),
        ("weights kept from", f"epoch {kept}" if kept else "last epoch"),
        ("training time", f"{training['seconds']:.0f} s"),
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
        ("temperature", f"{cal['temperature']:.3f}" + ("" if cal["applied"] else " (not needed)")),
        ("decision rule", rule_text),
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
