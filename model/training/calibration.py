"""Is "90% confident" right 90% of the time? Expected calibration error and temperature scaling."""

from __future__ import annotations

import numpy as np

from model.serving.postprocess import sigmoid as sigmoid  # one copy, re-exported here

ECE_THRESHOLD = 0.03


def confidence_of(p_positive: np.ndarray) -> np.ndarray:
    """Confidence in the predicted label: max(p, 1 - p)."""
    p = np.asarray(p_positive, dtype=np.float64)
    return np.maximum(p, 1.0 - p)


def reliability_bins(p_positive: np.ndarray, labels: np.ndarray, bins: int = 10) -> list[dict]:
    """Per confidence bin (equal width over [0.5, 1]): count, mean confidence, accuracy."""
    p = np.asarray(p_positive, dtype=np.float64)
    y = np.asarray(labels).astype(int)
    confidence = confidence_of(p)
    correct = ((p >= 0.5).astype(int) == y).astype(float)
    edges = np.linspace(0.5, 1.0, bins + 1)
    index = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
    table = []
    for b in range(bins):
        mask = index == b
        count = int(mask.sum())
        table.append(
            {
                "lower": float(edges[b]),
                "upper": float(edges[b + 1]),
                "count": count,
                "confidence": float(confidence[mask].mean()) if count else None,
                "accuracy": float(correct[mask].mean()) if count else None,
            }
        )
    return table


def expected_calibration_error(p_positive: np.ndarray, labels: np.ndarray, bins: int = 10) -> float:
    """ECE: bin-size-weighted |accuracy - confidence| over confidence bins."""
    table = reliability_bins(p_positive, labels, bins)
    total = sum(row["count"] for row in table)
    if total == 0:
        return 0.0
    return float(
        sum(
            row["count"] / total * abs(row["accuracy"] - row["confidence"])
            for row in table
            if row["count"]
        )
    )


def binary_nll(logits: np.ndarray, labels: np.ndarray) -> float:
    """Mean binary cross-entropy computed stably from logits."""
    z = np.asarray(logits, dtype=np.float64)
    y = np.asarray(labels, dtype=np.float64)
    return float(np.mean(np.logaddexp(0.0, z) - y * z))


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """The T > 0 minimising validation NLL of sigmoid(logit / T) (golden-section on log T)."""
    lo, hi = np.log(0.05), np.log(20.0)
    ratio = (np.sqrt(5) - 1) / 2

    def loss(log_t: float) -> float:
        return binary_nll(np.asarray(logits) / np.exp(log_t), labels)

    a, b = lo, hi
    c, d = b - ratio * (b - a), a + ratio * (b - a)
    for _ in range(80):
        if loss(c) < loss(d):
            b = d
        else:
            a = c
        c, d = b - ratio * (b - a), a + ratio * (b - a)
    return float(np.exp((a + b) / 2))


def class_nll(log_p: np.ndarray, labels: np.ndarray, polar_only: np.ndarray) -> float:
    """Mean NLL of the label; polar-only rows are scored on P(label | positive or negative),
    exactly as ``model.training.network.three_way_loss`` trains them."""
    log_p = np.asarray(log_p, dtype=np.float64)
    labels = np.asarray(labels).astype(int)
    picked = log_p[np.arange(len(labels)), labels]
    polar = np.logaddexp(log_p[:, 0], log_p[:, 1])
    return float(np.mean(-(picked - np.asarray(polar_only, dtype=np.float64) * polar)))


def fit_class_temperature(logits: np.ndarray, labels: np.ndarray, polar_only: np.ndarray) -> float:
    """The T > 0 minimising the validation NLL of softmax(logits / T) (golden-section, log T)."""
    from model.serving.postprocess import log_softmax

    lo, hi = np.log(0.05), np.log(20.0)
    ratio = (np.sqrt(5) - 1) / 2

    def loss(log_t: float) -> float:
        return class_nll(log_softmax(logits, float(np.exp(log_t))), labels, polar_only)

    a, b = lo, hi
    c, d = b - ratio * (b - a), a + ratio * (b - a)
    for _ in range(60):
        if loss(c) < loss(d):
            b = d
        else:
            a = c
        c, d = b - ratio * (b - a), a + ratio * (b - a)
    return float(np.exp((a + b) / 2))


