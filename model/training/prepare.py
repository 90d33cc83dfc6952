"""Step 1, prepare: the recipe's rows (train / validation / test) and its embedding module.

Either the recipe builds a module from its training rows (``model.training.vocabulary``), or it
names a hub handle / offline module (``--embedding``, env EMBEDDING_HANDLE, the recipe's own).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from model.training import recipes
from model.training.mixing import Sources, TrainingData

log = logging.getLogger(__name__)


@dataclass
class Prepared:
    """What the later steps need from the data and the embedding."""

    data: TrainingData
    handle: str  # what hub.KerasLayer loads
    module_dir: Path | None  # the module's files (tokenizer, vocabulary) for the portable form
    embedding_info: dict | None  # a module built for this run: its description
    data_dir: str | None
    text_dir: str | None

    @property
    def own_embedding(self) -> bool:
        return self.embedding_info is not None


def check_data_files(paths: list[str]) -> None:
    """Read every --data file before anything slow starts: a bad row fails in a second."""
    from model.training.corpora import read_labelled_file

    for path in paths:
        corpus = read_labelled_file(path)
        counts = ", ".join(f"{n} {k}" for k, n in corpus.counts().items() if n)
        print(f"--data {path}: {len(corpus.texts):,} rows ({counts})", flush=True)


def build_offline_embedding(recipe: recipes.Recipe, data_dir: str | None, text_dir: str | None):
    """Build the recipe's offline hub module with ``python -m model.embedding``'s code."""
    from model.embedding.build import build
    from model.embedding.build import parse_args as embedding_args

    argv = [*recipe.embedding.args, "--out", recipe.embedding.directory]
    if data_dir:
        argv += ["--data-dir", data_dir]
    if text_dir:
        argv += ["--text-dir", text_dir]
    print(
        f"building the {recipe.name!r} recipe's embedding module in {recipe.embedding.directory}"
        f" (python -m model.embedding {' '.join(recipe.embedding.args)}); once only",
        flush=True,
    )
    build(embedding_args(argv))


def resolve_recipe_embedding(
    recipe: recipes.Recipe, handle: str | None, data_dir: str | None, text_dir: str | None
) -> tuple[str, Path]:
    """(handle, module dir): --embedding / EMBEDDING_HANDLE, else the recipe's hub handle,
    else (unreachable or none) the recipe's offline module, built on first use."""
    from model.embedding.handle import resolve_embedding
    from model.serving.errors import EmbeddingUnavailableError

    explicit = handle or os.environ.get("EMBEDDING_HANDLE")
    if explicit:
        return resolve_embedding(explicit, explicit=True)
    if recipe.embedding is None:
        raise ValueError(f"the {recipe.name!r} recipe builds its embedding from its training rows")
    if recipe.hub_handle:
        try:
            return resolve_embedding(recipe.hub_handle, explicit=True)
        except EmbeddingUnavailableError as error:
            log.warning(
                "could not fetch %s; using the offline embedding module %s instead (%s)",
                recipe.hub_handle,
                recipe.embedding.directory,
                str(error).split(". ")[0],
            )
    offline = Path(recipe.embedding.directory)
    if not (offline / "saved_model.pb").is_file():
        build_offline_embedding(recipe, data_dir, text_dir)
    return str(offline), offline


def polar_only_rows(data: TrainingData) -> np.ndarray:
    """Per training row: does its corpus lack a neutral class? (Then it teaches polarity only.)"""
    flags = np.array(
        [not has_neutral_class(data, name) for name in data.domain_names], dtype=np.float32
    )
    return flags[data.train_domains] if len(data.train) else np.zeros(0, np.float32)


def has_neutral_class(data: TrainingData, name: str) -> bool:
    """Whether corpus ``name`` labels any row neutral (IMDB and review corpora do not)."""
    return "neutral" in (data.sizes.get(name, {}).get("labels") or {})


def prepare(recipe: recipes.Recipe, args, workdir: Path) -> Prepared:
    """Load and carve the data, then resolve or build the embedding module."""
    from model.training import mixing
    from model.training.corpora import resolve_text_dir
    from model.training.data import resolve_data_dir
    from model.training.vocabulary import build_module

    data_dir = resolve_data_dir(args.data_dir)
    text_dir = str(resolve_text_dir(args.text_dir)) if recipe.corpora or args.text_dir else None
    own = recipe.vocabulary is not None and not (
        args.embedding or os.environ.get("EMBEDDING_HANDLE")
    )
    module_dir: Path | None = None
    if not own:
        handle, module_dir = resolve_recipe_embedding(recipe, args.embedding, data_dir, text_dir)
        log.info("embedding: %s", handle)
    sources = Sources(data_dir=data_dir, text_dir=text_dir, data_files=tuple(args.data))
    data = mixing.prepare(recipe, sources, args.seed, args.train_limit, args.test_limit)
    info = None
    if own:
        module_dir, info = build_module(
            data.train.texts, recipe.vocabulary, args.seed, Path(workdir) / "embedding"
        )
        handle = str(module_dir)
    return Prepared(data, handle, module_dir, info, data_dir, text_dir)
