"""Regenerate the bundled default model: ``python -m model.bundle`` (what ``make bundle`` runs).

One command from recipe to package data, so the bundle is reproducible rather than a blob:
train the default recipe into ``artifacts/model`` (or reuse that directory when it was trained
from the same recipe definition), check that its portable form is certified, copy what the lite
runtime needs into ``model/serving/bundled_model/``, and record there the recipe, its
fingerprint, the git revision, the data and the metrics, plus a reference sample (fixed
validation texts with the P(positive) they get at bundling) that the tests re-score.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import logging
import shutil
import subprocess
import sys
from pathlib import Path

from model.serving import artifact
from model.serving.bundle import BUNDLED_MODEL_DIR, REFERENCE_SAMPLE
from model.serving.errors import ModelError, exit_on_model_error

log = logging.getLogger("model.bundle")

DEFAULT_SOURCE = Path("artifacts/model")
#: Validation texts recorded in the reference sample (plus the short hard cases).
SAMPLE_SIZE = 64
MAX_BUNDLE_BYTES = 15 * 1024 * 1024


def default_recipe() -> str:
    """The recipe ``python -m model.train`` uses when given none."""
    from model.training import recipes

    return recipes.DEFAULT_RECIPE


def recipe_definition(name: str) -> dict:
    """The recipe as plain data (model.training.recipes): everything that decides the model."""
    from model.training import recipes

    return recipes.describe(name)


def fingerprint(definition: dict) -> str:
    """sha256 of a recipe definition as canonical JSON: it changes iff the recipe does."""
    canonical = json.dumps(definition, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def recipe_fingerprint(name: str) -> str:
    """The fingerprint of the named recipe as the code defines it now."""
    return fingerprint(recipe_definition(name))


#: Written next to a model that ``train`` made, so a second ``make bundle`` can reuse it.
TRAINED_FROM = "trained_from_recipe.json"


def _trained_fingerprint(model_dir: Path) -> str | None:
    """The fingerprint of the recipe a model directory was trained from, if it says."""
    try:
        manifest = artifact.read_manifest(model_dir)
    except ModelError:
        return None
    definition = manifest.get("config", {}).get("recipe_definition")
    if definition:
        return fingerprint(definition)
    stamp = Path(model_dir) / TRAINED_FROM
    return artifact.read_json(stamp).get("recipe_fingerprint") if stamp.is_file() else None


def train(recipe: str, model_dir: Path, data_dir: str | None) -> None:
    """Train the recipe into ``model_dir`` through the real command line (progress shows)."""
    command = [sys.executable, "-m", "model.train", "--recipe", recipe, "--out", str(model_dir)]
    if data_dir:
        command += ["--data-dir", data_dir]
    log.info("training recipe %r into %s: %s", recipe, model_dir, " ".join(command[1:]))
    if subprocess.run(command, check=False).returncode != 0:
        raise ModelError(f"training the {recipe!r} recipe failed (see above); nothing bundled")
    stamp = {"recipe": recipe, "recipe_fingerprint": recipe_fingerprint(recipe)}
    artifact.write_json(Path(model_dir) / TRAINED_FROM, stamp)


#: Short chat-like messages (the bot's real input), fixed, next to the validation reviews.
CHAT_MESSAGES = (
    "what a wonderful day",
    "not bad at all",
    "great job on the release everyone!",
    "the deploy failed again, this is so frustrating",
    "thanks so much, really appreciate the help",
    "meh, it was fine I guess",
    "This is the worst meeting of the week",
    "lunch is at noon in the kitchen",
    "I can't say I loved it",
    "love it :tada: :heart:",
    "ugh 😡 never again",
    "the build is green 🎉",
)


def validation_sample(data_dir: str | None, size: int = SAMPLE_SIZE) -> list[str]:
    """Fixed texts: the first ``size`` IMDB validation reviews (tfds splits are deterministic),
    chat-like messages, and the short hard cases."""
    from model.training.data import as_arrays, load_splits
    from model.training.hard_cases import hard_cases

    _, validation, _ = load_splits(data_dir)
    texts, _ = as_arrays(validation.take(size))
    short_hard_cases = [t for t in hard_cases() if len(t) <= 1000]
    return [str(t) for t in texts] + list(CHAT_MESSAGES) + short_hard_cases


def reference_sample(source: Path, bundled: Path, texts: list[str]) -> dict:
    """P(positive) of each text from the bundle (lite) and from the source SavedModel."""
    import model

    lite = model.load(bundled, runtime="lite")
    tensorflow = model.load(source, runtime="tensorflow")
    served = lite.predict(texts)
    return {
        "about": "fixed validation texts and the probabilities and labels the bundled model "
        "gave them when it was made; tests re-score them with the lite runtime (tolerance 1e-6)",
        "model_version": lite.info.version,
        "texts": texts,
        "p_positive": [p.p_positive for p in served],
        "p_negative": [p.p_negative for p in served],
        "p_neutral": [p.p_neutral for p in served],
        "labels": [p.label for p in served],
        "p_positive_tensorflow": [p.p_positive for p in tensorflow.predict(texts)],
    }


def _data_of(recipe: str) -> dict:
    """What a recipe trains on, when the manifest does not say."""
    definition = recipe_definition(recipe)
    return {k: definition[k] for k in ("imdb", "corpora") if k in definition}


def bundle_section(recipe: str, manifest: dict, metrics: dict) -> dict:
    """What the bundle was made from and how well it does, for the manifest's ``bundle`` key."""
    from model.training.report import git_revision

    test = metrics.get("test", {})
    return {
        "recipe": recipe,
        "recipe_fingerprint": recipe_fingerprint(recipe),
        "bundled_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "git_revision": git_revision(),
        "trained_at_git_revision": manifest.get("git_revision"),
        "data": manifest.get("config", {}).get("data") or _data_of(recipe),
        "metrics": {
            "test": {k: test[k] for k in ("accuracy", "f1", "roc_auc", "examples") if k in test},
            "domains": metrics.get("domains", {}),
        },
        "command": "make bundle  (python -m model.bundle)",
    }


