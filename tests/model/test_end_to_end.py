"""Train -> export -> load -> predict on the real data: the tutorial recipe in full, through
the real CLIs (trained once per session by the ``trained_model_dir`` fixture)."""

import json

import numpy as np
import pytest

import model
from model.training import recipes
from model.training.hard_cases import hard_cases
from tests.conftest import BAR_TEXTS, assert_positive_then_negative, run_cli

pytestmark = pytest.mark.e2e

TRAINING_ONLY = ("tensorflow_hub", "tf_keras", "tensorflow_datasets")
TUTORIAL_BAR = 0.875  # issue 7: the tutorial recipe keeps >= 0.875 on all 25,000 test reviews


def test_tutorial_recipe_keeps_its_test_accuracy(trained_model_dir):
    metrics = json.loads((trained_model_dir / "metrics.json").read_text())
    test = metrics["test"]
    assert test["examples"] == 25_000
    assert test["accuracy"] >= TUTORIAL_BAR, test["accuracy"]
    assert metrics["domains"]["imdb_test"]["accuracy"] == pytest.approx(test["accuracy"])


def test_tutorial_recipe_is_recorded(trained_model_dir):
    manifest = json.loads((trained_model_dir / "manifest.json").read_text())
    config = manifest["config"]
    assert config["recipe"] == "tutorial"
    assert recipes.from_definition(config["recipe_definition"]) == recipes.TUTORIAL
    assert (config["epochs"], config["batch_size"], config["seed"]) == (20, 512, 42)
    imdb = config["data"]["corpora"]["imdb"]
    assert imdb["validation"] == 10_000 and imdb["test"] == 25_000
    # 15,000 reviews minus the few whose text is also a validation or test review
    assert 14_800 <= config["data"]["train_examples"] == imdb["train"] <= 15_000
    assert imdb["train"] + imdb["dropped_held_out"] == 15_000
    assert "neutral" not in manifest  # the tutorial never answers neutral
    card = (trained_model_dir / "model_card.md").read_text()
    assert "Recipe `tutorial`" in card and "Maas" in card and "| imdb_test |" in card


def test_artifact_is_self_contained(trained_model_dir):
    for name in (
        "manifest.json",
        "metrics.json",
        "model_card.md",
        "saved_model/saved_model.pb",
        "plots/training_curves.png",
        "plots/reliability.png",
        "plots/per_domain.png",
        "portable/weights.npz",
        "portable/vocabulary.txt",
        "portable/tokenizer.json",
    ):
        assert (trained_model_dir / name).is_file(), name
    manifest = json.loads((trained_model_dir / "manifest.json").read_text())
    assert manifest["packages"]["tensorflow"] and manifest["version"]
    assert manifest["portable"]["certified"] is True
    assert manifest["portable"]["max_abs_diff_p_positive"] <= 1e-5
    assert manifest["portable"]["hard_cases"] == len(hard_cases())
    metrics = json.loads((trained_model_dir / "metrics.json").read_text())
    test = metrics["test"]
    for key in (
        "accuracy",
        "loss",
        "precision",
        "recall",
        "f1",
        "roc_auc",
        "ece_before_calibration",
        "ece_after_calibration",
    ):
        assert 0.0 <= test[key] <= 1.0 or key == "loss", key
    assert "English only" in (trained_model_dir / "model_card.md").read_text()


@pytest.mark.parametrize("runtime", ["lite", "tensorflow"])
def test_load_and_predict_with_each_runtime(trained_model_dir, runtime):
    classifier = model.load(trained_model_dir, runtime=runtime)
    assert classifier.info.runtime == runtime
    good, bad = classifier.predict(
        ["A wonderful, moving film. Loved it!", "Awful, boring and a waste of time."]
    )
    assert (good.label, bad.label) == ("positive", "negative")
    for prediction in (good, bad):
        assert 0.5 <= prediction.confidence <= 1.0
    assert good.p_positive == pytest.approx(good.confidence)
    assert bad.p_positive == pytest.approx(1 - bad.confidence)


