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
    header = ["domain", "examples", "accuracy", "F1", "ECE", "neutral (polar)", "neutral recall"]
    rows = [header]
    for name, figures in domains.items():
        rows.append([name] + [_cell(figures.get(c), c) for c in COLUMNS])
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
