"""The offline embedding honours gnews-swivel's contract and is fine-tunable through hub."""

import json

import numpy as np
import tensorflow as tf
import tensorflow_hub as hub
import tf_keras

from model.serving.tokenizer import TOKENIZER_FILENAME
from tests.conftest import TINY_VOCABULARY


def test_strings_in_batch_by_dim_float32_out(tiny_module_dir):
    module = hub.load(str(tiny_module_dir))
    out = module(tf.constant(["good movie", "", "zzz unknown", "😀"]))
    assert out.shape == (4, 4)
    assert out.dtype == tf.float32
    np.testing.assert_array_equal(out[1].numpy(), np.zeros(4))  # no tokens: zero vector


def test_sqrtn_combiner(tiny_module_dir):
    module = hub.load(str(tiny_module_dir))
    matrix = module.embeddings.numpy()
    good, movie = TINY_VOCABULARY.index("good"), TINY_VOCABULARY.index("movie")
    out = module(tf.constant(["Good, movie; GOOD!"])).numpy()[0]
    expected = (2 * matrix[good] + matrix[movie]) / np.sqrt(3)
    np.testing.assert_allclose(out, expected, rtol=1e-6)


def test_records_tokenizer_and_exposes_variables(tiny_module_dir):
    spec = json.loads((tiny_module_dir / "assets" / TOKENIZER_FILENAME).read_text())
    assert spec["lowercase"] is True and spec["combiner"] == "sqrtn"
    assert spec["num_oov_buckets"] == 7 and spec["vocabulary_size"] == len(TINY_VOCABULARY)
    module = hub.load(str(tiny_module_dir))
    assert [v.shape for v in module.trainable_variables] == [(len(TINY_VOCABULARY) + 7, 4)]
    assert len(module.variables) == 1


def test_fine_tuning_through_keras_layer_changes_the_embedding(tiny_module_dir):
    layer = hub.KerasLayer(str(tiny_module_dir), input_shape=[], dtype=tf.string, trainable=True)
    model = tf_keras.Sequential([layer, tf_keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=tf_keras.optimizers.Adam(0.1), loss="binary_crossentropy")
    before = layer.trainable_weights[0].numpy().copy()
    model.fit(
        tf.constant(["good movie", "bad movie"]), tf.constant([1.0, 0.0]), epochs=2, verbose=0
    )
    after = layer.trainable_weights[0].numpy()
    changed_rows = np.where(np.abs(after - before).sum(axis=1) > 0)[0].tolist()
    rows = [TINY_VOCABULARY.index(w) for w in ("good", "bad", "movie")]
    assert sorted(changed_rows) == sorted(rows)