def test_runtimes_agree_on_hard_cases(trained_model_dir):
    lite = model.load(trained_model_dir, runtime="lite").predict(hard_cases())
    tf = model.load(trained_model_dir, runtime="tensorflow").predict(hard_cases())
    assert len(lite) == len(tf) == len(hard_cases())
    np.testing.assert_allclose([p.p_positive for p in lite], [p.p_positive for p in tf], atol=1e-5)
    assert [p.label for p in lite] == [p.label for p in tf]


def test_predict_cli_prints_positive_then_negative(trained_model_dir):
    result = run_cli("-m", "model.predict", "--model", str(trained_model_dir), *BAR_TEXTS)
    lines = assert_positive_then_negative(result)
    assert "%" in lines[0]


def test_predict_cli_reads_a_file_and_prints_json(trained_model_dir, tmp_path):
    texts = tmp_path / "texts.txt"
    texts.write_text("great fun\n\nterrible\n", encoding="utf-8")
    result = run_cli(
        "-m", "model.predict", "--model", str(trained_model_dir), "--file", str(texts), "--json"
    )
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [r["text"] for r in rows] == ["great fun", "", "terrible"]
    assert {"label", "confidence", "p_positive"} <= set(rows[0])


@pytest.mark.parametrize("runtime", ["lite", "tensorflow"])
def test_serving_imports_no_training_packages(trained_model_dir, runtime):
    code = (
        "import sys, model\n"
        f"c = model.load({str(trained_model_dir)!r}, runtime={runtime!r})\n"
        "c.predict(['fine'])\n"
        f"print(sorted(m for m in {TRAINING_ONLY!r} if m in sys.modules))\n"
        "print('tensorflow' in sys.modules)\n"
    )
    result = run_cli("-c", code)
    assert result.returncode == 0, result.stderr
    imported, tensorflow_loaded = result.stdout.split("\n")[:2]
    assert imported == "[]"
    assert tensorflow_loaded == str(runtime == "tensorflow")


def test_evaluate_cli_reports_json(trained_model_dir, data_dir):
    result = run_cli(
        "-m",
        "model.evaluate",
        str(trained_model_dir),
        "--data-dir",
        data_dir,
        "--json",
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    metrics = json.loads((trained_model_dir / "metrics.json").read_text())
    recorded = metrics["test"]
    assert report["examples"] == 25_000
    assert report["accuracy"] == pytest.approx(recorded["accuracy"])
    assert report["ece"] == pytest.approx(recorded["ece_after_calibration"], abs=1e-6)
    assert list(report["domains"]) == ["imdb", "imdb_test"]
    for name, figures in metrics["domains"].items():  # served figures = figures at training
        assert report["domains"][name]["examples"] == figures["examples"]
        assert report["domains"][name]["accuracy"] == pytest.approx(figures["accuracy"], abs=1e-4)
    table = run_cli("-m", "model.evaluate", str(trained_model_dir), "--data-dir", data_dir)
    assert table.returncode == 0, table.stderr
    assert "imdb_test" in table.stdout and "neutral recall" in table.stdout


def test_embedding_dir_that_is_not_a_module_is_explained(tmp_path):
    result = run_cli("-m", "model.train", "--embedding", str(tmp_path), timeout=120)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "not a SavedModel directory" in result.stderr


def test_missing_dataset_message_names_the_fix(tmp_path, tiny_module_dir):
    result = run_cli(
        "-m",
        "model.train",
        "--data-dir",
        str(tmp_path / "empty"),
        "--embedding",
        str(tiny_module_dir),
        timeout=120,
    )
    assert result.returncode == 2, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert "TFDS_DATA_DIR" in result.stderr and "../shared/data/tfds" in result.stderr


def test_unreachable_embedding_names_the_offline_option(data_dir):
    result = run_cli(
        "-m",
        "model.train",
        "--data-dir",
        data_dir,
        "--embedding",
        "https://tfhub.invalid/google/none/1",
        timeout=120,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "python -m model.embedding" in result.stderr