def build_bundle(recipe: str, source: Path, out: Path, data_dir: str | None) -> Path:
    """Copy the certified portable form and metadata of ``source`` into ``out`` (replaced)."""
    manifest = artifact.read_manifest(source)
    portable = manifest.get("portable", {})
    if not portable.get("certified") or not (source / artifact.PORTABLE).is_dir():
        raise ModelError(
            f"{source} has no certified portable form ({portable.get('reason', 'unknown')}); "
            "the bundle must serve without TensorFlow, so nothing was bundled"
        )
    metrics = artifact.read_metrics(source)
    staging = out.with_name(out.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    shutil.copytree(source / artifact.PORTABLE, staging / artifact.PORTABLE)
    shutil.copy2(source / artifact.METRICS, staging / artifact.METRICS)
    card = (source / artifact.MODEL_CARD).read_text(encoding="utf-8")
    card += (
        "\n## Bundled copy\nThis is the model bundled in the package (portable form only, served "
        f"by the NumPy runtime). Regenerate it with `make bundle`; recipe `{recipe}`.\n"
    )
    (staging / artifact.MODEL_CARD).write_text(card, encoding="utf-8")
    manifest = {**manifest, "bundle": bundle_section(recipe, manifest, metrics)}
    artifact.write_json(staging / artifact.MANIFEST, manifest)
    texts = validation_sample(data_dir)
    artifact.write_json(staging / REFERENCE_SAMPLE, reference_sample(source, staging, texts))
    size = sum(f.stat().st_size for f in staging.rglob("*") if f.is_file())
    if size > MAX_BUNDLE_BYTES:
        raise ModelError(f"the bundle would be {size / 1e6:.1f} MB, over the 15 MB budget")
    shutil.rmtree(out, ignore_errors=True)
    staging.rename(out)
    log.info("bundled %s (%s, %.1f MB) into %s", manifest["version"], recipe, size / 1e6, out)
    return out


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m model.bundle", description=__doc__)
    parser.add_argument("--recipe", help="recipe to bundle (default: the default recipe)")
    parser.add_argument(
        "--model",
        type=Path,
        default=DEFAULT_SOURCE,
        help="where to train (or find) the full model first (default: artifacts/model)",
    )
    parser.add_argument("--data-dir", help="tensorflow-datasets dir (default: env TFDS_DATA_DIR)")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="bundle --model as it is, without checking which recipe trained it",
    )
    parser.add_argument("--retrain", action="store_true", help="train even if --model matches")
    parser.add_argument("--out", type=Path, default=BUNDLED_MODEL_DIR, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


@exit_on_model_error
def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    args = parse_args(argv)
    recipe = args.recipe or default_recipe()
    wanted = recipe_fingerprint(recipe)
    if args.reuse and not args.retrain:
        log.info("bundling %s as it is (--reuse)", args.model)
    elif args.retrain or _trained_fingerprint(args.model) != wanted:
        train(recipe, args.model, args.data_dir)
    else:
        log.info("reusing %s: trained from the current %r recipe", args.model, recipe)
    out = build_bundle(recipe, args.model, args.out, args.data_dir)
    print(f"bundle written to {out}; commit it: git add {out}")
    return 0
