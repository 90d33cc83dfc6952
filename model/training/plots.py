"""The tutorial's training curves, a reliability diagram and a per-domain chart, saved as PNG."""

from __future__ import annotations

from pathlib import Path


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # headless: no display on servers and CI
    import matplotlib.pyplot as plt

    return plt


def training_curves(history: dict[str, list[float]], best_epoch: int | None, path: Path) -> Path:
    """Loss and accuracy per epoch, train vs validation, best epoch marked."""
    plt = _pyplot()
    epochs = range(1, len(history["loss"]) + 1)
    accuracy = "accuracy" if "accuracy" in history else "output_accuracy"  # two-output network
    panels = [("loss", "Loss")] + ([(accuracy, "Accuracy")] if accuracy in history else [])
    figure, axes = plt.subplots(1, len(panels), figsize=(5.5 * len(panels), 4), squeeze=False)
    for ax, (key, title) in zip(axes[0], panels, strict=True):
        ax.plot(epochs, history[key], "bo-", markersize=3, label=f"Training {title.lower()}")
        ax.plot(epochs, history[f"val_{key}"], "r.-", label=f"Validation {title.lower()}")
        if best_epoch:
            ax.axvline(best_epoch, color="grey", linestyle=":", label=f"kept: epoch {best_epoch}")
        ax.set_title(f"Training and validation {title.lower()}")
        ax.set_xlabel("Epochs")
        ax.set_ylabel(title)
        ax.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path


def reliability_diagram(
    before: list[dict],
    after: list[dict] | None,
    ece_before: float,
    ece_after: float | None,
    path: Path,
    split: str = "validation",
) -> Path:
    """Accuracy against confidence per bin; the diagonal is perfect calibration."""
    plt = _pyplot()
    figure, ax = plt.subplots(figsize=(5.5, 5))
    ax.plot([0.5, 1.0], [0.5, 1.0], "k--", label="perfectly calibrated")
    series = [(before, f"model output (ECE {ece_before:.3f})", "tab:red")]
    if after is not None and ece_after is not None:
        series.append((after, f"temperature-scaled (ECE {ece_after:.3f})", "tab:blue"))
    for table, label, colour in series:
        points = [(r["confidence"], r["accuracy"]) for r in table if r["count"]]
        ax.plot([p[0] for p in points], [p[1] for p in points], "o-", color=colour, label=label)
    ax.set_xlabel("Confidence in predicted label")
    ax.set_ylabel("Accuracy")
    ax.set_title(f"Reliability on the {split} split (10 bins)")
    ax.set_xlim(0.5, 1.0)
    ax.set_ylim(0.0, 1.0)
    ax.legend(loc="lower right")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path


def per_domain(domains: dict[str, dict], path: Path) -> Path:
    """Accuracy and F1 per domain (bars), neutral false-flag rate and recall (markers)."""
    import numpy as np

    plt = _pyplot()
    names = list(domains)
    x = np.arange(len(names))

    def values(key: str) -> list[float]:
        return [np.nan if domains[n].get(key) is None else domains[n][key] for n in names]

    figure, ax = plt.subplots(figsize=(max(7, 1.1 * len(names) + 2), 5.4))
    ax.bar(x - 0.2, values("accuracy"), 0.4, label="accuracy (polar rows)", color="tab:blue")
    ax.bar(x + 0.2, values("f1"), 0.4, label="F1 (polar rows)", color="tab:cyan")
    ax.plot(x, values("neutral_rate"), "v", color="tab:red", label="polar rows called neutral")
    ax.plot(x, values("neutral_recall"), "^", color="tab:green", label="neutral rows recalled")
    ax.set_xticks(x, [f"{n}\n({domains[n]['examples']:,})" for n in names], fontsize=8)
    plt.setp(ax.get_xticklabels(), rotation=30, ha="right")
    ax.set_ylim(0.0, 1.0)
    ax.set_ylabel("rate")
    ax.set_title("Per domain: validation splits and the IMDB test split")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.32), ncol=4, fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path
