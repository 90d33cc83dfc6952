"""The one post-processing step (temperature, sigmoid, label incl. neutral) and the fitting of the
neutral threshold on validation data."""

import numpy as np
import pytest

from model.serving.postprocess import NeutralRule, p_positive, to_predictions
from model.serving.prediction import Prediction
from model.training.neutral import fit_neutral_threshold, neutral_scores

LOGITS = np.array([-3.0, -0.1, 0.0, 0.2, 4.0])


def test_without_a_rule_nothing_is_neutral_and_temperature_applies():
    predictions = to_predictions(LOGITS, temperature=2.0)
    assert [p.label for p in predictions] == ["negative"] * 2 + ["positive"] * 3
    np.testing.assert_allclose([p.p_positive for p in predictions], 1 / (1 + np.exp(-LOGITS / 2)))
    assert predictions[0].confidence == pytest.approx(1 - predictions[0].p_positive)


def test_band_rule_calls_texts_near_one_half_neutral():
    rule = NeutralRule("band", 0.1)
    predictions = to_predictions(LOGITS, 1.0, rule)
    assert [p.label for p in predictions] == [
        "negative",
        "neutral",
        "neutral",
        "neutral",
        "positive",
    ]
    leaning = predictions[1]
    assert leaning.leaning == "negative" and leaning.confidence == pytest.approx(
        1 - leaning.p_positive
    )
    assert predictions[3].leaning == "positive"
    assert predictions[1].to_dict()["leaning"] == "negative"


def test_presence_rule_uses_the_second_output_not_p_positive():
    rule = NeutralRule("presence", 0.5)
    presence = np.array([3.0, 3.0, -2.0, 3.0, -0.5])
    labels = [p.label for p in to_predictions(LOGITS, 1.0, rule, presence)]
    assert labels == ["negative", "negative", "neutral", "positive", "neutral"]
    with pytest.raises(ValueError, match="presence"):
        to_predictions(LOGITS, 1.0, rule)


def test_rule_json_round_trip_and_old_artifacts():
    assert NeutralRule.from_json(None) is None
    assert NeutralRule.from_json({"method": "none"}) is None
    rule = NeutralRule.from_json({"method": "band", "threshold": 0.12})
    assert rule == NeutralRule("band", 0.12) and NeutralRule.from_json(rule.to_json()) == rule
    with pytest.raises(ValueError, match="unknown neutral method"):
        NeutralRule("maybe", 0.1)


def test_prediction_label_is_explicit_about_neutral():
    neutral = Prediction.from_probability(0.45, neutral=True)
    assert (neutral.label, neutral.leaning, neutral.is_neutral) == ("neutral", "negative", True)
    assert neutral.confidence == pytest.approx(0.55)


@pytest.mark.parametrize("method", ["band", "presence"])
def test_fitted_threshold_respects_the_cap_and_is_the_largest_that_does(method):
    rng = np.random.RandomState(0)
    polar_logits = np.concatenate([rng.normal(3, 1.5, 400), rng.normal(-3, 1.5, 400)])
    neutral_logits = rng.normal(0, 0.7, 300)
    logits = np.concatenate([polar_logits, neutral_logits])
    presence = np.concatenate([rng.normal(2, 1, 800), rng.normal(-1, 1, 300)])
    labels = ["positive"] * 400 + ["negative"] * 400 + ["neutral"] * 300
    p = p_positive(logits)
    rule, figures = fit_neutral_threshold(method, labels, p, presence, max_polar_flagged=0.1)
    assert rule.method == method
    assert figures["polar_flagged_rate"] <= 0.1
    assert figures["neutral_recall"] > 0.5  # the neutral texts really are separable here
    # The served labels flag exactly what the fit measured.
    served = to_predictions(logits, 1.0, rule, presence)
    flagged = np.array([x.label == "neutral" for x in served])
    assert flagged[800:].mean() == pytest.approx(figures["neutral_recall"])
    # Any larger threshold would flag more polar texts than the cap allows.
    scores = neutral_scores(method, p, presence)[:800]
    next_up = np.min(scores[scores >= rule.threshold])
    assert (scores <= next_up).mean() > 0.1


def test_a_per_domain_cap_holds_in_every_domain():
    rng = np.random.RandomState(1)
    # Domain "tweets" has polar texts close to 0.5; "movies" far from it.
    p = np.concatenate(
        [rng.uniform(0.3, 0.7, 200), rng.uniform(0.0, 0.2, 200), rng.uniform(0.45, 0.55, 100)]
    )
    labels = ["positive"] * 400 + ["neutral"] * 100
    groups = ["tweets"] * 200 + ["movies"] * 200 + ["tweets"] * 100
    pooled, _ = fit_neutral_threshold("band", labels, p, max_polar_flagged=0.1)
    rule, figures = fit_neutral_threshold("band", labels, p, max_polar_flagged=0.1, groups=groups)
    assert figures["domains"]["tweets"]["polar_flagged_rate"] <= 0.1
    assert figures["domains"]["movies"]["polar_flagged_rate"] <= 0.1
    assert rule.threshold < pooled.threshold  # pooled, the movies let tweets exceed the cap
    tweets_polar = np.abs(p[:200] - 0.5)
    assert (tweets_polar < pooled.threshold).mean() > 0.1


def test_fitting_needs_both_kinds_of_text():
    with pytest.raises(ValueError, match="both"):
        fit_neutral_threshold("band", ["positive", "negative"], np.array([0.9, 0.1]))


def test_predict_cli_line_says_where_a_neutral_text_leans():
    from model.serving.predict_cli import format_line

    neutral = format_line("The meeting is at 3pm", Prediction.from_probability(0.4, True))
    assert neutral.startswith("neutral") and neutral.endswith("leans negative)")
    polar = format_line("great", Prediction.from_probability(0.9))
    assert polar.startswith("positive") and "leans" not in polar