def top_label_ece(probabilities: np.ndarray, labels: np.ndarray, bins: int = 10) -> float:
    """ECE of the most probable class (three classes): |accuracy - confidence| per bin."""
    p = np.asarray(probabilities, dtype=np.float64)
    confidence = p.max(axis=1)
    correct = (p.argmax(axis=1) == np.asarray(labels)).astype(float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        mask = index == b
        if mask.any():
            total += mask.mean() * abs(correct[mask].mean() - confidence[mask].mean())
    return float(total)


def calibrate(recipe, data, outputs: dict) -> dict:
    """Step 4, calibrate: the temperature, fitted on the validation rows of the recipe's
    calibration domains (always, or only when their ECE is above the recipe's threshold).

    Three-class networks: one temperature for all three logits, minimising the NLL the network
    was trained on (polar-only corpora scored on P(label | polar)), so P(positive) and the
    others stay calibrated together. One-output networks: sigmoid(logit / T) on polar rows.
    """
    from model.serving.postprocess import class_probabilities
    from model.training.corpora import NEUTRAL, POSITIVE
    from model.training.prepare import has_neutral_class
    from model.training.recipes import TEMPERATURE_ALWAYS

    if recipe.calibration_domains is None:
        names = list(data.validation)
    else:  # the recipe's domains, plus the team's own --data files
        names = [
            n
            for n in data.validation
            if n in recipe.calibration_domains or data.sizes.get(n, {}).get("user_data")
        ]
    labels = np.concatenate([data.validation[n].labels for n in names])
    threshold = recipe.ece_threshold
    three_class = "logits" in outputs[names[0]]
    if three_class:
        z = np.concatenate([outputs[n]["logits"] for n in names])
        polar_only = np.concatenate(
            [np.full(len(data.validation[n]), not has_neutral_class(data, n)) for n in names]
        )
        mask = labels != NEUTRAL
        y = (labels[mask] == POSITIVE).astype(int)

        def polar_p(temperature: float) -> np.ndarray:
            p = class_probabilities(z[mask], temperature)
            return p[:, 1] / (p[:, 0] + p[:, 1])

        ece_before = expected_calibration_error(polar_p(1.0), y)
        applied = recipe.temperature == TEMPERATURE_ALWAYS or ece_before > threshold
        temperature = fit_class_temperature(z, labels, polar_only) if applied else 1.0
        before, after = polar_p(1.0), polar_p(temperature)
        three = [n for n in names if has_neutral_class(data, n)]
        extra = {}
        if three:
            z3 = np.concatenate([outputs[n]["logits"] for n in three])
            y3 = np.concatenate([data.validation[n].labels for n in three])
            extra = {
                "three_class_top_label_ece_before": top_label_ece(class_probabilities(z3), y3),
                "three_class_top_label_ece_after": top_label_ece(
                    class_probabilities(z3, temperature), y3
                ),
                "three_class_measured_on": three,
            }
    else:
        mask = labels != NEUTRAL
        y = (labels[mask] == POSITIVE).astype(int)
        z = np.concatenate([outputs[n]["logit"] for n in names])[mask]
        ece_before = expected_calibration_error(sigmoid(z), y)
        applied = recipe.temperature == TEMPERATURE_ALWAYS or ece_before > threshold
        temperature = fit_temperature(z, y) if applied else 1.0
        before, after, extra = sigmoid(z), sigmoid(z / temperature), {}
    print(f"temperature {temperature:.3f} (fitted on {len(labels):,} validation rows)", flush=True)
    return {
        "temperature": temperature,
        "applied": bool(applied),
        "ece_threshold": threshold,
        "bins": 10,
        "fitted_on": f"validation rows of: {', '.join(names)}" if applied else None,
        "measured_on": names,
        "when": recipe.temperature,
        "validation_ece_before": ece_before,
        "validation_ece_after": expected_calibration_error(after, y),
        "reliability_before": reliability_bins(before, y),
        "reliability_after": reliability_bins(after, y),
        **extra,
    }
