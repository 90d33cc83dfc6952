"""The data layer's entry point: a recipe + data locations -> training rows and held-out splits.

Every corpus goes through the same steps: read (IMDB via tfds, text corpora and ``--data`` files
via :mod:`model.training.corpora`), carve a seeded stratified validation split, sample the
recipe's share of the rest, weight it, and finally drop from training every row whose text also
appears in any validation or test split, so no held-out text is ever trained on.
"""

from __future__ import annotations

import hashlib
import logging
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from model.training import corpora, splits
from model.training.corpora import NEGATIVE, NEUTRAL, POSITIVE, LabelledCorpus
from model.training.recipes import NEUTRAL_NONE, CorpusMix, Recipe

log = logging.getLogger(__name__)

IMDB = "imdb"
IMDB_TEST = "imdb_test"


@dataclass
class Rows:
    """Texts with label codes (NEGATIVE / POSITIVE / NEUTRAL)."""

    texts: list[str]
    labels: np.ndarray

    def __len__(self) -> int:
        return len(self.texts)

    def subset(self, index: np.ndarray) -> Rows:
        return Rows([self.texts[i] for i in index], self.labels[index])

    @property
    def polar(self) -> np.ndarray:
        return self.labels != NEUTRAL


@dataclass
class TrainingData:
    """What training needs: weighted training rows, validation per domain, the IMDB test."""

    train: Rows
    weights: np.ndarray  # per training row: the corpus's mixing weight (x neutral weight)
    train_domains: np.ndarray  # per training row: index into ``domain_names``
    domain_names: list[str]
    validation: dict[str, Rows]
    test: dict[str, Rows]
    sizes: dict[str, dict] = field(default_factory=dict)  # per corpus, for the manifest
    #: Per training row: a polar row with no lexicon evidence (recipe.pseudo_neutral).
    pseudo_neutral: np.ndarray | None = None

    def pooled_validation(self) -> Rows:
        texts = [t for rows in self.validation.values() for t in rows.texts]
        labels = np.concatenate([rows.labels for rows in self.validation.values()])
        return Rows(texts, labels)


@dataclass(frozen=True)
class Sources:
    """Where the data lives (resolved once, recorded in the manifest)."""

    data_dir: str | None = None  # tensorflow-datasets dir for IMDB
    text_dir: str | None = None  # directory of the *.jsonl corpora
    data_files: tuple[str, ...] = ()  # the user's own labelled files (--data)


