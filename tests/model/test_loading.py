"""Runtime choice and the errors people see when there is no model."""

import json

import pytest

import model
from model.serving.errors import ModelError, ModelNotFoundError
from model.serving.loading import choose_runtime, read_emoji_codes
from model.serving.prediction import Prediction
from model.serving.tokenizer import TokenizerSpec

CERTIFIED = {"portable": {"certified": True}}
UNCERTIFIED = {"portable": {"certified": False, "reason": "largest |dP| 0.1"}}


def test_lite_is_chosen_when_certified(monkeypatch):
    monkeypatch.delenv("MODEL_RUNTIME", raising=False)
    assert choose_runtime(CERTIFIED, None) == "lite"
    assert choose_runtime(UNCERTIFIED, None) == "tensorflow"


def test_model_runtime_env_forces_a_runtime(monkeypatch):
    monkeypatch.setenv("MODEL_RUNTIME", "tensorflow")
    assert choose_runtime(CERTIFIED, None) == "tensorflow"
    monkeypatch.setenv("MODEL_RUNTIME", "lite")
    with pytest.raises(ModelError, match="largest"):
        choose_runtime(UNCERTIFIED, None)
    monkeypatch.setenv("MODEL_RUNTIME", "pytorch")
    with pytest.raises(ModelError, match="not one of"):
        choose_runtime(CERTIFIED, None)


def test_missing_model_names_the_build_command(tmp_path, monkeypatch):
    monkeypatch.setenv("MODEL_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(ModelNotFoundError, match="make model"):
        model.load()


def test_newer_format_is_refused(tmp_path):
    (tmp_path / "manifest.json").write_text(json.dumps({"format_version": 99}))
    with pytest.raises(ModelNotFoundError, match="newer version"):
        model.load(tmp_path)


def test_prediction_from_probability():
    assert Prediction.from_probability(0.8) == Prediction("positive", 0.8, 0.8)
    negative = Prediction.from_probability(0.25)
    assert negative.label == "negative" and negative.confidence == pytest.approx(0.75)
    assert Prediction.from_probability(0.5).label == "positive"


def test_emoji_codes_come_from_the_portable_form_else_the_saved_model(tmp_path):
    table = ((":tada:", " party "), (":)", " smile "), ("🎉", " party "))
    spec = TokenizerSpec(substitutions=table)
    assets = tmp_path / "saved_model" / "assets"
    assets.mkdir(parents=True)
    (assets / "tokenizer.json").write_text(json.dumps(spec.to_json_dict()))
    assert read_emoji_codes(tmp_path) == {":tada:"}  # emoticons and unicode emoji are not codes
    portable = tmp_path / "portable"
    portable.mkdir()
    other = TokenizerSpec(substitutions=((":rage:", " angry "),))
    (portable / "tokenizer.json").write_text(json.dumps(other.to_json_dict()))
    assert read_emoji_codes(tmp_path) == {":rage:"}
    assert read_emoji_codes(tmp_path / "missing") == frozenset()
