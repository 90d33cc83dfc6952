"""The network: hub embedding -> Dense(16, relu) -> Dense(1, sigmoid), in Keras 2 (the tutorial's),
or, for a three-class recipe, -> Dense(3) logits of negative / positive / no clear sentiment
trained with :func:`three_way_loss`. (Older recipes had a second Dense(1, sigmoid) "presence"
head instead.)"""

from __future__ import annotations

POLARITY_OUTPUT = "output"
PRESENCE_OUTPUT = "presence"
CLASS_COUNT = 3  # negative, positive, neutral: the data layer's label codes 0, 1, 2


def three_way_loss(y_true, logits):
    """Per-row NLL of the label; y_true is [batch, 2] = (label code, polar-only flag).

    A row from a corpus labelled only positive/negative (polar-only flag 1) says nothing about
    "no clear sentiment", so it is scored on P(label | polar) = p_label / (p_neg + p_pos): it
    teaches polarity without teaching that every text has sentiment. Rows from corpora with a
    real neutral class use the plain three-class NLL.
    """
    import tensorflow as tf

    label = tf.cast(y_true[:, 0], tf.int32)
    polar_only = tf.cast(y_true[:, 1], logits.dtype)
    log_p = tf.nn.log_softmax(logits, axis=-1)
    picked = tf.gather(log_p, label, axis=1, batch_dims=1)
    polar = tf.reduce_logsumexp(log_p[:, :2], axis=1)
    return -(picked - polar_only * polar)


def build_model(
    embedding_handle: str,
    trainable_embedding: bool = True,
    presence: bool = False,
    hidden_units: int = 16,
    classes: bool = False,
    skip: bool = False,
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
    if classes:
        logits = tf_keras.layers.Dense(CLASS_COUNT, name=POLARITY_OUTPUT)
        if not skip:
            model = tf_keras.Sequential([hub_layer, hidden, logits], name="sentiment")
        else:  # the output also sees the pooled embedding itself (e.g. its lexicon columns)
            text = tf_keras.Input(shape=[], dtype=tf.string, name="text")
            pooled = hub_layer(text)
            joined = tf_keras.layers.Concatenate(name="skip")([hidden(pooled), pooled])
            model = tf_keras.Model(text, logits(joined), name="sentiment")
        model.compile(optimizer="adam", loss=three_way_loss, weighted_metrics=[])
        return model
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
