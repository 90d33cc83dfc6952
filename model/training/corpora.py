"""Labelled text files -> (texts, labels): THE reader for every short-text corpus.

The team's corpora in ``../shared/data/text`` and a user's own ``--data FILE`` go through the
same function, so a team can train on its own labelled messages with no conversion step.
Formats: JSON lines ``{"text": ..., "label": ...}`` (``.jsonl``/``.json``) or CSV with a
``text,label`` header (``.csv``). Labels: ``positive|negative|neutral`` or ``1|0``.
A bad row ends in a :class:`BadDataError` naming the file and line (never the row's text:
nothing of users' messages is echoed or logged).
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from model.serving.errors import DataUnavailableError, ModelError

NEGATIVE, POSITIVE, NEUTRAL = 0, 1, 2  # label codes in every labels array of the data layer
LABEL_NAMES = {NEGATIVE: "negative", POSITIVE: "positive", NEUTRAL: "neutral"}
_LABEL_CODES = {
    "negative": NEGATIVE,
    "positive": POSITIVE,
    "neutral": NEUTRAL,
    "0": NEGATIVE,
    "1": POSITIVE,
}
JSONL_SUFFIXES = (".jsonl", ".json", ".ndjson")
CSV_SUFFIXES = (".csv",)
FORMAT_HINT = (
    'expected JSON lines {"text": "...", "label": "positive|negative|neutral"} (.jsonl) or a CSV '
    "file with a text,label header (.csv); labels positive|negative|neutral or 1|0"
)


class BadDataError(ModelError):
    """A labelled data file that cannot be read; the message names the file and line."""


@dataclass(frozen=True)
class LabelledCorpus:
    """One corpus: its name (file stem), where it came from, texts and label codes."""

    name: str
    source: str
    texts: list[str]
    labels: np.ndarray  # int8 codes: NEGATIVE, POSITIVE, NEUTRAL

    def counts(self) -> dict[str, int]:
        return {LABEL_NAMES[c]: int((self.labels == c).sum()) for c in LABEL_NAMES}


def resolve_text_dir(text_dir: str | os.PathLike | None) -> Path:
    """--text-dir, else env TEXT_DATA_DIR, else ``../shared/data/text`` next to the checkout/cwd.

    The one place that reads TEXT_DATA_DIR (training, evaluation and the embedding builder all
    call it), mirroring how ``data.resolve_data_dir`` finds IMDB.
    """
    value = text_dir or os.environ.get("TEXT_DATA_DIR")
    if value:
        return Path(value).expanduser()
    checkout = Path(__file__).resolve().parents[2]
    candidates = [root.parent / "shared" / "data" / "text" for root in (checkout, Path.cwd())]
    for candidate in candidates:
        if any(candidate.glob("*.jsonl")):
            return candidate
    return candidates[0]


def corpus_files(text_dir: Path) -> dict[str, Path]:
    """The ``*.jsonl`` corpora of a directory by name (file stem), or an error naming the fix."""
    files = sorted(Path(text_dir).glob("*.jsonl"))
    if not files:
        raise DataUnavailableError(
            f"no *.jsonl text corpora in {text_dir}. Point --text-dir (or env TEXT_DATA_DIR) at "
            "a directory of JSON-lines files with 'text' and 'label' fields -- on the team's "
            "machines that is ../shared/data/text."
        )
    return {path.stem: path for path in files}


def parse_label(value: object) -> int | None:
    """Label code for ``positive|negative|neutral`` / ``1|0`` (case and spaces ignored)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and value in (0, 1):
        return int(value)
    if isinstance(value, str):
        return _LABEL_CODES.get(value.strip().lower())
    return None


def _bad(path: Path, line: int | None, why: str) -> BadDataError:
    where = f"{path}, line {line}" if line else str(path)
    return BadDataError(f"{where}: {why}. {FORMAT_HINT}.")


def _describe(value: object) -> str:
    """A label value for an error message, short enough never to carry a message's text."""
    shown = repr(value)
    return shown if len(shown) <= 24 else shown[:20] + "...'"


def _jsonl_rows(path: Path) -> Iterator[tuple[int, object, object]]:
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                raise _bad(path, number, f"not valid JSON ({error.msg})") from None
            if not isinstance(row, dict):
                raise _bad(path, number, "each line must be a JSON object")
            missing = [k for k in ("text", "label") if k not in row]
            if missing:
                raise _bad(path, number, f"missing field {' and '.join(map(repr, missing))}")
            yield number, row["text"], row["label"]


def _csv_rows(path: Path) -> Iterator[tuple[int, object, object]]:
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            return
        columns = [name.strip().lower().lstrip("\ufeff") for name in header]
        if "text" not in columns or "label" not in columns:
            raise _bad(path, 1, f"the header must name the columns text and label, got {header}")
        text_at, label_at = columns.index("text"), columns.index("label")
        try:
            for row in reader:
                number = reader.line_num
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) != len(columns):
                    raise _bad(path, number, f"{len(row)} columns, the header has {len(columns)}")
                yield number, row[text_at], row[label_at]
        except csv.Error as error:
            raise _bad(path, reader.line_num, f"not valid CSV ({error})") from None


def read_labelled_file(path: str | os.PathLike, name: str | None = None) -> LabelledCorpus:
    """Read one labelled file (JSONL or CSV by extension); every row must be valid."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise BadDataError(f"{path}: no such file. {FORMAT_HINT}.")
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        rows = _jsonl_rows(path)
    elif suffix in CSV_SUFFIXES:
        rows = _csv_rows(path)
    else:
        raise _bad(path, None, f"unknown file type {suffix or '(no extension)'!r}")
    texts: list[str] = []
    labels: list[int] = []
    try:
        for number, text, label in rows:
            if not isinstance(text, str):
                raise _bad(path, number, f"'text' must be a string, got {type(text).__name__}")
            if not text.strip():
                raise _bad(path, number, "'text' is empty")
            code = parse_label(label)
            if code is None:
                raise _bad(path, number, f"unknown label {_describe(label)}")
            texts.append(text)
            labels.append(code)
    except UnicodeDecodeError:
        raise _bad(path, _line_of_first_bad_byte(path), "not UTF-8 text") from None
    if not texts:
        raise _bad(path, None, "no labelled rows")
    return LabelledCorpus(
        name=name or path.stem, source=str(path), texts=texts, labels=np.asarray(labels, np.int8)
    )


def read_texts(path: str | os.PathLike, limit: int | None = None) -> list[str]:
    """Just the texts of a labelled file (e.g. unlabelled text for the embedding builder)."""
    texts = read_labelled_file(path).texts
    return texts if limit is None else texts[:limit]


def _line_of_first_bad_byte(path: Path) -> int | None:
    """Best-effort line number of the first byte that is not UTF-8."""
    data = path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        return data.count(b"\n", 0, error.start) + 1
    return None
