"""Named training recipes: everything that decides what model comes out, as plain data.

``tutorial`` is the TensorFlow tutorial exactly (IMDB 15k/10k/25k, 20-dim unigram embedding,
Dense(16) -> sigmoid, 20 epochs, batch 512). ``chat`` is the served default: the same family
(hub embedding -> small dense head) trained on conversation, tweets, reviews and IMDB, with
three outputs (negative, positive, no clear sentiment) and a decision rule fitted on
validation; docs/model.md records why each of its numbers is what it is. One code path trains
both; a recipe only changes the numbers.
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
#: Three outputs (negative, positive, neutral) and a fitted decision rule over them; rows of
#: corpora without a neutral class teach polarity only (``model.training.network``).
NEUTRAL_CLASSES = "classes"
NEUTRAL_DESIGNS = (NEUTRAL_NONE, NEUTRAL_BAND, NEUTRAL_PRESENCE, NEUTRAL_CLASSES)

#: When the temperature is fitted.
TEMPERATURE_IF_NEEDED = "if_needed"  # only when validation ECE is above the threshold
TEMPERATURE_ALWAYS = "always"


@dataclass(frozen=True)
class CorpusMix:
    """How much of one text corpus goes into training, and how much each of its rows counts.

    ``take``: at most this many training rows (a seeded, stratified sample; None = all that
    remain after the validation carve). ``weight``: multiplies each row's loss.
    ``validation_fraction``: this corpus's carve (None: the recipe's).
    """

    name: str
    take: int | None = None
    weight: float = 1.0
    validation_fraction: float | None = None


@dataclass(frozen=True)
class ImdbMix:
    """IMDB through tensorflow-datasets.

    Validation is either a tfds split string (the tutorial's ``train[60%:]``) or, with
    ``validation_fraction``, a seeded stratified carve out of ``train_split``.
    """

    train_split: str = "train[:60%]"
    validation_split: str | None = "train[60%:]"
    test_split: str = "test"
    take: int | None = None
    weight: float = 1.0
    validation_fraction: float | None = None


@dataclass(frozen=True)
class OfflineEmbedding:
    """How ``python -m model.embedding`` builds this recipe's module when none is given."""

    directory: str
    args: tuple[str, ...] = ()


@dataclass(frozen=True)
class TrainedVocabulary:
    """A hub module made for the run: uni+bigram vocabulary by document frequency over the
    TRAINING rows only (never validation or test), random vectors, learned end to end."""

    tokenizer: str = "chat"  # model.serving.tokenizer.chat_spec (or conversation_spec, default)
    emoji: bool = True  # rewrite emoji / Slack shortcodes / emoticons as words
    ngrams: tuple[int, ...] = (1, 2)
    vocab_size: int = 100_000
    min_document_frequency: int = 3
    dim: int = 16
    oov_buckets: int = 5_000
    init_stddev: float = 0.1
    #: A frozen lexicon channel appended to every token's vector (None: none; "vader").
    lexicon: str | None = None


@dataclass(frozen=True)
class PseudoNeutral:
    """Polar rows whose text carries no lexicon evidence also teach "no clear sentiment".

    Sentiment140's labels come from emoticons that were removed from the text, so many of its
    rows read neutral; VADER (Hutto and Gilbert, 2014) finds them at training time only.
    """

    corpora: tuple[str, ...] = ("sentiment140_train_sample",)
    lexicon: str = "vader"
    max_abs_compound: float = 0.05


@dataclass(frozen=True)
class Recipe:
    name: str
    description: str
    imdb: ImdbMix | None
    corpora: tuple[CorpusMix, ...] = ()
    #: Validation carved out of every text corpus (and every --data file): stratified, seeded.
    validation_fraction: float = 0.1
    validation_cap: int | None = None
    #: The hub handle tried first (None: the recipe's own module straight away).
    hub_handle: str | None = None
    embedding: OfflineEmbedding | None = OfflineEmbedding("artifacts/embedding")
    vocabulary: TrainedVocabulary | None = None  # set: build the module from the training rows
    hidden_units: int = 16
    #: The output layer also sees the pooled embedding (its lexicon columns included).
    skip_connection: bool = False
    learning_rate: float = 1e-3  # adam's default, the tutorial's
    epochs: int = 20
    batch_size: int = 512
    shuffle_buffer: int | None = 10_000  # None: the whole training set (a mix needs it)
    keep_best: bool = True
    #: Rescale each output's sample weights to mean 1 (the loss scale stays that of weight 1).
    normalise_weights: bool = False
    neutral: str = NEUTRAL_NONE
    #: Polarity target of neutral rows (soft 0.5 = "no lean"); None: not trained on polarity.
    neutral_polarity_target: float | None = None
    neutral_weight: float = 1.0  # loss weight of neutral rows
    pseudo_neutral: PseudoNeutral | None = None
    #: The neutral threshold: the largest that flags at most ``max_polar_flagged`` of the polar
    #: validation rows in every group of ``groups`` (all validation pooled when no groups).
    neutral_objective: dict = field(default_factory=dict)
    #: Weight of the synthetic negated-lexicon rows (``model.training.augment``); 0 = none.
    negation_templates_weight: float = 0.0
    #: Validation splits the decision rule is fitted on (None: every split with a neutral
    #: class); --data files with a neutral class always count.
    decision_domains: tuple[str, ...] | None = None
    #: Weight of each --data file's rows (the team's own messages).
    user_data_weight: float = 1.0
    temperature: str = TEMPERATURE_IF_NEEDED
    #: Validation corpora the temperature is fitted and ECE judged on (None: all).
    calibration_domains: tuple[str, ...] | None = None
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

TWEETS = ("sentiment140_train_sample", "airline_tweets", "tweeteval_sentiment_val")
CONVERSATION = ("goemotions_reddit_train", "senti4sd_stackoverflow_train")
REVIEWS = (
    "amazon_polarity_sample",
    "yelp_reviews_sample",
    "amazon_alexa_reviews",
    "amazon_finefood_sample",
)
CHAT_CORPORA = ("sst2_train", *TWEETS, *CONVERSATION, *REVIEWS)

CHAT = Recipe(
    name="chat",
    description=(
        "Chat-like English with three answers (positive, negative, no clear sentiment): "
        "Reddit and Stack Overflow comments, tweets (incl. airline customer service), SST-2 "
        "phrases, product and restaurant reviews and IMDB; uni+bigram embedding learned end to "
        "end, with negation scope and contrast marked by the tokenizer and VADER's lexicon as a "
        "frozen channel; a three-way softmax head and a decision rule fitted on validation."
    ),
    imdb=ImdbMix(train_split="train", validation_split=None, validation_fraction=0.1),
    corpora=(
        CorpusMix("sst2_train", weight=0.5),
        CorpusMix("sentiment140_train_sample"),
        CorpusMix("amazon_polarity_sample"),
        CorpusMix("yelp_reviews_sample"),
        CorpusMix("amazon_alexa_reviews"),
        CorpusMix("amazon_finefood_sample"),
        # Customer-service complaints (63% negative): half weight, or "ticket" and "flight"
        # would read as complaints in any message.
        CorpusMix("airline_tweets", weight=0.5),
        # Conversation with a real neutral class: the closest to Slack messages.
        CorpusMix("goemotions_reddit_train", weight=2.0),
        CorpusMix("senti4sd_stackoverflow_train", weight=4.0, validation_fraction=0.2),
        # The smallest tweet corpus with a real neutral class: a larger validation share and
        # four times the weight.
        CorpusMix("tweeteval_sentiment_val", weight=4.0, validation_fraction=0.25),
    ),
    validation_fraction=0.1,
    validation_cap=None,
    embedding=None,
    vocabulary=TrainedVocabulary(tokenizer="conversation", lexicon="vader"),
    hidden_units=32,
    skip_connection=False,
    learning_rate=1e-3,
    epochs=2,
    batch_size=256,
    shuffle_buffer=None,
    keep_best=False,
    normalise_weights=True,
    neutral=NEUTRAL_CLASSES,
    negation_templates_weight=1.0,
    decision_domains=(*CONVERSATION, "tweeteval_sentiment_val"),
    user_data_weight=2.0,
    temperature=TEMPERATURE_ALWAYS,
    calibration_domains=CHAT_CORPORA,
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
    nested = {
        "imdb": ImdbMix,
        "embedding": OfflineEmbedding,
        "vocabulary": TrainedVocabulary,
        "pseudo_neutral": PseudoNeutral,
    }
    for key, kind in nested.items():
        if data.get(key) is not None:
            fields = {f.name for f in dataclasses.fields(kind)}
            values = {k: v for k, v in data[key].items() if k in fields}
            data[key] = kind(
                **{k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}
            )
    data["corpora"] = tuple(CorpusMix(**c) for c in data.get("corpora") or ())
    for key in ("calibration_domains", "decision_domains"):
        if data.get(key) is not None:
            data[key] = tuple(data[key])
    known = {f.name for f in dataclasses.fields(Recipe)}
    return Recipe(**{k: v for k, v in data.items() if k in known})


def describe(name: str) -> dict:
    """Plain data for ``name`` (used by ``model.bundle`` to fingerprint the default model)."""
    return get(name).describe()
