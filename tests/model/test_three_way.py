"""Three outputs, one contract: the decision rule, Predictions, explanations, and certification
that tolerates ties at a decision boundary (and nothing more)."""

from __future__ import annotations

import dataclasses
import json
from typing import ClassVar

import numpy as np
import pytest
import tf_keras

from model.embedding.hub_module import save_module
from model.serving.explain import WordEffect, explain
from model.serving.lite import LiteNetwork
from model.serving.postprocess import (
    CLASSES,
    DecisionRule,
    NeutralRule,
    class_predictions,
    log_softmax,
)
from model.serving.prediction import Prediction
from model.serving.tf_runtime import SavedModelScorer
from model.serving.tokenizer import conversation_spec
from model.training import export
from model.training.decision import fit_offsets, macro_recall
from model.training.lexicon import lexicon_columns
from model.training.network import build_model

TEXTS = ["good fun", "awful mess", "", "meeting at 3", "not bad but slow", "zzz unknown"]


def test_decision_rule_offsets_pick_the_label_and_round_trip():
    log_p = np.log(np.array([[0.40, 0.35, 0.25], [0.30, 0.30, 0.40]]))
    assert DecisionRule().choose(log_p).tolist() == [0, 2]
    rule = DecisionRule((0.0, 0.2, 0.0))  # positive favoured
    assert rule.choose(log_p).tolist() == [1, 2]
    assert DecisionRule.from_json(json.loads(json.dumps(rule.to_json()))) == rule
    assert NeutralRule.from_json(rule.to_json()) is None  # not mistaken for an older rule
    margins = rule.margins(log_p)
    assert margins[0] == pytest.approx(np.log(0.35) + 0.2 - np.log(0.40))


def test_class_predictions_carry_three_probabilities():
    logits = np.array([[2.0, -1.0, 0.0], [-3.0, 3.0, 0.0], [0.0, 0.0, 4.0]])
    predictions = class_predictions(logits, temperature=2.0)
    assert [p.label for p in predictions] == ["negative", "positive", "neutral"]
    first = predictions[0]
    assert first.p_negative + first.p_positive + first.p_neutral == pytest.approx(1.0)
    assert first.confidence == pytest.approx(first.p_negative)
    expected = np.exp(log_softmax(logits, 2.0))
    assert [p.p_positive for p in predictions] == pytest.approx(expected[:, 1].tolist())
    assert predictions[2].leaning == "positive"  # P(pos) == P(neg): ties lean positive
    assert set(first.to_dict()) >= {"label", "p_positive", "p_negative", "p_neutral", "leaning"}


def test_older_two_output_predictions_get_the_documented_defaults():
    old = Prediction.from_probability(0.3)
    assert (old.label, old.p_negative, old.p_neutral) == ("negative", pytest.approx(0.7), 0.0)
    assert old.leaning == "negative"


def test_offsets_are_fitted_to_maximise_macro_recall():
    rng = np.random.RandomState(0)
    truth = rng.randint(0, 3, size=600)
    # A model that under-calls neutral: its neutral probability is systematically too low.
    logits = rng.normal(0, 0.6, size=(600, 3))
    logits[np.arange(600), truth] += 1.2
    logits[:, 2] -= 1.0
    log_p = log_softmax(logits)
    plain = macro_recall(truth, DecisionRule().choose(log_p))
    rule, figures = fit_offsets({"chat": (log_p, truth)})
    fitted = macro_recall(truth, rule.choose(log_p))
    assert fitted > plain + 0.05
    assert rule.offsets[2] > 0.5  # it learned to favour neutral
    assert figures["validation_objective"] == pytest.approx(fitted)
    assert figures["validation_objective_plain_argmax"] == pytest.approx(plain)


class _Scores:
    """A classifier whose answer is the sum of per-word scores (for explanation tests)."""

    WORDS: ClassVar[dict[str, tuple[float, float, float]]] = {
        "great": (0.0, 3.0, 0.0),
        "not": (1.0, -1.0, 0.5),
        "meeting": (0.0, 0.0, 2.0),
    }

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def predict(self, texts):
        self.batches.append(list(texts))
        logits = np.array(
            [
                np.sum(
                    [self.WORDS.get(w.strip(",.!"), (0, 0, 0)) for w in t.split()] or [[0] * 3], 0
                )
                for t in texts
            ],
            dtype=float,
        )
        return class_predictions(logits)


def test_explain_names_the_words_that_moved_the_answer():
    scores = _Scores()
    effects = explain(scores, "the meeting was great!", top=5)
    assert len(scores.batches) == 1 and len(scores.batches[0]) == 5  # one batch: text + 4 drops
    assert effects[0] == WordEffect("great!", "positive", effects[0].effect)
    assert 0.0 < effects[0].effect <= 1.0
    # "meeting" pushes toward neutral, away from the shown positive answer.
    assert WordEffect("meeting", "neutral", effects[1].effect) == effects[1]
    assert all(e.words not in ("the", "was") for e in effects)  # no effect, not a reason
    assert explain(scores, "", top=5) == [] and explain(scores, "great", top=0) == []


