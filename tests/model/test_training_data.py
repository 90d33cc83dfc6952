"""The data layer: one reader for every labelled file, seeded stratified carves, the mix.

No TensorFlow and no IMDB here: recipes without IMDB over small files written by the tests.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from model.training import corpora, mixing, splits
from model.training.corpora import NEGATIVE, NEUTRAL, POSITIVE, BadDataError, read_labelled_file
from model.training.recipes import NEUTRAL_NONE, NEUTRAL_PRESENCE, CorpusMix, Recipe
from tests.conftest import run_cli


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


# ---------------------------------------------------------------- reading files


def test_jsonl_and_csv_read_the_same_labels(tmp_path):
    jsonl = write_jsonl(
        tmp_path / "team.jsonl",
        [
            {"text": "great demo", "label": "positive"},
            {"text": "build broke", "label": "NEGATIVE "},
            {"text": "standup at 10", "label": "neutral"},
            {"text": "love it", "label": 1},
            {"text": "hate it", "label": "0"},
        ],
    )
    csv = tmp_path / "team.csv"
    csv.write_text(
        'text,label\ngreat demo,positive\n"build broke",NEGATIVE \nstandup at 10,neutral\n'
        '"love it",1\nhate it,0\n\n',
        encoding="utf-8",
    )
    for path in (jsonl, csv):
        corpus = read_labelled_file(path)
        assert corpus.name == "team"
        assert corpus.texts == ["great demo", "build broke", "standup at 10", "love it", "hate it"]
        assert corpus.labels.tolist() == [POSITIVE, NEGATIVE, NEUTRAL, POSITIVE, NEGATIVE]


def test_csv_text_may_hold_commas_quotes_and_newlines(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text('label,text\npositive,"well, ""that"" went\nwell"\n', encoding="utf-8")
    corpus = read_labelled_file(path)
    assert corpus.texts == ['well, "that" went\nwell'] and corpus.labels.tolist() == [POSITIVE]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        (
            "bad.jsonl",
            '{"text": "ok", "label": "positive"}\n{"text": "x", "label": "meh"}\n',
            ["line 2", "unknown label 'meh'"],
        ),
        (
            "bad.jsonl",
            '{"text": "ok", "label": "positive"}\n\n{"text": "x" "label": 1}\n',
            ["line 3", "not valid JSON"],
        ),
        ("bad.jsonl", '{"text": "ok"}\n', ["line 1", "missing field 'label'"]),
        ("bad.jsonl", '["ok", "positive"]\n', ["line 1", "JSON object"]),
        ("bad.jsonl", '{"text": 42, "label": "positive"}\n', ["line 1", "must be a string"]),
        ("bad.jsonl", '{"text": "  ", "label": "positive"}\n', ["line 1", "'text' is empty"]),
        ("bad.jsonl", '{"text": "a", "label": true}\n', ["line 1", "unknown label True"]),
        ("bad.jsonl", "\n\n", ["no labelled rows"]),
        ("bad.csv", "message,sentiment\nhi,positive\n", ["line 1", "header must name"]),
        ("bad.csv", "text,label\nfine,positive\na,b,c\n", ["line 3", "3 columns"]),
        ("bad.csv", "text,label\nfine,2\n", ["line 2", "unknown label '2'"]),
        ("bad.txt", "text,label\n", ["unknown file type '.txt'"]),
    ],
)
def test_a_bad_row_is_named_by_file_and_line(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(BadDataError) as caught:
        read_labelled_file(path)
    message = str(caught.value)
    assert str(path) in message
    for part in expected:
        assert part in message
    assert "positive|negative|neutral" in message  # says what a good row looks like


def test_errors_never_echo_a_message_text(tmp_path):
    secret = "the merger with ACME closes on friday"
    path = write_jsonl(tmp_path / "s.jsonl", [{"text": secret, "label": secret}])
    with pytest.raises(BadDataError) as caught:
        read_labelled_file(path)
    assert "line 1" in str(caught.value) and secret not in str(caught.value)


def test_non_utf8_and_missing_files(tmp_path):
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(b'{"text": "ok", "label": "positive"}\n{"text": "caf\xe9", "label": "1"}\n')
    with pytest.raises(BadDataError, match="line 2: not UTF-8"):
        read_labelled_file(path)
    with pytest.raises(BadDataError, match="no such file"):
        read_labelled_file(tmp_path / "absent.jsonl")


def test_train_cli_reports_a_bad_data_file_without_a_traceback(tmp_path):
    path = tmp_path / "ours.csv"
    path.write_text("text,label\nshipped it,positive\nbroken again,angry\n", encoding="utf-8")
    result = run_cli("-m", "model.train", "--data", str(path), "--out", str(tmp_path / "m"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"{path}, line 3: unknown label 'angry'" in result.stderr
    assert not (tmp_path / "m").exists()


def test_text_dir_flag_then_env_then_shared_copy(monkeypatch, tmp_path):
    monkeypatch.setenv("TEXT_DATA_DIR", str(tmp_path / "env"))
    assert corpora.resolve_text_dir(tmp_path / "flag") == tmp_path / "flag"
    assert corpora.resolve_text_dir(None) == tmp_path / "env"
    monkeypatch.delenv("TEXT_DATA_DIR")
    assert corpora.resolve_text_dir(None).parts[-3:] == ("shared", "data", "text")


# ---------------------------------------------------------------- carving


def test_carve_is_stratified_seeded_and_disjoint():
    labels = np.array([POSITIVE] * 700 + [NEGATIVE] * 200 + [NEUTRAL] * 100)
    train, val = splits.carve(labels, 0.1, None, seed=5)
    assert len(val) == 100 and len(train) == 900
    assert set(train).isdisjoint(val) and len(set(train) | set(val)) == 1000
    assert np.bincount(labels[val]).tolist() == [20, 70, 10]  # the corpus's balance
    again, _ = splits.carve(labels, 0.1, None, seed=5)
    other, _ = splits.carve(labels, 0.1, None, seed=6)
    assert np.array_equal(train, again) and not np.array_equal(train, other)


def test_carve_cap_and_tiny_corpora():
    labels = np.array([POSITIVE, NEGATIVE] * 5000)
    assert len(splits.carve(labels, 0.1, 300, seed=0)[1]) == 300
    assert len(splits.carve(np.array([POSITIVE]), 0.1, None, seed=0)[1]) == 0
    assert len(splits.carve(np.array([POSITIVE, NEGATIVE]), 0.1, None, seed=0)[1]) == 0
    assert len(splits.carve(np.array([POSITIVE] * 10 + [NEGATIVE] * 5), 0.2, None, 0)[1]) == 3


def test_corpus_seeds_are_independent_of_each_other():
    assert splits.corpus_seed(42, "a") == splits.corpus_seed(42, "a")
    assert splits.corpus_seed(42, "a") != splits.corpus_seed(42, "b")
    assert splits.corpus_seed(42, "a") != splits.corpus_seed(43, "a")


# ---------------------------------------------------------------- the mix


@pytest.fixture
def text_dir(tmp_path) -> Path:
    directory = tmp_path / "text"
    directory.mkdir()
    rng = np.random.RandomState(0)
    rows = [
        {"text": f"tweet {i}", "label": ["positive", "negative", "neutral"][i % 3]}
        for i in range(300)
    ]
    rows += [{"text": "shared text", "label": "positive"}]  # also in the other corpus
    write_jsonl(directory / "tweets.jsonl", [rows[i] for i in rng.permutation(len(rows))])
    reviews = [
        {"text": f"review {i}", "label": "positive" if i % 4 else "negative"} for i in range(200)
    ]
    reviews += [{"text": "shared text", "label": "positive"}] * 3
    write_jsonl(directory / "reviews.jsonl", reviews)
    return directory


def recipe(**overrides) -> Recipe:
    values = dict(
        name="test",
        description="",
        imdb=None,
        corpora=(CorpusMix("tweets"), CorpusMix("reviews", take=50, weight=2.0)),
        validation_fraction=0.2,
        embedding=None,
        neutral=NEUTRAL_PRESENCE,
    )
    return Recipe(**{**values, **overrides})


def test_no_validation_text_is_ever_trained_on(text_dir, tmp_path):
    ours = write_jsonl(
        tmp_path / "ours.jsonl",
        [{"text": f"ours {i}", "label": "negative" if i % 2 else "positive"} for i in range(40)]
        + [{"text": "said twice", "label": "positive"}] * 20,  # some copies land in validation
    )
    sources = mixing.Sources(text_dir=str(text_dir), data_files=(str(ours),))
    data = mixing.prepare(recipe(), sources, seed=1)
    held_out = {t for rows in data.validation.values() for t in rows.texts}
    assert held_out and not held_out & set(data.train.texts)
    assert list(data.validation) == ["tweets", "reviews", "ours"]
    assert len(data.validation["tweets"]) == round(0.2 * 301)
    assert data.sizes["ours"]["user_data"] is True and data.sizes["tweets"]["user_data"] is False
    assert "said twice" in data.validation["ours"].texts
    assert data.sizes["ours"]["dropped_held_out"] >= 10
    assert len(data.train) == sum(s["train"] for s in data.sizes.values())


def test_mixing_weights_takes_and_neutral_rows(text_dir):
    sources = mixing.Sources(text_dir=str(text_dir))
    data = mixing.prepare(recipe(), sources, seed=1)
    reviews = data.train_domains == data.domain_names.index("reviews")
    assert reviews.sum() <= 50 and reviews.sum() >= 45  # take 50, minus held-out duplicates
    assert set(data.weights[reviews]) == {2.0} and set(data.weights[~reviews]) == {1.0}
    assert (data.train.labels == NEUTRAL).any()
    polar_only = mixing.prepare(recipe(neutral=NEUTRAL_NONE), sources, seed=1)
    assert not (polar_only.train.labels == NEUTRAL).any()
    assert (polar_only.validation["tweets"].labels == NEUTRAL).any()  # still measured


def test_the_same_seed_gives_the_same_data(text_dir):
    sources = mixing.Sources(text_dir=str(text_dir))
    first, second = (mixing.prepare(recipe(), sources, seed=3) for _ in range(2))
    third = mixing.prepare(recipe(), sources, seed=4)
    assert first.train.texts == second.train.texts
    assert first.validation["tweets"].texts == second.validation["tweets"].texts
    assert first.validation["tweets"].texts != third.validation["tweets"].texts


def test_a_missing_corpus_names_the_directory(tmp_path, text_dir):
    with pytest.raises(BadDataError, match="needs the corpora absent") as caught:
        mixing.prepare(
            recipe(corpora=(CorpusMix("absent"),)), mixing.Sources(text_dir=str(text_dir)), 0
        )
    assert str(text_dir) in str(caught.value)
