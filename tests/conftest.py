"""Shared fixtures: the prepared IMDB data, a tiny hub module, and one briefly trained model."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
TINY_VOCABULARY = [
    "good",
    "great",
    "excellent",
    "loved",
    "bad",
    "awful",
    "boring",
    "movie",
    "the",
    "plot",
    "dont",
    "not",
    "fun",
    "dull",
    "mess",
]


BAR_TEXTS = ("I loved every minute of it", "A dull, lifeless mess")  # the predict bar


def assert_positive_then_negative(result) -> list[str]:
    """`model.predict` on BAR_TEXTS succeeded and printed positive, then negative."""
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("positive") and lines[1].startswith("negative")
    return lines


def run_cli(*args: str, env: dict | None = None, timeout: float = 600, **kwargs):
    """Run ``python <args>`` from the project root with TensorFlow's chatter turned down."""
    full_env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", **(env or {})}
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        **kwargs,
    )


@pytest.fixture(scope="session")
def data_dir() -> str:
    """The prepared IMDB copy (TFDS_DATA_DIR or ../shared/data/tfds)."""
    candidate = os.environ.get("TFDS_DATA_DIR") or str(ROOT.parent / "shared" / "data" / "tfds")
    if not (Path(candidate) / "imdb_reviews").is_dir():
        message = f"IMDB data not found at {candidate}; set TFDS_DATA_DIR"
        if os.environ.get("SENTIMENT_REQUIRE_DATA"):
            pytest.fail(message)
        pytest.skip(message)
    return candidate


@pytest.fixture(scope="session")
def tiny_module_dir(tmp_path_factory) -> Path:
    """A hub-format embedding module with 15 tokens x 4 dims and 7 OOV buckets (no data needed)."""
    from model.embedding.hub_module import save_module
    from model.serving.tokenizer import default_spec

    rng = np.random.RandomState(0)
    out = tmp_path_factory.mktemp("tiny_module")
    save_module(
        out,
        TINY_VOCABULARY,
        rng.normal(size=(len(TINY_VOCABULARY), 4)),
        default_spec(num_oov_buckets=7),
        oov_vectors=rng.normal(size=(7, 4)),
    )
    return out


@pytest.fixture(scope="session")
def trained_model_dir(tmp_path_factory, data_dir) -> Path:
    """The tutorial recipe in full, exactly as people run it: the 20-dim embedding from all
    50,000 unlabeled reviews, then 20 epochs on the 15,000 training reviews, scored on all
    25,000 test reviews (~3 min on 2 cores). It is the bar the tutorial recipe must keep
    (>= 0.875), so it is trained once per session and every end-to-end test shares it.

    Goes through the real command lines (python -m model.embedding / model.train), so the
    end-to-end tests exercise train -> export -> load -> predict exactly as people run it.
    """
    work = tmp_path_factory.mktemp("trained")
    embedding, model_dir = work / "embedding", work / "model"
    built = run_cli("-m", "model.embedding", "--data-dir", data_dir, "--out", str(embedding))
    assert built.returncode == 0, built.stderr[-3000:]
    trained = run_cli(
        "-m",
        "model.train",
        "--recipe",
        "tutorial",
        "--data-dir",
        data_dir,
        "--embedding",
        str(embedding),
        "--out",
        str(model_dir),
    )
    assert trained.returncode == 0, trained.stderr[-3000:] + trained.stdout[-3000:]
    return model_dir