def file_digest(path: str | Path) -> str:
    """sha256 of a data file: lets ``model.evaluate`` notice that a corpus changed."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _counts(labels: np.ndarray) -> dict[str, int]:
    return {
        name: int((labels == code).sum())
        for code, name in ((NEGATIVE, "negative"), (POSITIVE, "positive"), (NEUTRAL, "neutral"))
        if (labels == code).any()
    }


def _limit(rows: Rows, limit: int | None, seed: int) -> Rows:
    if limit is None or len(rows) <= limit:
        return rows
    return rows.subset(splits.stratified_pick(rows.labels, limit, seed))


def _imdb(recipe: Recipe, data_dir: str | None, seed: int, limit: int | None, training: bool):
    """(train or None, validation, test) Rows of IMDB per the recipe."""
    from model.training.data import as_arrays, load_named_splits

    mix = recipe.imdb
    carved = mix.validation_fraction is not None
    if carved:  # validation carved out of the training split: it must be read either way
        names = [mix.train_split, mix.test_split]
    else:
        names = ([mix.train_split] if training else []) + [mix.validation_split, mix.test_split]
    datasets = load_named_splits(names, data_dir)
    if limit:  # tests: a quick slice, in the tfds order (the test split has its own limit)
        datasets = [d.take(limit) for d in datasets[:-1]] + [datasets[-1]]
    loaded = []
    for dataset in datasets:
        texts, labels = as_arrays(dataset)
        loaded.append(Rows(texts, np.asarray(labels, dtype=np.int8)))
    if carved:
        full, test = loaded
        train_idx, val_idx = splits.carve(full.labels, mix.validation_fraction, None, seed)
        train, validation = full.subset(train_idx), full.subset(val_idx)
    else:
        train, validation, test = loaded if training else [None, *loaded]
    if train is not None and training:
        train = _limit(train, mix.take, splits.corpus_seed(seed, "imdb:train"))
    return (train if training else None), validation, test


def _pseudo_neutral(data: TrainingData, recipe: Recipe) -> np.ndarray:
    """Polar training rows of the configured corpora that carry no lexicon evidence."""
    from model.training.lexicon import no_lexicon_evidence

    config = recipe.pseudo_neutral
    flags = np.zeros(len(data.train), dtype=bool)
    for name in config.corpora:
        if name not in data.domain_names:
            continue
        rows = np.flatnonzero(
            (data.train_domains == data.domain_names.index(name)) & data.train.polar
        )
        texts = [data.train.texts[i] for i in rows]
        flags[rows] = no_lexicon_evidence(texts, config.max_abs_compound)
        data.sizes[name]["pseudo_neutral"] = int(flags[rows].sum())
        print(
            f"  {name}: {int(flags[rows].sum()):,} of {len(rows):,} polar training rows have no "
            f"{config.lexicon.upper()} evidence (pseudo-neutral)",
            file=sys.stderr,
            flush=True,
        )
    return flags


def carve_corpus(
    corpus: LabelledCorpus, recipe: Recipe, mix: CorpusMix, seed: int
) -> tuple[Rows, Rows]:
    """(training pool sampled to ``mix.take``, validation) of one text corpus."""
    rows = Rows(corpus.texts, corpus.labels)
    fraction = mix.validation_fraction
    train_idx, val_idx = splits.carve(
        corpus.labels,
        recipe.validation_fraction if fraction is None else fraction,
        recipe.validation_cap,
        seed,
    )
    train = rows.subset(train_idx)
    if recipe.neutral == NEUTRAL_NONE:
        train = train.subset(np.flatnonzero(train.polar))
    train = _limit(train, mix.take, splits.corpus_seed(seed, corpus.name + ":take"))
    return train, rows.subset(val_idx)


def _user_mix(path: str, taken: set[str], weight: float) -> CorpusMix:
    name = Path(path).stem
    while name in taken:
        name += "_"
    return CorpusMix(name=name, weight=weight)


def prepare(
    recipe: Recipe,
    sources: Sources,
    seed: int,
    limit: int | None = None,
    test_limit: int | None = None,
    training: bool = True,
) -> TrainingData:
    """Assemble a recipe's data. ``limit`` caps each corpus's rows (tests); the test split is
    capped by ``test_limit``. ``training=False`` builds only the held-out splits (evaluation
    re-carves exactly the validation rows a model was trained without)."""
    started = time.perf_counter()
    parts: list[tuple[str, Rows, float]] = []
    validation: dict[str, Rows] = {}
    test: dict[str, Rows] = {}
    sizes: dict[str, dict] = {}

    if recipe.imdb is not None:
        where = sources.data_dir or "tensorflow-datasets default"
        print(f"loading IMDB reviews ({where})", file=sys.stderr, flush=True)
        train, val, imdb_test = _imdb(recipe, sources.data_dir, seed, limit, training)
        test[IMDB_TEST] = imdb_test if not test_limit else imdb_test.subset(np.arange(test_limit))
        parts.append((IMDB, train, recipe.imdb.weight))
        validation[IMDB] = val
        sizes[IMDB] = {
            "source": "tensorflow-datasets imdb_reviews",
            "splits": {
                "train": recipe.imdb.train_split,
                "validation": recipe.imdb.validation_split
                or f"{recipe.imdb.validation_fraction:.0%} of {recipe.imdb.train_split} "
                "(stratified, seeded)",
                "test": recipe.imdb.test_split,
            },
            "weight": recipe.imdb.weight,
            "validation": len(val),
            "test": len(test[IMDB_TEST]),
        }

    mixes: list[tuple[CorpusMix, str]] = []
    if recipe.corpora:
        text_dir = corpora.resolve_text_dir(sources.text_dir)
        files = corpora.corpus_files(text_dir)
        missing = [m.name for m in recipe.corpora if m.name not in files]
        if missing:
            raise corpora.BadDataError(
                f"the {recipe.name!r} recipe needs the corpora {', '.join(missing)}, which are "
                f"not in {text_dir} (set --text-dir or env TEXT_DATA_DIR to the directory that "
                "holds them -- on the team's machines ../shared/data/text)"
            )
        mixes += [(mix, str(files[mix.name])) for mix in recipe.corpora]
    taken = {IMDB, IMDB_TEST} | {m.name for m, _ in mixes}
    for path in sources.data_files:
        mix = _user_mix(path, taken, recipe.user_data_weight)
        taken.add(mix.name)
        mixes.append((mix, path))

    for mix, path in mixes:
        corpus = corpora.read_labelled_file(path, name=mix.name)
        if limit:
            rows = _limit(Rows(corpus.texts, corpus.labels), limit, seed)
            corpus = LabelledCorpus(corpus.name, corpus.source, rows.texts, rows.labels)
        train, val = carve_corpus(corpus, recipe, mix, seed)
        print(
            f"  {mix.name:<28} {len(corpus.texts):>7,} rows -> train {len(train):>6,}, "
            f"validation {len(val):>5,} (weight {mix.weight:g})",
            file=sys.stderr,
            flush=True,
        )
        parts.append((mix.name, train, mix.weight))
        validation[mix.name] = val
        sizes[mix.name] = {
            "source": path,
            "sha256": file_digest(path),
            "rows": len(corpus.texts),
            "labels": _counts(corpus.labels),
            "weight": mix.weight,
            "take": mix.take,
            "validation": len(val),
            "user_data": path in sources.data_files,
        }

    if training and recipe.negation_templates_weight > 0:
        from model.training import augment

        texts, labels = augment.negation_rows(seed)
        parts.append((augment.NAME, Rows(texts, labels), recipe.negation_templates_weight))
        sizes[augment.NAME] = {
            "source": "synthetic: negated VADER lexicon words (model.training.augment)",
            "rows": len(texts),
            "labels": _counts(labels),
            "weight": recipe.negation_templates_weight,
            "validation": 0,
            "user_data": False,
        }
    if not training:
        parts = []
    held_out = {t for rows in (*validation.values(), *test.values()) for t in rows.texts}
    names = [name for name, _, _ in parts]
    texts: list[str] = []
    labels, weights, domains = [], [], []
    for index, (name, rows, weight) in enumerate(parts):
        keep = np.array([t not in held_out for t in rows.texts], dtype=bool)
        kept = rows.subset(np.flatnonzero(keep))
        texts += kept.texts
        labels.append(kept.labels)
        row_weights = np.full(len(kept), weight, dtype=np.float32)
        row_weights[kept.labels == NEUTRAL] *= recipe.neutral_weight
        weights.append(row_weights)
        domains.append(np.full(len(kept), index, dtype=np.int16))
        sizes[name].update(
            train=len(kept), train_labels=_counts(kept.labels), dropped_held_out=int((~keep).sum())
        )
    data = TrainingData(
        train=Rows(texts, np.concatenate(labels) if labels else np.zeros(0, np.int8)),
        weights=np.concatenate(weights) if weights else np.zeros(0, np.float32),
        train_domains=np.concatenate(domains) if domains else np.zeros(0, np.int16),
        domain_names=names,
        validation=validation,
        test=test,
        sizes=sizes,
    )
    if training and recipe.pseudo_neutral is not None:
        data.pseudo_neutral = _pseudo_neutral(data, recipe)
    dropped = sum(s.get("dropped_held_out", 0) for s in sizes.values())
    trained = (
        f"{len(data.train):,} training rows ({dropped} dropped: their text is also in a "
        "validation or test split), "
        if training
        else ""
    )
    print(
        f"data ready in {time.perf_counter() - started:.0f} s: {trained}"
        f"{sum(map(len, validation.values())):,} validation, "
        f"{sum(map(len, test.values())):,} test",
        file=sys.stderr,
        flush=True,
    )
    return data
