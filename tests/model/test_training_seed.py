"""--seed makes training repeatable; KeepBestEpoch restores the best validation epoch."""

import numpy as np
import tensorflow as tf
import tf_keras

from model.training.fit import fit
from model.training.network import build_model

TEXTS = [
    "good fun movie",
    "great excellent",
    "loved the plot",
    "bad boring mess",
    "awful dull plot",
    "not fun",
    "the movie",
    "dont",
] * 8
LABELS = [1, 1, 1, 0, 0, 0, 1, 0] * 8


def train_once(module_dir, seed: int, keep_best: bool = True):
    tf_keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()
    network = build_model(str(module_dir))
    data = tf.data.Dataset.from_tensor_slices((TEXTS, LABELS))
    history, kept, _ = fit(
        network, data, data.take(16), epochs=4, batch_size=16, seed=seed, keep_best=keep_best
    )
    return network, history, kept


def test_same_seed_same_weights(tiny_module_dir):
    first, _, _ = train_once(tiny_module_dir, seed=7)
    second, _, _ = train_once(tiny_module_dir, seed=7)
    other, _, _ = train_once(tiny_module_dir, seed=8)
    for a, b in zip(first.get_weights(), second.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert any(
        not np.array_equal(a, c)
        for a, c in zip(first.get_weights(), other.get_weights(), strict=True)
    )


def test_best_epoch_is_the_lowest_validation_loss(tiny_module_dir):
    network, history, kept = train_once(tiny_module_dir, seed=3)
    assert kept == int(np.argmin(history["val_loss"])) + 1
    data = tf.data.Dataset.from_tensor_slices((TEXTS, LABELS)).take(16).batch(16)
    loss = network.evaluate(data, verbose=0)[0]
    assert loss == __import__("pytest").approx(min(history["val_loss"]), rel=1e-4)
