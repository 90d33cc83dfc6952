"""Named training recipes: everything that decides what model comes out, as plain data.

``tutorial`` is the TensorFlow tutorial exactly (IMDB 15k/10k/25k, 20-dim unigram embedding,
Dense(16) -> sigmoid, 20 epochs, batch 512). ``chat`` is the served default: the same family
(hub embedding -> small dense head) trained on a mix of short-text corpora plus IMDB, with a
neutral answer. One code path trains both; a recipe only changes the numbers.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from model.embedding.handle import GNEWS_SWIVEL_HANDLE

DEFAULT_RECIPE = "chat"

#: How neutral rows are trained on and how the neutral answer is made.
NEUTRAL_NONE = "none"  # neutral rows are not trained on; the model never answers "neutral"
NEUTRAL_BAND = "band"  # neutral rows get a soft target; neutral = |P(pos) - 0.5| < threshold
NEUTRAL_PRESENCE = "presence"  # a second output learns polar-vs-neutral; neutral = P(pres) < t
NEUTRAL_DESIGNS = (NEUTRAL_NONE, NEUTRAL_BAND, NEUTRAL_PRESENCE)


@dataclass(frozen=True)
class CorpusMix:
    """How much of one text corpus goes into training, and how much each of its rows counts.

    ``take``: at most this many training rows (a seeded, stratified sample; None = all that
    remain after the validation carve). ``weight``: multiplies each row's loss.
    """

    name: str
    take: int | None = None
    weight: float = 1.0


@dataclass(frozen=True)
class ImdbMix:
    """IMDB through tensorflow-datasets: split strings for training and validation."""

    train_split: str = "train[:60%]"
    validation_split: str = "train[60%:]"
    test_split: str = "test"
    take: int | None = None
    weight: float = 1.0
    validation_take: int | None = None  # score at most this many validation reviews


@dataclass(frozen=True)
class OfflineEmbedding:
    """How ``python -m model.embedding`` builds this recipe's module when none is given."""

    directory: str
    args: tuple[str, ...] = ()


@dataclass(frozen=True)
class Recipe:
    name: str
    description: str
    imdb: ImdbMix | None
    corpora: tuple[CorpusMix, ...] = ()
    #: Validation carved out of every text corpus (and every --data file): stratified, seeded.
    validation_fraction: float = 0.1
    validation_cap: int | None = 1000
    #: The hub handle tried first (None: the recipe's offline module straight away).
    hub_handle: str | None = None
    embedding: OfflineEmbedding = OfflineEmbedding("artifacts/embedding")
    hidden_units: int = 16
    epochs: int = 20
    batch_size: int = 512
    shuffle_buffer: int | None = 10_000  # None: the whole training set (a mix needs it)
    keep_best: bool = True
    neutral: str = NEUTRAL_NONE
    neutral_target: float = 0.5  # soft P(positive) target of neutral rows (band design)
    neutral_weight: float = 1.0  # loss weight of neutral rows
    #: What the fitted neutral threshold aims for (see model.training.neutral).
    neutral_objective: dict = field(default_factory=dict)
    #: Weight of each --data file's rows (user data is what the team cares about most).
    user_data_weight: float = 1.0
    ece_threshold: float = 0.03

    def __post_init__(self) -> None:
        if self.neutral not in NEUTRAL_DESIGNS:
            raise ValueError(f"neutral must be one of {NEUTRAL_DESIGNS}, got {self.neutral!r}")

    def describe(self) -> dict:
        """The recipe as JSON-ready data (manifest, model card, bundle fingerprint)."""
        return dataclasses.asdict(self)


TUTORIAL = Recipe(
    name="tutorial",
    description=(
        'The TensorFlow tutorial "Text classification with TensorFlow Hub": 15,000 IMDB '
        "reviews, 20-dim unigram embedding, Dense(16, relu) -> Dense(1, sigmoid)."
    ),
    imdb=ImdbMix(),
    hub_handle=GNEWS_SWIVEL_HANDLE,
    embedding=OfflineEmbedding("artifacts/embedding"),
)

# Placeholder numbers until the researcher's report (/tmp/research/REPORT.md) fixes them.
CHAT = Recipe(
    name="chat",
    description=(
        "Chat-like English: IMDB plus short-text corpora (SST-2 phrases, tweets, product and "
        "restaurant reviews, airline customer-service tweets), with a neutral answer."
    ),
    imdb=ImdbMix(
        train_split="train[:90%]", validation_split="train[90%:]", take=10_000, weight=1.0
    ),
    corpora=(
        CorpusMix("sst2_train", take=30_000),
        CorpusMix("sentiment140_train_sample", take=15_000),
        CorpusMix("amazon_polarity_sample"),
        CorpusMix("yelp_reviews_sample"),
        CorpusMix("amazon_alexa_reviews"),
        CorpusMix("amazon_finefood_sample"),
        CorpusMix("airline_tweets"),
        CorpusMix("tweeteval_sentiment_val"),
    ),
    validation_fraction=0.1,
    validation_cap=1000,
    embedding=OfflineEmbedding(
        "artifacts/embedding-chat",
        args=("--corpora", "imdb,text", "--ngrams", "2", "--emoji"),
    ),
    epochs=10,
    batch_size=512,
    shuffle_buffer=None,
    neutral=NEUTRAL_BAND,
    neutral_target=0.5,
    neutral_weight=1.0,
    neutral_objective={"metric": "macro_f1"},
    user_data_weight=2.0,
)

RECIPES: dict[str, Recipe] = {r.name: r for r in (TUTORIAL, CHAT)}


def get(name: str) -> Recipe:
    try:
        return RECIPES[name]
    except KeyError:
        raise ValueError(f"unknown recipe {name!r}; choose from {', '.join(RECIPES)}") from None


def from_definition(definition: dict) -> Recipe:
    """The Recipe recorded in a manifest (``config.recipe_definition``), as it was trained."""
    data = dict(definition)
    data["imdb"] = ImdbMix(**data["imdb"]) if data.get("imdb") else None
    data["corpora"] = tuple(CorpusMix(**c) for c in data.get("corpora") or ())
    data["embedding"] = OfflineEmbedding(
        data["embedding"]["directory"], tuple(data["embedding"].get("args") or ())
    )
    known = {f.name for f in dataclasses.fields(Recipe)}
    return Recipe(**{k: v for k, v in data.items() if k in known})


def describe(name: str) -> dict:
    """Plain data for ``name`` (used by ``model.bundle`` to fingerprint the default model)."""
    return get(name).describe()
