"""Step 3, score: the trained network's raw outputs on every validation and test split."""

from __future__ import annotations

import numpy as np

_scorers: dict[int, object] = {}


def score(keras_model, texts: list[str], batch: int = 2048) -> dict[str, np.ndarray]:
    """Raw outputs, float64: ``logits`` [n, 3] of a three-class network, else the pre-sigmoid
    ``logit`` [n] (and ``presence`` [n] for an older two-output network)."""
    import tensorflow as tf

    from model.training.export import is_three_class, keras_outputs

    if not texts:
        return (
            {"logits": np.zeros((0, 3))} if is_three_class(keras_model) else {"logit": np.zeros(0)}
        )
    fn = _scorers.get(id(keras_model))
    if fn is None:  # one trace per model, whatever the batch size
        spec = tf.TensorSpec([None], tf.string)
        fn = tf.function(lambda x: keras_outputs(keras_model, x), input_signature=[spec])
        _scorers[id(keras_model)] = fn
    parts = [fn(tf.constant(texts[i : i + batch])) for i in range(0, len(texts), batch)]
    return {
        key: np.concatenate([part[key].numpy() for part in parts]).astype(np.float64)
        for key in parts[0]
    }


def score_splits(keras_model, data) -> dict[str, dict[str, np.ndarray]]:
    """Outputs per validation and test split, by split name."""
    print(
        f"scoring {sum(map(len, data.validation.values())):,} validation and "
        f"{sum(map(len, data.test.values())):,} test rows",
        flush=True,
    )
    splits = {**data.validation, **data.test}
    return {name: score(keras_model, rows.texts) for name, rows in splits.items()}
