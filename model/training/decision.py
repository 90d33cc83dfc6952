"""The decision rule of a three-class model, fitted on validation data.

The network gives P(negative), P(positive), P(no clear sentiment); the label shown is
argmax(log p + offset) with one offset per class, plus one more for the neutral score of a text
with no lexicon word at all (``model.serving.postprocess.DecisionRule``). The offsets are
searched (a coarse grid for each no-evidence offset, then a finer one around the best point;
the positive offset stays 0 since only differences matter) to maximise the mean 3-class
macro-averaged recall over the validation splits of the corpora that have a real neutral class
(conversation: Reddit, Stack Overflow, tweets), each domain counting once whatever its size.
Macro recall is the official TweetEval metric: every class counts the same, so "neutral for
everything" or "never neutral" both score badly.
"""

from __future__ import annotations

import numpy as np

from model.serving.postprocess import DecisionRule

CLASS_COUNT = 3
#: The extra neutral offsets tried for texts without a single lexicon word.
NO_EVIDENCE_EXTRAS = tuple(np.round(np.arange(-1.0, 3.01, 0.25), 2))


def macro_recall(truth: np.ndarray, predicted: np.ndarray, classes: int = CLASS_COUNT) -> float:
    """Mean over the classes present in ``truth`` of the share of that class predicted right."""
    truth, predicted = np.asarray(truth), np.asarray(predicted)
    present = [c for c in range(classes) if (truth == c).any()]
    if not present:
        return float("nan")
    return float(np.mean([(predicted[truth == c] == c).mean() for c in present]))


def _recalls_for(
    log_p: np.ndarray,
    truth: np.ndarray,
    neg: np.ndarray,
    neu: np.ndarray,
    no_evidence: np.ndarray | None = None,
    extra: float = 0.0,
) -> np.ndarray:
    """Macro recall for every (negative offset, neutral offset) pair: [len(neg), len(neu)],
    with ``extra`` added to the neutral score of the rows flagged in ``no_evidence``."""
    present = [c for c in range(CLASS_COUNT) if (truth == c).any()]
    out = np.zeros((len(neg), len(neu)))
    neutral = log_p[:, 2] + (extra * no_evidence if no_evidence is not None else 0.0)
    for i, b_neg in enumerate(neg):
        s_neg = log_p[:, 0] + b_neg  # [n]
        s_pos = log_p[:, 1]
        s_neu = neutral[None, :] + neu[:, None]  # [m, n]
        # argmax with ties to the first class (negative, positive, neutral), as serving does.
        pick_neg = (s_neg >= s_pos)[None, :] & (s_neg[None, :] >= s_neu)
        pick_pos = ~pick_neg & (s_pos[None, :] >= s_neu)
        pick_neu = ~pick_neg & ~pick_pos
        picks = (pick_neg, pick_pos, pick_neu)
        out[i] = np.mean([picks[c][:, truth == c].mean(axis=1) for c in present], axis=0)
    return out


def fit_offsets(
    domains: dict[str, tuple],
    coarse: float = 0.1,
    fine: float = 0.01,
    span: float = 3.0,
    extras: tuple[float, ...] = (0.0,),
) -> tuple[DecisionRule, dict]:
    """Offsets maximising the mean macro recall over ``domains`` ({name: (log_p, truth) or
    (log_p, truth, lexicon evidence)}); ``extras`` are the no-evidence neutral offsets tried
    (only (0,) when no domain has evidence)."""
    if not domains:
        return DecisionRule(), {"fitted_on": [], "objective": None}
    parts = [
        (v[0], v[1], None if len(v) < 3 or v[2] is None else (np.asarray(v[2]) <= 0).astype(float))
        for v in domains.values()
    ]
    if any(flags is None for _, _, flags in parts):
        extras = (0.0,)

    def objective(neg: np.ndarray, neu: np.ndarray, extra: float) -> np.ndarray:
        return np.mean([_recalls_for(lp, y, neg, neu, f, extra) for lp, y, f in parts], axis=0)

    grid = np.round(np.arange(-span, span + coarse / 2, coarse), 6)
    best = (-1.0, 0.0, 0.0, 0.0)
    for extra in extras:
        scores = objective(grid, grid, extra)
        i, j = np.unravel_index(int(np.argmax(scores)), scores.shape)
        if scores[i, j] > best[0]:
            best = (float(scores[i, j]), float(grid[i]), float(grid[j]), float(extra))
    _, b_neg, b_neu, extra = best
    neg_fine = np.round(np.arange(b_neg - coarse, b_neg + coarse + fine / 2, fine), 6)
    neu_fine = np.round(np.arange(b_neu - coarse, b_neu + coarse + fine / 2, fine), 6)
    scores = objective(neg_fine, neu_fine, extra)
    k, m = np.unravel_index(int(np.argmax(scores)), scores.shape)
    rule = DecisionRule((float(neg_fine[k]), 0.0, float(neu_fine[m])), extra)
    plain = objective(np.zeros(1), np.zeros(1), 0.0)[0, 0]
    figures = {
        "fitted_on": list(domains),
        "objective": "mean 3-class macro recall over the fitted-on validation splits",
        "validation_objective": float(scores[k, m]),
        "validation_objective_plain_argmax": float(plain),
        "per_domain": {
            name: macro_recall(y, rule.choose(lp, None if f is None else 1.0 - f))
            for name, (lp, y, f) in zip(domains, parts, strict=True)
        },
    }
    return rule, figures


def fit_rule(recipe, data, outputs: dict, temperature: float):
    """Step 5, decision rule: (rule or None, figures). Three-class recipes fit the offsets on
    every validation split that has a neutral class; older designs their neutral threshold."""
    from model.serving.postprocess import log_softmax
    from model.training.prepare import has_neutral_class
    from model.training.recipes import NEUTRAL_CLASSES, NEUTRAL_NONE

    if recipe.neutral == NEUTRAL_NONE:
        return None, None
    if recipe.neutral != NEUTRAL_CLASSES:
        raise ValueError(
            f"the {recipe.neutral!r} neutral design is no longer trained; use "
            f"{NEUTRAL_CLASSES!r} (three outputs and a fitted decision rule)"
        )
    chosen = recipe.decision_domains
    domains = {
        name: (
            log_softmax(outputs[name]["logits"], temperature),
            rows.labels,
            outputs[name].get("evidence"),
        )
        for name, rows in data.validation.items()
        if has_neutral_class(data, name)
        and len(rows)
        and (chosen is None or name in chosen or data.sizes.get(name, {}).get("user_data"))
    }
    rule, figures = fit_offsets(domains, extras=NO_EVIDENCE_EXTRAS)
    print(
        "decision rule: offsets "
        + ", ".join(f"{k} {v:+.2f}" for k, v in rule.to_json()["offsets"].items())
        + f", neutral without lexicon evidence {rule.no_evidence_neutral:+.2f}"
        + f"; mean macro recall {figures.get('validation_objective') or 0:.3f} over "
        + ", ".join(domains),
        flush=True,
    )
    return rule, figures
