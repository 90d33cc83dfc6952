"""Training as named steps: prepare -> fit -> score -> calibrate -> decision rule -> certify ->
export -> report. Each step lives in its own module; this one only runs them in order and
passes each one's result to the next. ``python -m model.train`` (``train_cli``) parses the
arguments and calls :func:`run`.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import time
from pathlib import Path

from model.serving.config import default_model_dir
from model.training import recipes

STEPS = (
    "prepare",
    "fit",
    "score",
    "calibrate",
    "decision rule",
    "certify + export",
    "report",
)


def _step(number: int, started: float) -> None:
    print(
        f"\n[{number}/{len(STEPS)}] {STEPS[number - 1]} ({time.perf_counter() - started:.0f} s in)",
        flush=True,
    )


def run(args) -> Path:
    """Train ``args.recipe`` into ``args.out``; returns the model directory."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from model.training.prepare import check_data_files

    recipe = recipes.get(args.recipe)
    check_data_files(args.data)
    with tempfile.TemporaryDirectory(prefix="model-train-") as workdir:
        return _run(args, recipe, Path(workdir))


def _run(args, recipe: recipes.Recipe, workdir: Path) -> Path:
    from model.training import calibration, decision, domains, export, prepare, scoring, summary
    from model.training.fit import train_network

    started = time.perf_counter()
    out = args.out or default_model_dir()
    print(f"recipe {recipe.name!r}: {recipe.description}", flush=True)
    _step(1, started)
    prepared = prepare.prepare(recipe, args, workdir)
    data = prepared.data
    _step(2, started)
    network, history, kept, seconds, settings = train_network(recipe, prepared, args, args.seed)
    _step(3, started)
    outputs = scoring.score_splits(network, data)
    _step(4, started)
    cal = calibration.calibrate(recipe, data, outputs)
    _step(5, started)
    rule, rule_figures = decision.fit_rule(recipe, data, outputs, cal["temperature"])
    print("measuring every domain (VADER's figures on the same rows beside)", flush=True)
    per_domain = domains.measure_domains(data, outputs, cal["temperature"], rule)
    _step(6, started)
    certificate = export.export_model(
        network,
        prepared.module_dir,
        cal["temperature"],
        out,
        data.pooled_validation().texts,
        rule,
        require_certified=not getattr(args, "allow_uncertified", False),
    )
    _step(7, started)
    training = {"seconds": seconds, "kept_epoch": kept, "history": history, **settings}
    summary.write_report(
        recipe,
        args,
        prepared,
        training,
        outputs,
        cal,
        rule,
        rule_figures,
        per_domain,
        certificate,
        out,
        dt.datetime.now(dt.timezone.utc),
    )
    return out
