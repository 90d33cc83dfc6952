"""The Python tokenizer and OOV hashing must match the TensorFlow graph token for token."""

import numpy as np
import pytest
import tensorflow as tf

from model.embedding.hub_module import tf_tokenize
from model.serving.tokenizer import PythonTokenizer, default_spec, gnews_swivel_spec, sanitize
from model.training.hard_cases import hard_cases


def random_texts(count: int, seed: int = 0) -> list[str]:
    """Random mixes of ASCII, punctuation, whitespace, accented letters, CJK and emoji."""
    rng = np.random.RandomState(seed)
    alphabet = list("abcXYZ019 '\t\n\r.,!?<>/-_") + [
        "é",
        "ß",
        "İ",
        "\u212a",
        "日",
        "😀",
        "\x00",
        "\u00a0",
        "\u2028",
        "<br />",
        "Don't",
    ]
    return ["".join(rng.choice(alphabet, size=rng.randint(0, 40))) for _ in range(count)]


@pytest.mark.parametrize("spec", [default_spec(), gnews_swivel_spec()], ids=["default", "gnews"])
def test_python_tokenizer_matches_tensorflow(spec):
    texts = [sanitize(t) for t in hard_cases()[:-2] + random_texts(300)]
    expected = tf_tokenize(spec, tf.constant(texts)).to_list()
    tokenizer = PythonTokenizer(spec)
    for text, tokens in zip(texts, expected, strict=True):
        assert tokenizer.tokenize(text) == [t.decode("utf-8") for t in tokens], repr(text)


def test_default_tokenizer_normalises_reviews():
    tokens = PythonTokenizer(default_spec()).tokenize("GREAT film!<br /><br />I don't care.")
    assert tokens == ["great", "film", "i", "dont", "care"]


def test_oov_hash_matches_tensorflow_fingerprint64():
    import farmhash

    tokens = ["zxqv", "flibbertigibbet", "naïve", "日本語", "😀", "a" * 300, "x y"]
    buckets = 1000
    expected = tf.strings.to_hash_bucket_fast(tokens, buckets).numpy().tolist()
    assert [farmhash.fingerprint64(t) % buckets for t in tokens] == expected


def test_lite_lookup_matches_static_vocabulary_table(tiny_module_dir):
    """Known tokens get their row; unknown ones the same OOV bucket TensorFlow picks."""
    from model.serving.lite import LiteNetwork
    from model.serving.portable import PortableNetwork, read_module_tokenizer

    spec, vocabulary = read_module_tokenizer(tiny_module_dir, 15 + 7)
    table = tf.lookup.StaticVocabularyTable(
        tf.lookup.KeyValueTensorInitializer(vocabulary, tf.range(len(vocabulary), dtype=tf.int64)),
        spec.num_oov_buckets,
    )
    network = PortableNetwork(
        spec,
        vocabulary,
        np.zeros((22, 4), np.float32),
        np.zeros((4, 2)),
        np.zeros(2),
        np.zeros((2, 1)),
        np.zeros(1),
    )
    lite = LiteNetwork(network)
    tokens = vocabulary + ["unknown", "words", "zzz", "qqq", "überlong", "x1", "y2", "z3"]
    assert [lite.token_id(t) for t in tokens] == table.lookup(tf.constant(tokens)).numpy().tolist()
    assert any(lite.token_id(t) >= len(vocabulary) for t in tokens)
