"""The network: hub embedding -> Dense(16, relu) -> Dense(1, sigmoid), in Keras 2 (the tutorial's),
optionally with a second Dense(1, sigmoid) head named "presence" that scores whether a text
expresses any sentiment at all (the neutral output)."""

from __future__ import annotations

POLARITY_OUTPUT = "output"
PRESENCE_OUTPUT = "presence"


def build_model(
    embedding_handle: str,
    trainable_embedding: bool = True,
    presence: bool = False,
    hidden_units: int = 16,
):
    """Compile the network with adam and binary cross-entropy, exactly as the tutorial does.

    With ``presence`` the model has two named outputs, ``output`` (P(positive)) and
    ``presence`` (P(the text is positive or negative rather than neutral)); train it on
    (text, {"output": y, "presence": polar}, {"output": w, "presence": 1}) where ``w`` is 0 for
    neutral examples, so polarity is learned from polar texts only.
    """
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
    hidden = tf_keras.layers.Dense(hidden_units, activation="relu", name="hidden")
    polarity = tf_keras.layers.Dense(1, activation="sigmoid", name=POLARITY_OUTPUT)
    if not presence:
        model = tf_keras.Sequential([hub_layer, hidden, polarity], name="sentiment")
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
        return model
    text = tf_keras.Input(shape=[], dtype=tf.string, name="text")
    features = hidden(hub_layer(text))
    outputs = {
        POLARITY_OUTPUT: polarity(features),
        PRESENCE_OUTPUT: tf_keras.layers.Dense(1, activation="sigmoid", name=PRESENCE_OUTPUT)(
            features
        ),
    }
    model = tf_keras.Model(text, outputs, name="sentiment")
    model.compile(
        optimizer="adam",
        loss={POLARITY_OUTPUT: "binary_crossentropy", PRESENCE_OUTPUT: "binary_crossentropy"},
        weighted_metrics={POLARITY_OUTPUT: ["accuracy"], PRESENCE_OUTPUT: ["accuracy"]},
    )
    return model
