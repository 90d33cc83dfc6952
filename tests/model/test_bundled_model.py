"""The model bundled in the package: served by the lite runtime alone, certified, reproducible.

These tests load the committed bundle; none of them trains (``make bundle`` does that).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import model
from model.serving import artifact
from model.serving.bundle import BUNDLED_MODEL_DIR, REFERENCE_SAMPLE
from model.serving.config import serving_model_dir
from tests.conftest import ROOT

MAX_BUNDLE_BYTES = 15 * 1024 * 1024
REGENERATE = "run `make bundle` (python -m model.bundle) and commit model/serving/bundled_model"


@pytest.fixture(scope="module")
def manifest() -> dict:
    return artifact.read_manifest(BUNDLED_MODEL_DIR)


@pytest.fixture(scope="module")
def sample() -> dict:
    return artifact.read_json(BUNDLED_MODEL_DIR / REFERENCE_SAMPLE)


def test_bundle_holds_the_portable_form_and_its_metadata_only():
    for name in (artifact.MANIFEST, artifact.METRICS, artifact.MODEL_CARD, REFERENCE_SAMPLE):
        assert (BUNDLED_MODEL_DIR / name).is_file(), name
    assert any((BUNDLED_MODEL_DIR / artifact.PORTABLE).iterdir())
    assert not (BUNDLED_MODEL_DIR / artifact.SAVED_MODEL).exists(), "TensorFlow-only, large"
    size = sum(f.stat().st_size for f in BUNDLED_MODEL_DIR.rglob("*") if f.is_file())
    assert size <= MAX_BUNDLE_BYTES, f"bundle is {size / 1e6:.1f} MB"


def test_bundle_is_package_data_and_not_git_ignored():
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert '"bundled_model/portable/*"' in pyproject and '"bundled_model/*.json"' in pyproject
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", str(BUNDLED_MODEL_DIR / artifact.MANIFEST)], cwd=ROOT
    )
    assert ignored.returncode == 1, "the bundle must be committed, so it cannot be git-ignored"


def test_manifest_records_revision_recipe_data_and_metrics(manifest):
    bundle = manifest["bundle"]
    assert bundle["recipe"] and len(bundle["recipe_fingerprint"]) == 64
    assert bundle["git_revision"] and bundle["data"]
    assert 0.5 < bundle["metrics"]["test"]["accuracy"] <= 1.0
    metrics = artifact.read_json(BUNDLED_MODEL_DIR / artifact.METRICS)
    assert bundle["metrics"]["test"]["accuracy"] == metrics["test"]["accuracy"]
    assert manifest["version"] in (BUNDLED_MODEL_DIR / artifact.MODEL_CARD).read_text()


def test_bundle_carries_its_parity_certificate(manifest):
    certificate = manifest["portable"]
    assert certificate["certified"] is True
    assert certificate["max_abs_diff_p_positive"] <= certificate["tolerance"] <= 1e-5
    assert certificate["label_disagreements"] == 0
    assert certificate["validation_texts"] >= 1000
    stored = artifact.read_json(BUNDLED_MODEL_DIR / artifact.PORTABLE / "portable.json")
    assert stored["certificate"] == certificate


def test_bundle_loads_with_the_lite_runtime_and_no_tensorflow(tmp_path):
    """In a process where TensorFlow cannot be imported, from a directory with no model."""
    script = (
        "import json, sys\n"
        "sys.modules['tensorflow'] = None  # any import of TensorFlow now fails\n"
        "import model\n"
        "classifier = model.load()\n"
        "p = classifier.predict(['what a wonderful day', 'this is awful'])\n"
        "print(json.dumps({'runtime': classifier.info.runtime, 'path': classifier.info.path,\n"
        "    'version': classifier.info.version, 'labels': [x.leaning for x in p]}))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("MODEL_DIR", "MODEL_RUNTIME")}
    env["PYTHONPATH"] = str(ROOT)
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-2000:]
    served = json.loads(result.stdout)
    assert served["runtime"] == "lite"
    assert Path(served["path"]).resolve() == BUNDLED_MODEL_DIR.resolve()
    assert served["version"] == artifact.read_manifest(BUNDLED_MODEL_DIR)["version"]
    assert served["labels"] == ["positive", "negative"]


def test_console_bot_names_the_bundled_model_it_serves(tmp_path, manifest):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SLACK_") and k not in ("MODEL_DIR", "MODEL_RUNTIME")
    }
    env["PYTHONPATH"] = str(ROOT)
    result = subprocess.run(
        [sys.executable, "-m", "bot", "console"],
        input="what a wonderful day\n",
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert manifest["version"] in result.stderr and "lite" in result.stderr
    assert result.stdout.startswith("positive")


def test_reference_sample_reproduces_the_recorded_probabilities(sample, manifest):
    assert sample["model_version"] == manifest["version"]
    assert len(sample["texts"]) == len(sample["p_positive"]) >= 50
    classifier = model.load(BUNDLED_MODEL_DIR, runtime="lite")
    predictions = classifier.predict(sample["texts"])
    for field in ("p_positive", "p_negative", "p_neutral"):
        rescored = np.array([getattr(p, field) for p in predictions])
        recorded = np.array(sample[field])
        worst = int(np.argmax(np.abs(rescored - recorded)))
        assert abs(rescored[worst] - recorded[worst]) <= 1e-6, (field, sample["texts"][worst][:80])
    assert [p.label for p in predictions] == sample["labels"]
    assert set(sample["labels"]) == {"positive", "negative", "neutral"}  # a three-way model
    recorded = np.array(sample["p_positive"])
    # ...and the recorded values are those of the TensorFlow model it was exported from.
    tensorflow = np.array(sample["p_positive_tensorflow"])
    assert np.abs(recorded - tensorflow).max() <= manifest["portable"]["tolerance"]


def test_bundle_was_made_from_the_current_recipe(manifest):
    from model.training.bundle import default_recipe, recipe_fingerprint

    recipe = default_recipe()
    assert manifest["bundle"]["recipe"] == recipe, f"the default recipe is now {recipe!r}: " + (
        REGENERATE
    )
    assert manifest["bundle"]["recipe_fingerprint"] == recipe_fingerprint(recipe), (
        f"the {recipe!r} recipe changed since the bundle was made: {REGENERATE}"
    )


def test_fingerprint_follows_any_change_of_the_recipe_definition(monkeypatch):
    from model.training import recipes
    from model.training.bundle import recipe_fingerprint

    name = recipes.DEFAULT_RECIPE
    before = recipe_fingerprint(name)
    assert recipe_fingerprint(name) == before, "stable for an unchanged recipe"
    original = recipes.describe(name)
    changed = {**original, "epochs": original["epochs"] + 1}
    monkeypatch.setattr(recipes, "describe", lambda _name: changed)
    assert recipe_fingerprint(name) != before


# --- which model model.load() serves -------------------------------------------------------


def test_load_without_configuration_serves_the_bundle(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MODEL_DIR", raising=False)
    assert serving_model_dir() == BUNDLED_MODEL_DIR


def test_a_trained_model_in_artifacts_wins_over_the_bundle(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MODEL_DIR", raising=False)
    (tmp_path / "artifacts" / "model").mkdir(parents=True)
    assert serving_model_dir() == BUNDLED_MODEL_DIR, "an empty artifacts/model is not a model"
    (tmp_path / "artifacts" / "model" / artifact.MANIFEST).write_text("{}")
    assert serving_model_dir() == Path("artifacts/model")


def test_model_dir_and_explicit_path_override_the_bundle(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MODEL_DIR", str(tmp_path / "elsewhere"))
    with pytest.raises(model.ModelNotFoundError, match="elsewhere"):
        model.load()
    with pytest.raises(model.ModelNotFoundError, match="explicit"):
        model.load(tmp_path / "explicit")


def test_the_bot_hands_the_bundle_the_emoji_it_learned():
    """Slack markup cleaning keeps the shortcodes the bundled model reads, so they count."""
    from bot.analysis import Analyzer

    classifier = model.load(BUNDLED_MODEL_DIR)
    assert {":tada:", ":+1:", ":disappointed:"} <= classifier.info.emoji_codes
    assert ":partyparrot:" not in classifier.info.emoji_codes
    analyzer = Analyzer(classifier)
    assert analyzer.clean("<@U1> :tada::skin-tone-2: :partyparrot:") == ":tada:"
    assert analyzer.analyse(analyzer.clean("<@U1> :tada:")).label == "positive"
    assert analyzer.analyse(analyzer.clean("<@U1> :disappointed:")).label == "negative"