def test_analyzer_explain_uses_the_classifier():
    from bot.analysis import Analyzer

    class Fake(_Scores):
        info = type("Info", (), {"emoji_codes": frozenset()})()

    analyzer = Analyzer(Fake())
    effects = analyzer.explain("not great", top=1)
    assert [e.words for e in effects] == ["great"] and effects[0].toward == "positive"
    analysis = analyzer.analyse("meeting")
    assert analysis.label == "neutral" and analysis.p_neutral == pytest.approx(analysis.confidence)


@pytest.fixture(scope="module")
def lexicon_module(tmp_path_factory):
    """A conversation-tokenizer module with a frozen lexicon channel (no data needed)."""
    vocabulary = ["good", "bad", "not", "neg_bad", "meeting", "fun", "awful", "but", "slow"]
    lexicon = {"good": 1.9, "bad": -2.5, "fun": 2.3, "awful": -2.0}
    spec = conversation_spec(num_oov_buckets=5)
    rows = len(vocabulary) + 5
    frozen = lexicon_columns(vocabulary, lexicon, "neg_", rows)
    rng = np.random.RandomState(1)
    out = tmp_path_factory.mktemp("lexicon_module")
    save_module(
        out,
        vocabulary,
        rng.normal(size=(len(vocabulary), 4)),
        spec,
        oov_vectors=rng.normal(size=(5, 4)),
        frozen=frozen,
    )
    return out, frozen


def test_frozen_lexicon_channel_is_appended_flipped_under_negation_and_not_trained(
    lexicon_module,
):
    module_dir, frozen = lexicon_module
    assert frozen[3].tolist() == pytest.approx([0.74 * 2.5 / 4, 0.0])  # neg_bad leans positive
    assert frozen[1].tolist() == pytest.approx([0.0, 2.5 / 4])
    tf_keras.utils.set_random_seed(0)
    network = build_model(str(module_dir), classes=True)
    embedding = network.get_layer("embedding")
    assert [tuple(w.shape) for w in embedding.trainable_weights] == [(14, 4)]
    assert [tuple(w.shape) for w in embedding.non_trainable_weights] == [(14, 2)]
    assert network.get_layer("output").kernel.shape[1] == 3


@pytest.fixture(scope="module")
def three_way_export(lexicon_module, tmp_path_factory):
    module_dir, _ = lexicon_module
    tf_keras.utils.set_random_seed(0)
    network = build_model(str(module_dir), classes=True)
    out = tmp_path_factory.mktemp("three_way_model")
    export.save_serving_model(network, temperature=1.3, out_dir=out)
    return network, module_dir, out


def test_three_way_portable_form_is_certified_and_matches_tensorflow(three_way_export):
    network, module_dir, out = three_way_export
    certificate = export.export_portable(network, module_dir, 1.3, out, TEXTS, DecisionRule())
    assert certificate["certified"] is True, certificate
    assert certificate["outputs_compared"] == ["probabilities", "labels"]
    portable = export.extract_portable(network, module_dir, 1.3)
    assert portable.embeddings.shape == (14, 6)  # 4 trained + 2 frozen lexicon columns
    tf_out = SavedModelScorer(out / "saved_model").outputs(TEXTS)
    lite_logits, _ = LiteNetwork(portable).outputs(TEXTS)
    assert np.abs(tf_out["logits"] - lite_logits).max() < 1e-5
    assert tf_out["probabilities"].sum(axis=1) == pytest.approx(np.ones(len(TEXTS)))


def test_a_text_exactly_at_the_decision_boundary_is_a_tie_not_a_failure(
    three_way_export, monkeypatch
):
    from model.training.hard_cases import hard_cases

    network, module_dir, out = three_way_export
    # Scored in the same batch as certification scores it (batch shape can move float32 bits).
    tf_out = SavedModelScorer(out / "saved_model").outputs(TEXTS + hard_cases())
    log_p = log_softmax(tf_out["logits"], 1.3)
    # Offsets that put the first text exactly between its two best classes in TensorFlow.
    best, runner = np.argsort(log_p[0])[::-1][:2]
    offsets = [0.0, 0.0, 0.0]
    offsets[runner] = float(log_p[0, best] - log_p[0, runner])
    rule = DecisionRule(tuple(offsets))
    assert rule.margins(log_p)[0] == pytest.approx(0.0, abs=1e-12)
    chosen = int(rule.choose(log_p)[0])  # TensorFlow's pick at the exact tie
    real_extract = export.extract_portable

    def nudged(*args, **kwargs):  # float noise far below the tolerance, toward the other class
        portable = real_extract(*args, **kwargs)
        bias = portable.output_bias.astype(np.float64)
        bias[chosen] -= 1e-6
        return dataclasses.replace(portable, output_bias=bias)

    monkeypatch.setattr(export, "extract_portable", nudged)
    first = export.export_portable(network, module_dir, 1.3, out, TEXTS, rule)
    again = export.export_portable(network, module_dir, 1.3, out, TEXTS, rule)
    assert first["certified"] is True, first
    assert first == again  # deterministic: same inputs, same verdict
    assert first["label_disagreements"] == 0 and first["ties_at_a_threshold"] == 1, first


