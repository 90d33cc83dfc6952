"""Recipes as data (the tutorial exactly, chat the default, recorded and read back), the
per-domain figures, and the training targets each neutral design produces."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from model.training import recipes
from model.training.corpora import NEGATIVE, NEUTRAL, POSITIVE
from model.training.domains import domain_metrics, markdown_table, text_table
from model.training.targets import keras_targets
from model.training.train_cli import parse_args


def test_tutorial_recipe_is_the_tutorial():
    tutorial = recipes.get("tutorial")
    assert (tutorial.imdb.train_split, tutorial.imdb.validation_split) == (
        "train[:60%]",
        "train[60%:]",
    )
    assert tutorial.imdb.test_split == "test" and tutorial.imdb.take is None
    assert tutorial.corpora == () and tutorial.vocabulary is None
    assert tutorial.hub_handle.endswith("gnews-swivel-20dim/1")
    assert tutorial.embedding.args == ()  # the builder's defaults: 20-dim unigrams
    assert (tutorial.hidden_units, tutorial.epochs, tutorial.batch_size) == (16, 20, 512)
    assert (tutorial.shuffle_buffer, tutorial.learning_rate) == (10_000, 1e-3)
    assert tutorial.neutral == recipes.NEUTRAL_NONE


def test_chat_is_the_default_everywhere():
    assert recipes.DEFAULT_RECIPE == "chat"
    assert parse_args([]).recipe == "chat"
    assert parse_args(["--recipe", "tutorial", "--data", "a.csv", "--data", "b.jsonl"]).data == [
        "a.csv",
        "b.jsonl",
    ]
    with pytest.raises(SystemExit):
        parse_args(["--recipe", "nope"])


@pytest.mark.parametrize("name", sorted(recipes.RECIPES))
def test_a_recorded_recipe_reads_back_identical(name):
    definition = json.loads(json.dumps(recipes.describe(name)))  # as stored in the manifest
    assert recipes.from_definition(definition) == recipes.get(name)


def test_recipes_refuse_unknown_neutral_designs():
    with pytest.raises(ValueError, match="neutral must be one of"):
        dataclasses.replace(recipes.TUTORIAL, neutral="maybe")


def test_domain_metrics_split_polar_and_neutral_rows():
    labels = np.array([POSITIVE, POSITIVE, NEGATIVE, NEGATIVE, NEUTRAL, NEUTRAL])
    p = np.array([0.9, 0.4, 0.2, 0.6, 0.5, 0.55])
    flagged = np.array([False, True, False, False, True, False])
    row = domain_metrics(p, labels, flagged)
    assert (row["examples"], row["polar_examples"], row["neutral_examples"]) == (6, 4, 2)
    assert row["accuracy"] == 0.5  # by leaning: 0.9 pos ok, 0.4 wrong, 0.2 ok, 0.6 wrong
    assert row["neutral_rate"] == 0.25 and row["neutral_recall"] == 0.5
    assert 0.0 <= row["ece"] <= 1.0
    polar_only = domain_metrics(p[:4], labels[:4], flagged[:4])
    assert polar_only["neutral_recall"] is None
    table = text_table({"tweets": row, "reviews": polar_only})
    assert "tweets" in table and "0.500" in table and " - " in table + " "
    assert markdown_table({"tweets": row}).count("\n") == 2


def test_targets_for_each_neutral_design():
    labels = np.array([POSITIVE, NEGATIVE, NEUTRAL, POSITIVE])
    weights = np.array([1.0, 1.0, 1.0, 4.0], np.float32)
    y, w = keras_targets(labels[[0, 1]], None, recipes.TUTORIAL)
    assert y.tolist() == [1.0, 0.0] and w is None  # the tutorial trains unweighted
    three = recipes.CHAT
    polar_only = np.array([0, 0, 0, 1], np.float32)  # the last row's corpus has no neutral class
    y, w = keras_targets(labels, weights, three, polar_only=polar_only)
    assert y.tolist() == [[1.0, 0.0], [0.0, 0.0], [2.0, 0.0], [1.0, 1.0]]  # (label, polar only)
    assert w.mean() == pytest.approx(1.0) and w[3] == pytest.approx(4 * w[0])
    chat = dataclasses.replace(
        recipes.CHAT,
        neutral=recipes.NEUTRAL_PRESENCE,
        neutral_polarity_target=0.5,
        pseudo_neutral=recipes.PseudoNeutral(),
    )
    pseudo = np.array([False, False, False, True])
    y, w = keras_targets(labels, weights, chat, pseudo)
    assert y["output"].tolist() == [1.0, 0.0, 0.5, 1.0]  # soft target for neutral rows
    assert y["presence"].tolist() == [1.0, 1.0, 0.0, 0.0]  # pseudo-neutral: no sentiment words
    assert w["output"].mean() == pytest.approx(1.0) and w["presence"].mean() == pytest.approx(1.0)
    assert w["output"][3] == pytest.approx(4 * w["output"][0])
    masked = dataclasses.replace(chat, neutral_polarity_target=None, normalise_weights=False)
    _, w = keras_targets(labels, None, masked)
    assert w["output"].tolist() == [1.0, 1.0, 0.0, 1.0]
