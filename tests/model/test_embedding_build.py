"""``python -m model.embedding`` options: corpora from a text directory, n-grams, emoji table,
random-init vocabulary by document frequency, and the tutorial's default left unchanged."""

import json

import numpy as np
import pytest

from model.embedding.build import build, make_spec, parse_args
from model.embedding.vectors import document_frequency_vocabulary, ngram_vectors
from model.serving.tokenizer import default_spec

ROWS = [
    ("not bad at all :tada:", "positive"),
    ("not bad, really not bad", "positive"),
    ("the meeting is at 3pm", "neutral"),
    ("the build failed again :(", "negative"),
    ("not good, the build failed", "negative"),
    ("great release, not bad", "positive"),
]


@pytest.fixture
def text_dir(tmp_path):
    directory = tmp_path / "text"
    directory.mkdir()
    lines = [json.dumps({"text": t, "label": label}) for t, label in ROWS]
    (directory / "chat.jsonl").write_text("\n".join(lines) + "\n")
    return directory


def test_default_options_are_the_tutorial_tokenizer():
    assert make_spec(parse_args([])) == default_spec(num_oov_buckets=1000)


def test_random_init_chat_module_from_text_corpora(text_dir, tmp_path):
    out = tmp_path / "module"
    argv = ["--corpora", "text", "--text-dir", str(text_dir), "--tokenizer", "chat"]
    argv += ["--ngrams", "2", "--emoji", "--init", "random", "--vocab-size", "50"]
    argv += ["--min-df", "2", "--dim", "3", "--oov-buckets", "4", "--out", str(out)]
    build(parse_args(argv))
    spec = json.loads((out / "assets" / "tokenizer.json").read_text())
    vocabulary = (out / "assets" / "vocabulary.txt").read_text().splitlines()
    assert spec["ngrams"] == [1, 2] and spec["substitutions"] and spec["num_oov_buckets"] == 4
    assert spec["notes"]["corpora"] == {"chat": len(ROWS)}
    # Ranked by the number of texts a token occurs in: "not" (4), then "bad", "not bad" (3 each).
    assert vocabulary[:3] == ["not", "bad", "not bad"]
    assert "great" in vocabulary  # ":tada:" became "great", and "great" is in 2 texts
    assert "meeting" not in vocabulary  # in one text only: below --min-df 2
    assert len(vocabulary) < 50


def test_document_frequency_counts_texts_not_repeats():
    lists = [["a", "a", "a", "b"], ["b", "c"], ["b", "c"]]
    assert document_frequency_vocabulary(lists, size=5, min_df=2) == ["b", "c"]


def test_ngram_rows_start_at_the_mean_of_their_words():
    vectors = np.array([[1.0, 0.0], [0.0, 1.0]], np.float32)
    rows = ngram_vectors(["not bad", "zz yy"], ["not", "bad"], vectors, method="mean")
    np.testing.assert_allclose(rows[0], [0.5, 0.5])
    assert np.abs(rows[1]).max() < 0.1  # unknown words: small random


def test_vectors_file_plus_bigrams_counted_on_the_corpora(text_dir, tmp_path):
    vectors = tmp_path / "vectors.txt"
    vectors.write_text("not 1 0\nbad 0 1\nbuild 1 1\nfailed -1 0\n")
    out = tmp_path / "module"
    argv = ["--vectors", str(vectors), "--dim", "2", "--corpora", "text"]
    argv += ["--text-dir", str(text_dir), "--ngrams", "2", "--ngram-min-count", "2"]
    argv += ["--oov-buckets", "3", "--out", str(out)]
    build(parse_args(argv))
    vocabulary = (out / "assets" / "vocabulary.txt").read_text().splitlines()
    assert vocabulary[:4] == ["not", "bad", "build", "failed"]
    assert {"not bad", "build failed"} <= set(vocabulary[4:])

    import tensorflow as tf

    matrix = tf.saved_model.load(str(out)).embeddings.numpy()
    np.testing.assert_allclose(matrix[vocabulary.index("not bad")], [0.5, 0.5])
    np.testing.assert_allclose(matrix[vocabulary.index("build failed")], [0.0, 0.5])