def test_runtimes_that_really_differ_are_not_excused_as_ties(three_way_export, monkeypatch):
    network, module_dir, out = three_way_export
    real_extract = export.extract_portable

    def shifted(*args, **kwargs):
        portable = real_extract(*args, **kwargs)
        bias = portable.output_bias.copy()
        bias[2] += 0.5  # the NumPy form now favours neutral: labels and probabilities move
        return dataclasses.replace(portable, output_bias=bias)

    monkeypatch.setattr(export, "extract_portable", shifted)
    certificate = export.export_portable(network, module_dir, 1.3, out, TEXTS, DecisionRule())
    assert certificate["certified"] is False
    assert "largest |dP|" in certificate["reason"]
    assert not (out / "portable").exists()


def test_an_uncertified_model_fails_training_loudly(three_way_export, monkeypatch, tmp_path):
    network, module_dir, _ = three_way_export
    monkeypatch.setattr(
        export,
        "export_portable",
        lambda *a, **k: {"certified": False, "reason": "runtimes disagree on 'x'"},
    )
    with pytest.raises(export.CertificationError, match=r"NOT certified.*runtimes disagree"):
        export.export_model(network, module_dir, 1.0, tmp_path, TEXTS, DecisionRule())
    assert not (tmp_path / "manifest.json").exists()


def test_classes_are_the_label_codes_order():
    assert CLASSES == ("negative", "positive", "neutral")


def test_a_skip_connection_network_is_certified_too(lexicon_module, tmp_path):
    module_dir, _ = lexicon_module
    tf_keras.utils.set_random_seed(2)
    network = build_model(str(module_dir), classes=True, skip=True, hidden_units=3)
    assert network.get_layer("output").kernel.shape == (3 + 6, 3)  # hidden + pooled embedding
    export.save_serving_model(network, temperature=0.9, out_dir=tmp_path)
    certificate = export.export_portable(network, module_dir, 0.9, tmp_path, TEXTS, DecisionRule())
    assert certificate["certified"] is True, certificate


def test_texts_without_lexicon_evidence_can_lean_neutral():
    log_p = np.log(np.array([[0.45, 0.15, 0.40], [0.45, 0.15, 0.40]]))
    evidence = np.array([0.0, 0.3])  # the first text has no lexicon word, the second has
    rule = DecisionRule((0.0, 0.0, 0.0), no_evidence_neutral=0.5)
    assert rule.choose(log_p, evidence).tolist() == [2, 0]
    assert rule.choose(log_p).tolist() == [0, 0]  # without evidence it is plain offsets
    assert DecisionRule.from_json(rule.to_json()) == rule
    assert DecisionRule.from_json({"method": "offsets", "offsets": dict.fromkeys(CLASSES, 0.0)})


def test_the_no_evidence_offset_is_fitted_when_it_helps():
    rng = np.random.RandomState(3)
    truth = rng.randint(0, 3, size=900)
    evidence = np.where(truth == 2, rng.rand(900) < 0.1, rng.rand(900) < 0.9).astype(float)
    logits = rng.normal(0, 1.0, size=(900, 3))
    logits[np.arange(900), truth] += 0.6
    log_p = log_softmax(logits)
    without, _ = fit_offsets({"d": (log_p, truth)})
    rule, figures = fit_offsets({"d": (log_p, truth, evidence)}, extras=(0.0, 0.5, 1.0, 2.0))
    assert without.no_evidence_neutral == 0.0
    assert rule.no_evidence_neutral > 0.0
    assert figures["validation_objective"] > macro_recall(truth, without.choose(log_p))


def test_lexicon_evidence_comes_from_both_runtimes_alike(three_way_export):
    network, module_dir, out = three_way_export
    tf_out = SavedModelScorer(out / "saved_model").outputs(TEXTS)
    portable = export.extract_portable(network, module_dir, 1.3)
    assert portable.frozen_columns == 2
    _, _, evidence = LiteNetwork(portable).forward(TEXTS)
    assert evidence is not None and np.abs(tf_out["evidence"] - evidence).max() < 1e-6
    # "good fun" has lexicon words, "meeting at 3" none.
    assert evidence[0] > 0 and evidence[3] == 0.0
