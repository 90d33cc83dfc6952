"""Per-domain figures: how the model does on each corpus's validation split and on IMDB test.

Polar figures (accuracy, F1, ECE) use the polar rows only and the side the model leans to
(P(positive) >= 0.5), so they compare across models with and without a neutral answer. The
neutral answer is measured separately: how often polar rows are flagged neutral (false flags)
and how often truly neutral rows are (recall).
"""

from __future__ import annotations

import numpy as np

from model.training.calibration import expected_calibration_error
from model.training.corpora import NEUTRAL, POSITIVE
from model.training.metrics import classification_metrics

COLUMNS = ("examples", "accuracy", "f1", "ece", "neutral_rate", "neutral_recall")
#: The three-way columns (a three-class model's labels against the true ones, neutral included)
#: and the same figures for VADER's rule on the same rows: the baseline to beat.
THREE_WAY_COLUMNS = (
    "examples",
    "macro_recall",
    "vader_macro_recall",
    "macro_f1",
    "vader_macro_f1",
    "answered_right",
    "vader_answered_right",
    "accuracy",
    "vader_accuracy",
)


def three_way_metrics(labels: np.ndarray, predicted: np.ndarray) -> dict:
    """Macro recall and macro F1 over the classes present in ``labels`` (a predicted class that
    is absent from the truth still costs precision), and the share answered right."""
    labels, predicted = np.asarray(labels), np.asarray(predicted)
    present = [c for c in range(3) if (labels == c).any()]
    recalls, f1s = [], []
    for c in present:
        truth, said = labels == c, predicted == c
        recall = float((said & truth).sum() / truth.sum())
        precision = float((said & truth).sum() / said.sum()) if said.any() else 0.0
        recalls.append(recall)
        f1s.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return {
        "macro_recall": float(np.mean(recalls)) if recalls else None,
        "macro_f1": float(np.mean(f1s)) if f1s else None,
        "answered_right": float((labels == predicted).mean()) if len(labels) else None,
    }


def vader_codes(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """VADER's labels by its own +-0.05 compound rule, and its compound scores."""
    from model.training.lexicon import vader_compound

    compound = vader_compound(texts)
    codes = np.where(compound >= 0.05, POSITIVE, np.where(compound <= -0.05, 0, NEUTRAL))
    return codes, compound


def with_three_way(row: dict, labels: np.ndarray, predicted: np.ndarray, texts: list[str]) -> dict:
    """A domain row plus the three-way figures of the model and of VADER on the same rows."""
    labels = np.asarray(labels)
    row.update(three_way_metrics(labels, predicted))
    codes, compound = vader_codes(texts)
    vader = three_way_metrics(labels, codes)
    row.update({f"vader_{k}": v for k, v in vader.items()})
    polar = labels != NEUTRAL
    row["vader_accuracy"] = (
        float(((compound[polar] >= 0) == (labels[polar] == POSITIVE)).mean())
        if polar.any()
        else None
    )
    return row


def domain_metrics(p_positive: np.ndarray, labels: np.ndarray, neutral: np.ndarray) -> dict:
    """One domain's row: examples, accuracy, F1, ECE, neutral rates (None where undefined)."""
    p = np.asarray(p_positive, dtype=np.float64)
    labels = np.asarray(labels)
    neutral = np.asarray(neutral, dtype=bool)
    polar = labels != NEUTRAL
    y = (labels[polar] == POSITIVE).astype(int)
    row: dict = {
        "examples": len(labels),
        "polar_examples": int(polar.sum()),
        "neutral_examples": int((~polar).sum()),
        "accuracy": None,
        "f1": None,
        "ece": None,
    }
    if polar.any():
        figures = classification_metrics(p[polar], y)
        row.update(
            accuracy=figures["accuracy"],
            f1=figures["f1"],
            precision=figures["precision"],
            recall=figures["recall"],
            roc_auc=figures["roc_auc"],
            loss=figures["loss"],
            ece=expected_calibration_error(p[polar], y),
        )
    row["neutral_rate"] = float(neutral[polar].mean()) if polar.any() else None
    row["neutral_recall"] = float(neutral[~polar].mean()) if (~polar).any() else None
    row["answered_neutral"] = float(neutral.mean()) if len(neutral) else None
    return row


def _cell(value, column: str) -> str:
    if value is None:
        return "-"
    if column == "examples":
        return f"{value:,}"
    return f"{value:.3f}"


def table_rows(domains: dict[str, dict]) -> list[list[str]]:
    """Header + one row per domain, formatted (shared by the CLI table and the model card)."""
    if any("macro_recall" in figures for figures in domains.values()):
        header = [
            "domain",
            "examples",
            "macro recall",
            "VADER",
            "macro F1",
            "VADER",
            "right",
            "VADER",
            "polar acc",
            "VADER",
        ]
        columns = THREE_WAY_COLUMNS
    else:
        header = [
            "domain",
            "examples",
            "accuracy",
            "F1",
            "ECE",
            "neutral (polar)",
            "neutral recall",
        ]
        columns = COLUMNS
    rows = [header]
    for name, figures in domains.items():
        rows.append([name] + [_cell(figures.get(c), c) for c in columns])
    return rows


def text_table(domains: dict[str, dict]) -> str:
    """An aligned plain-text table for terminals."""
    rows = table_rows(domains)
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for number, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells))
        if number == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown_table(domains: dict[str, dict]) -> str:
    rows = table_rows(domains)
    out = ["| " + " | ".join(rows[0]) + " |", "| --- |" + " ---: |" * (len(rows[0]) - 1)]
    out += ["| " + " | ".join(row) + " |" for row in rows[1:]]
    return "\n".join(out)


def measure_domains(data, outputs: dict, temperature: float, rule, vader: bool = True) -> dict:
    """Per-domain figures: every validation split, then the test split(s). A three-class model
    also gets the three-way figures, with VADER's on the same validation rows beside them."""
    from model.serving.postprocess import (
        DecisionRule,
        NeutralRule,
        class_probabilities,
        log_softmax,
        neutral_mask,
        p_positive,
    )

    report = {}
    for name, rows in {**data.validation, **data.test}.items():
        out = outputs[name]
        if "logits" in out:
            p = class_probabilities(out["logits"], temperature)
            polar_p = p[:, 1] / np.maximum(p[:, 0] + p[:, 1], 1e-300)
            decision = rule if isinstance(rule, DecisionRule) else DecisionRule()
            predicted = decision.choose(
                log_softmax(out["logits"], temperature), out.get("evidence")
            )
            row = domain_metrics(polar_p, rows.labels, predicted == NEUTRAL)
            if vader and name in data.validation and len(rows):
                row = with_three_way(row, rows.labels, predicted, rows.texts)
            else:
                row.update(three_way_metrics(rows.labels, predicted))
            report[name] = row
            continue
        p = p_positive(out["logit"], temperature)
        neutral = rule if isinstance(rule, NeutralRule) else None
        flags = neutral_mask(p, neutral, out.get("presence"))
        report[name] = domain_metrics(p, rows.labels, flags)
    return report
