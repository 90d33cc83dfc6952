"""Word vectors: PPMI-SVD learns something, and GloVe / word2vec text files are read."""

import numpy as np
import pytest

from model.embedding.vectors import build_vocabulary, read_vectors_file, train_vectors
from model.serving.tokenizer import PythonTokenizer, default_spec

TOKENIZER = PythonTokenizer(default_spec())


def test_vocabulary_is_frequency_ordered_and_repeatable():
    lists = [["b", "a", "c"], ["a", "b"], ["a", "d"]]
    assert build_vocabulary(lists, size=3, min_count=1) == ["a", "b", "c"]


def test_ppmi_svd_puts_interchangeable_words_together():
    rng = np.random.RandomState(0)
    texts = []
    for _ in range(400):
        adj = rng.choice(["good", "great", "fine"])
        noun = rng.choice(["movie", "film", "show"])
        other = rng.choice(["red", "blue", "green"])
        texts.append(f"a {adj} {noun} with {other} cars and {other} trucks")
    vocabulary, vectors = train_vectors(texts, TOKENIZER, vocab_size=50, dim=4, window=2)
    assert vectors.shape == (len(vocabulary), 4)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)

    def cos(a, b):
        return float(vectors[vocabulary.index(a)] @ vectors[vocabulary.index(b)])

    assert cos("movie", "film") > cos("movie", "trucks")
    assert cos("red", "blue") > cos("red", "good")


@pytest.mark.parametrize("header", ["", "4 3\n"], ids=["glove", "word2vec"])
def test_reads_text_vector_files(tmp_path, header):
    path = tmp_path / "vectors.txt"
    path.write_text(
        header + "the 0.1 0.2 0.3\nGood 1 2 3\ngood 9 9 9\nit's 4 5 6\ne.g. 7 7 7\nmovie 0 0 1\n"
    )
    vocabulary, vectors = read_vectors_file(path, TOKENIZER, vocab_size=10)
    # "good" repeats "Good" after lowercasing; "e.g." is two tokens; "it's" becomes "its".
    assert vocabulary == ["the", "good", "its", "movie"]
    np.testing.assert_allclose(vectors[1], [1, 2, 3])


def test_vector_file_dimension_mismatch_is_reported(tmp_path):
    path = tmp_path / "vectors.txt"
    path.write_text("the 0.1 0.2 0.3\n")
    with pytest.raises(ValueError, match="3 dims"):
        read_vectors_file(path, TOKENIZER, vocab_size=10, dim=20)
