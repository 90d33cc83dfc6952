"""The chat recipe end to end on a slice of every corpus plus a team's own file (~1 min):
what is recorded (recipe, corpora, sizes, seed, decision rule), the per-domain figures beside
VADER's, the model card and plot, that the certified model is served by the lite runtime, and
that ``model.evaluate`` re-carves exactly the held-out rows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import model
from model.training import recipes
from tests.conftest import run_cli

pytestmark = pytest.mark.e2e

SLICE = 1500  # rows per corpus


@pytest.fixture(scope="module")
def chat_model_dir(tmp_path_factory, data_dir) -> Path:
    work = tmp_path_factory.mktemp("chat")
    ours = work / "our_messages.csv"
    rows = ["text,label"]
    for i in range(60):
        rows.append(f"shipped release {i} on time,positive")
        rows.append(f"incident {i} paged everyone again,negative")
        rows.append(f"standup {i} moved to room {i},neutral")
    ours.write_text("\n".join(rows) + "\n", encoding="utf-8")
    trained = run_cli(
        "-m",
        "model.train",
        "--data-dir",
        data_dir,
        "--data",
        str(ours),
        "--train-limit",
        str(SLICE),
        "--test-limit",
        "1000",
        "--epochs",
        "2",
        "--out",
        str(work / "model"),
    )
    assert trained.returncode == 0, trained.stderr[-3000:] + trained.stdout[-3000:]
    assert "macro recall" in trained.stdout  # the per-domain table ends the run
    for step in ("[1/7] prepare", "[2/7] fit", "[5/7] decision rule", "[7/7] report"):
        assert step in trained.stdout, step
    return work / "model"


def read(model_dir: Path, name: str) -> dict:
    return json.loads((model_dir / name).read_text())


def test_chat_is_the_default_recipe_and_is_recorded(chat_model_dir):
    config = read(chat_model_dir, "manifest.json")["config"]
    assert config["recipe"] == "chat" == recipes.DEFAULT_RECIPE
    assert recipes.from_definition(config["recipe_definition"]) == recipes.CHAT
    assert config["seed"] == 42 and config["epochs"] == 2 and config["batch_size"] == 256
    corpora = config["data"]["corpora"]
    expected = {
        "imdb",
        *(mix.name for mix in recipes.CHAT.corpora),
        "our_messages",
        "negation_templates",
    }
    assert set(corpora) == expected
    ours = corpora["our_messages"]
    assert ours["user_data"] is True and ours["rows"] == 180 and ours["validation"] == 18
    assert corpora["tweeteval_sentiment_val"]["weight"] == 4.0
    assert corpora["tweeteval_sentiment_val"]["validation"] == round(0.25 * SLICE)
    files = {n: c for n, c in corpora.items() if n not in ("imdb", "negation_templates")}
    assert all(len(c["sha256"]) == 64 for c in files.values())
    assert config["embedding_module"]["vocabulary"] > 1000
    assert config["embedding_module"]["frozen_columns"]["lexicon_tokens_added"] > 1000
    assert corpora["negation_templates"]["validation"] == 0  # synthetic: training only


def test_decision_rule_and_calibration_are_fitted_on_validation(chat_model_dir):
    manifest = read(chat_model_dir, "manifest.json")
    assert manifest["neutral"]["method"] == "offsets"
    assert set(manifest["neutral"]["offsets"]) == {"negative", "positive", "neutral"}
    assert manifest["serving"]["classes"] == ["negative", "positive", "neutral"]
    assert manifest["calibration"]["applied"] is True  # the recipe always fits a temperature
    metrics = read(chat_model_dir, "metrics.json")
    rule = metrics["neutral"]
    assert set(rule["fitted_on"]) == {
        *recipes.CONVERSATION,
        "tweeteval_sentiment_val",
        "our_messages",
    }
    assert rule["validation_objective"] >= rule["validation_objective_plain_argmax"]
    assert metrics["calibration"]["validation_ece_after"] <= (
        metrics["calibration"]["validation_ece_before"] + 1e-9
    )


def test_per_domain_figures_table_and_plot(chat_model_dir):
    domains = read(chat_model_dir, "metrics.json")["domains"]
    assert list(domains)[-1] == "imdb_test" and domains["imdb_test"]["examples"] == 1000
    for name, figures in domains.items():
        for key in ("accuracy", "f1", "ece", "neutral_rate", "macro_recall", "answered_right"):
            assert 0.0 <= figures[key] <= 1.0, (name, key)
        if name != "imdb_test":  # VADER's figures on the same validation rows
            assert 0.0 <= figures["vader_macro_recall"] <= 1.0, name
    assert domains["airline_tweets"]["neutral_recall"] is not None
    assert domains["sst2_train"]["neutral_recall"] is None  # SST-2 has no neutral rows
    assert (chat_model_dir / "plots" / "per_domain.png").stat().st_size > 10_000
    card = (chat_model_dir / "model_card.md").read_text()
    for part in (
        "| tweeteval_sentiment_val |",
        "Socher",
        "Barbieri",
        "Go, Bhayani",
        "Demszky",
        "Calefato",
        "Hutto and Gilbert",
        "`--data`",
    ):
        assert part in card, part
    info = model.load(chat_model_dir).info
    assert info.recipe == "chat" and info.neutral["method"] == "offsets"
    assert info.classes == ("negative", "positive", "neutral")
    assert info.domains["airline_tweets"]["examples"] == domains["airline_tweets"]["examples"]


def test_evaluate_recarves_the_same_validation_rows(chat_model_dir, data_dir):
    result = run_cli(
        "-m",
        "model.evaluate",
        str(chat_model_dir),
        "--data-dir",
        data_dir,
        "--json",
        "--limit",
        "1000",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    served = json.loads(result.stdout)["domains"]
    recorded = read(chat_model_dir, "metrics.json")["domains"]
    assert list(served) == list(recorded)
    for name, figures in recorded.items():
        for key in ("examples", "accuracy", "neutral_rate"):
            assert served[name][key] == pytest.approx(figures[key], abs=1e-4), (name, key)


def test_both_runtimes_give_the_same_answers_neutral_included(chat_model_dir):
    from model.training.hard_cases import hard_cases
    from tests.model.everyday_messages import CASES

    manifest = read(chat_model_dir, "manifest.json")
    assert manifest["portable"]["certified"] is True
    assert manifest["portable"]["outputs_compared"] == ["probabilities", "labels"]
    texts = [c.text for c in CASES] + hard_cases()
    served = model.load(chat_model_dir)
    assert served.info.runtime == "lite"  # a certified model is served without TensorFlow
    lite = served.predict(texts)
    tf = model.load(chat_model_dir, runtime="tensorflow").predict(texts)
    assert [p.label for p in lite] == [p.label for p in tf]
    for field in ("p_positive", "p_negative", "p_neutral"):
        diffs = [abs(getattr(a, field) - getattr(b, field)) for a, b in zip(lite, tf, strict=True)]
        assert max(diffs) < 1e-5, field
    assert {p.label for p in lite} <= {"positive", "negative", "neutral"}
