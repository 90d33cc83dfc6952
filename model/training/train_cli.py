"""Train, calibrate, certify and export the sentiment model: ``python -m model.train``.

Two recipes, one code path: ``chat`` (default; the model the bot serves: three answers --
positive, negative, no clear sentiment -- from conversation, review and tweet corpora plus IMDB)
and ``tutorial`` (the TensorFlow tutorial "Text classification with TensorFlow Hub" exactly).
Add your own labelled messages with ``--data FILE``. The steps are in ``model.training.pipeline``;
the output is a self-contained model directory that ``model.load`` serves.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from model.serving.errors import exit_on_model_error
from model.training import recipes
from model.training.cli_logging import setup_logging


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m model.train", description=__doc__)
    add = parser.add_argument
    add(
        "--recipe",
        choices=sorted(recipes.RECIPES),
        default=recipes.DEFAULT_RECIPE,
        help=f"what to train (default {recipes.DEFAULT_RECIPE}; tutorial = the TF tutorial)",
    )
    add("--data-dir", help="tensorflow-datasets dir (default: env TFDS_DATA_DIR)")
    add(
        "--text-dir",
        help="directory of the *.jsonl text corpora (default: env TEXT_DATA_DIR, else "
        "../shared/data/text)",
    )
    add(
        "--data",
        action="append",
        default=[],
        metavar="FILE",
        help="your own labelled messages, added to the recipe's corpora (repeatable): JSON lines "
        '{"text": ..., "label": ...} or CSV with a text,label header; labels '
        "positive|negative|neutral or 1|0. A validation split is carved out of each file.",
    )
    add(
        "--embedding",
        help="TF Hub URL, Kaggle handle or local SavedModel dir (default: env EMBEDDING_HANDLE, "
        "else the recipe's: gnews-swivel-20dim for tutorial, with the offline module as fallback)",
    )
    add("--epochs", type=int, help="default: the recipe's")
    add("--batch-size", type=int, help="default: the recipe's")
    add("--seed", type=int, default=42, help="makes runs repeatable (default 42)")
    add("--out", type=Path, help="model directory (default: env MODEL_DIR, else artifacts/model)")
    add(
        "--no-keep-best",
        dest="keep_best",
        action="store_false",
        default=None,
        help="keep the last epoch's weights instead of the best validation epoch",
    )
    add(
        "--allow-uncertified",
        action="store_true",
        help="keep a model whose NumPy form fails certification (it then needs TensorFlow)",
    )
    add("--train-limit", type=int, help=argparse.SUPPRESS)  # tests: slice data
    add("--test-limit", type=int, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def run(args: argparse.Namespace) -> Path:
    from model.training.pipeline import run as run_pipeline

    return run_pipeline(args)


@exit_on_model_error
def main(argv: list[str] | None = None) -> int:
    setup_logging()
    started = time.perf_counter()
    out = run(parse_args(argv))
    print(
        f"done in {time.perf_counter() - started:.0f} s; try it: "
        f'python -m model.predict --model {out} "I loved every minute of it"'
    )
    return 0
