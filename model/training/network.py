"""The tutorial's network: hub embedding -> Dense(16, relu) -> Dense(1, sigmoid), in Keras 2."""

from __future__ import annotations


def build_model(embedding_handle: str, trainable_embedding: bool = True):
    """Compile the network with adam and binary cross-entropy, exactly as the tutorial does."""
    import tensorflow as tf
    import tensorflow_hub as hub
    import tf_keras

    hub_layer = hub.KerasLayer(
        embedding_handle,
        input_shape=[],
        dtype=tf.string,
        trainable=trainable_embedding,
        name="embedding",
    )
    model = tf_keras.Sequential(
        [
            hub_layer,
            tf_keras.layers.Dense(16, activation="relu", name="hidden"),
            tf_keras.layers.Dense(1, activation="sigmoid", name="output"),
        ],
        name="sentiment",
    )
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model
