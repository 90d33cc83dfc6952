"""Score texts from the command line: ``python -m model.predict [--model DIR] TEXT...``.

Texts come from the arguments, ``--file`` (one per line; ``-`` for stdin) or, when neither is
given and stdin is piped, from stdin. Output is one line per text, or JSON with ``--json``;
``--explain`` adds the words that moved each answer (leave-one-out, one extra batch per text).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from model.serving.config import DEFAULT_MODEL_DIR
from model.serving.errors import ModelError, exit_on_model_error
from model.serving.explain import WordEffect, explain
from model.serving.prediction import Prediction


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m model.predict",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("texts", nargs="*", metavar="TEXT")
    parser.add_argument(
        "--model",
        type=Path,
        help=f"model directory (default: env MODEL_DIR, else {DEFAULT_MODEL_DIR})",
    )
    parser.add_argument("--file", help="read texts from FILE, one per line ('-' for stdin)")
    parser.add_argument("--json", action="store_true", help="print a JSON list")
    parser.add_argument(
        "--explain",
        action="store_true",
        help="also show which words moved each answer (and by how much)",
    )
    parser.add_argument("--top", type=int, default=5, help="words per --explain (default 5)")
    parser.add_argument(
        "--runtime",
        choices=["lite", "tensorflow"],
        help="force a runtime (default: env MODEL_RUNTIME, else automatic)",
    )
    return parser.parse_args(argv)


def read_texts(args: argparse.Namespace) -> list[str]:
    texts = list(args.texts)
    if args.file:
        if args.file == "-":
            texts += sys.stdin.read().splitlines()
        else:
            path = Path(args.file)
            if not path.is_file():
                raise ModelError(f"--file {path}: no such file")
            texts += path.read_text(encoding="utf-8", errors="replace").splitlines()
    elif not texts and not sys.stdin.isatty():
        texts = sys.stdin.read().splitlines()
    return texts


def format_line(text: str, prediction: Prediction) -> str:
    """``label  confidence  text``; a neutral answer also says which side the text leans to."""
    shown = " ".join(text.split())
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    line = f"{prediction.label:<8}  {prediction.confidence:6.1%}  {shown}"
    if prediction.is_neutral:
        line += f"  (no clear sentiment; leans {prediction.leaning})"
    return line


def format_effects(effects: list[WordEffect]) -> str:
    """The indented "why" lines under an answer."""
    if not effects:
        return "          why: no single word moved the answer"
    return "\n".join(
        f"          why: {e.words!r} -> {e.toward} (-{e.effect:.0%} without it)" for e in effects
    )


@exit_on_model_error
def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    texts = read_texts(args)
    if not texts:
        print(
            "nothing to score: give TEXT arguments, --file FILE, or pipe text in", file=sys.stderr
        )
        return 2
    import model

    classifier = model.load(args.model, runtime=args.runtime)
    predictions = classifier.predict(texts)
    reasons = [explain(classifier, t, args.top) if args.explain else [] for t in texts]
    if args.json:
        rows = [
            {
                "text": t,
                **p.to_dict(),
                **({"why": [asdict(e) for e in why]} if args.explain else {}),
            }
            for t, p, why in zip(texts, predictions, reasons, strict=True)
        ]
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        for text, prediction, why in zip(texts, predictions, reasons, strict=True):
            print(format_line(text, prediction))
            if args.explain:
                print(format_effects(why))
    return 0
