"""An n-gram + emoji embedding module: TensorFlow and the lite runtime agree token for token,
and a network on it (with or without the presence output) exports a certified portable form."""

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_hub as hub
import tf_keras

from model.embedding.hub_module import save_module
from model.embedding.normalisation import EMOJI_TABLE
from model.serving.lite import LiteNetwork
from model.serving.portable import PortableNetwork, read_module_tokenizer
from model.serving.postprocess import NeutralRule
from model.serving.tf_runtime import SavedModelScorer
from model.serving.tokenizer import PythonTokenizer, default_spec, sanitize
from model.training import export
from model.training.hard_cases import hard_cases
from model.training.network import build_model

WORDS = ["not", "bad", "good", "great", "happy", "sad", "meeting", "at", "3pm", "the"]
BIGRAMS = ["not bad", "not good", "at 3pm", "the meeting"]
SPEC = default_spec(num_oov_buckets=5).with_options(ngrams=(1, 2), substitutions=EMOJI_TABLE)
TEXTS = [
    "not bad at all",
    "not good",
    "The meeting is at 3pm",
    "shipped it :tada: 🎉",
    "ugh :( 👎",
    "",
    "zzz qqq unknown pair",
    "great great great",
]


@pytest.fixture(scope="module")
def ngram_module_dir(tmp_path_factory):
    rng = np.random.RandomState(1)
    out = tmp_path_factory.mktemp("ngram_module")
    vocabulary = WORDS + BIGRAMS
    save_module(
        out,
        vocabulary,
        rng.normal(size=(len(vocabulary), 4)),
        SPEC,
        oov_vectors=rng.normal(size=(5, 4)),
    )
    return out


def test_module_embeds_words_and_bigrams_like_the_lite_runtime(ngram_module_dir):
    module = hub.load(str(ngram_module_dir))
    matrix = module.embeddings.numpy()
    spec, vocabulary = read_module_tokenizer(ngram_module_dir, matrix.shape[0])
    assert spec == SPEC
    texts = TEXTS + [sanitize(t) for t in hard_cases() if len(t) < 20_000]
    tf_vectors = module(tf.constant(texts)).numpy()
    zeros = np.zeros((4, 1), np.float32)
    lite = LiteNetwork(
        PortableNetwork(spec, vocabulary, matrix, np.eye(4), np.zeros(4), zeros, np.zeros(1))
    )
    np.testing.assert_allclose(lite.embed(texts), tf_vectors, atol=1e-6)
    # "not good" = 2 words + 1 known bigram, sqrtn over 3 tokens.
    index = {t: i for i, t in enumerate(vocabulary)}
    expected = matrix[[index["not"], index["good"], index["not good"]]].sum(axis=0) / np.sqrt(3)
    np.testing.assert_allclose(tf_vectors[TEXTS.index("not good")], expected, rtol=1e-5)
    assert PythonTokenizer(spec).tokenize("shipped it :tada:") == [
        "shipped",
        "it",
        "great",
        "shipped it",
        "it great",
    ]


@pytest.mark.parametrize("presence", [False, True], ids=["one-output", "presence-output"])
def test_export_certifies_an_ngram_network(ngram_module_dir, tmp_path, presence):
    tf_keras.utils.set_random_seed(0)
    network = build_model(str(ngram_module_dir), presence=presence)
    rule = NeutralRule("presence", 0.5) if presence else NeutralRule("band", 0.05)
    export.save_serving_model(network, temperature=1.5, out_dir=tmp_path)
    certificate = export.export_portable(network, ngram_module_dir, 1.5, tmp_path, TEXTS, rule=rule)
    assert certificate["certified"] is True, certificate
    assert certificate["max_abs_diff_p_positive"] <= 1e-5
    assert ("p_presence" in certificate["outputs_compared"]) is presence
    portable = PortableNetwork.load(tmp_path / "portable")
    assert (portable.presence_kernel is not None) is presence
    outputs = SavedModelScorer(tmp_path / "saved_model").outputs(TEXTS)
    logits, presence_logits = LiteNetwork(portable).outputs(TEXTS)
    np.testing.assert_allclose(logits, outputs["logit"], atol=1e-5)
    if presence:
        np.testing.assert_allclose(presence_logits, outputs["presence_logit"], atol=1e-5)


@pytest.mark.parametrize("presence", [False, True], ids=["band-rule", "presence-rule"])
def test_both_runtimes_serve_the_same_labels_and_info(ngram_module_dir, tmp_path, presence):
    import json

    import model

    tf_keras.utils.set_random_seed(1)
    network = build_model(str(ngram_module_dir), presence=presence)
    # Thresholds that make some texts neutral and leave others polar for this untrained network.
    p = export.keras_outputs(network, tf.constant(TEXTS))
    if presence:
        scores = tf.sigmoid(p["presence"]).numpy()
        rule = NeutralRule("presence", float(np.median(scores)))
    else:
        scores = np.abs(tf.sigmoid(p["logit"] / 1.5).numpy() - 0.5)
        rule = NeutralRule("band", float(np.median(scores)))
    export.save_serving_model(network, 1.5, tmp_path)
    certificate = export.export_portable(network, ngram_module_dir, 1.5, tmp_path, TEXTS, rule)
    manifest = {
        "format_version": 1,
        "version": "test-ngram",
        "config": {"recipe": "chat", "embedding": str(ngram_module_dir)},
        "calibration": {"temperature": 1.5},
        "portable": certificate,
        "neutral": rule.to_json(),
    }
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    domains = {"tweets": {"accuracy": 0.8, "neutral_rate": 0.3, "examples": 10}}
    (tmp_path / "metrics.json").write_text(json.dumps({"domains": domains}))

    lite = model.load(tmp_path, runtime="lite")
    tf_served = model.load(tmp_path, runtime="tensorflow")
    lite_predictions, tf_predictions = lite.predict(TEXTS), tf_served.predict(TEXTS)
    assert [x.label for x in lite_predictions] == [x.label for x in tf_predictions]
    assert {x.label for x in lite_predictions} >= {"neutral"}
    assert {x.label for x in lite_predictions} - {"neutral"}  # and some polar ones
    np.testing.assert_allclose(
        [x.p_positive for x in lite_predictions], [x.p_positive for x in tf_predictions], atol=1e-5
    )
    for info in (lite.info, tf_served.info):
        assert (info.recipe, info.domains, info.neutral) == ("chat", domains, rule.to_json())
