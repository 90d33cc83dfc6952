"""Calibration error, temperature fitting and the evaluation figures, on known inputs."""

import itertools

import numpy as np
import pytest

from model.training.calibration import (
    binary_nll,
    expected_calibration_error,
    fit_temperature,
    reliability_bins,
    sigmoid,
)
from model.training.metrics import classification_metrics, roc_auc


def test_ece_of_a_perfectly_calibrated_bin_is_zero():
    p = np.array([0.8] * 10)
    labels = np.array([1] * 8 + [0] * 2)
    assert expected_calibration_error(p, labels) == pytest.approx(0.0)


def test_ece_of_an_overconfident_model():
    p = np.array([0.97] * 10 + [0.03] * 10)  # 97% confident, right only 70% of the time
    labels = np.array([1] * 7 + [0] * 3 + [0] * 7 + [1] * 3)
    assert expected_calibration_error(p, labels) == pytest.approx(0.27)
    bins = reliability_bins(p, labels)
    assert bins[-1]["count"] == 20 and bins[-1]["accuracy"] == pytest.approx(0.7)


def test_temperature_recovers_overconfidence():
    rng = np.random.RandomState(0)
    true_logits = rng.normal(0, 2, size=20_000)
    labels = (rng.uniform(size=true_logits.size) < sigmoid(true_logits)).astype(int)
    overconfident = true_logits * 3.0
    temperature = fit_temperature(overconfident, labels)
    assert temperature == pytest.approx(3.0, rel=0.08)
    assert binary_nll(overconfident / temperature, labels) < binary_nll(overconfident, labels)
    before = expected_calibration_error(sigmoid(overconfident), labels)
    after = expected_calibration_error(sigmoid(overconfident / temperature), labels)
    assert before > 0.05 and after < 0.02


def test_roc_auc_matches_pairwise_definition():
    rng = np.random.RandomState(1)
    scores = rng.choice([0.1, 0.3, 0.5, 0.7, 0.9], size=60)  # many ties
    labels = rng.randint(0, 2, size=60)
    pos, neg = scores[labels == 1], scores[labels == 0]
    wins = sum((a > b) + 0.5 * (a == b) for a, b in itertools.product(pos, neg))
    assert roc_auc(scores, labels) == pytest.approx(wins / (len(pos) * len(neg)))


def test_classification_metrics_confusion_and_rates():
    p = np.array([0.9, 0.8, 0.3, 0.6, 0.2, 0.1])
    y = np.array([1, 1, 1, 0, 0, 0])
    m = classification_metrics(p, y)
    assert m["confusion_matrix"]["matrix"] == [[2, 1], [1, 2]]
    assert m["accuracy"] == pytest.approx(4 / 6)
    assert m["precision"] == pytest.approx(2 / 3) and m["recall"] == pytest.approx(2 / 3)
    assert m["f1"] == pytest.approx(2 / 3)
    assert m["loss"] == pytest.approx(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
