"""The artifact's human- and machine-readable descriptions: manifest and model card."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import platform
import subprocess
from pathlib import Path

PACKAGES = (
    "tensorflow",
    "tensorflow-cpu",
    "tf-keras",
    "tensorflow-hub",
    "tensorflow-datasets",
    "numpy",
    "pyfarmhash",
    "scipy",
)


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return versions


def git_revision() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            cwd=Path(__file__).resolve().parent,
        )
        if out.returncode != 0:
            return None
        dirty = subprocess.run(
            ["git", "status", "--porcelain"],
            capture_output=True,
            text=True,
            timeout=5,
            cwd=Path(__file__).resolve().parent,
        ).stdout.strip()
        return out.stdout.strip() + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return None


def model_version(created: dt.datetime, config: dict) -> str:
    """Date plus a short hash of the recipe: sortable and distinct per configuration."""
    digest = hashlib.sha256(repr(sorted(config.items())).encode()).hexdigest()[:8]
    return f"{created:%Y%m%d-%H%M%S}-{digest}"


def manifest(
    config: dict,
    calibration: dict,
    portable: dict,
    created: dt.datetime,
    neutral: dict | None = None,
    presence_output: bool = False,
    classes: bool = False,
) -> dict:
    """The artifact's description. ``neutral`` is the fitted rule, e.g. {"method": "band",
    "threshold": 0.1} (omitted when the model never answers neutral, as in the tutorial)."""
    from model.serving.artifact import FORMAT_VERSION

    outputs = {"p_positive": "float32 [batch]", "logit": "float32 [batch]"}
    if classes:
        outputs = {
            "p_positive": "float32 [batch]",
            "logits": "float32 [batch, 3]",
            "probabilities": "float32 [batch, 3]",
        }
    if presence_output:
        outputs.update(presence_logit="float32 [batch]", p_presence="float32 [batch]")
    data = {
        "format_version": FORMAT_VERSION,
        "version": model_version(created, config),
        "created": created.isoformat(timespec="seconds"),
        "git_revision": git_revision(),
        "packages": package_versions(),
        "config": config,
        "calibration": calibration,
        "portable": portable,
        "serving": {
            "signature": "serving_default",
            "input": "text: string [batch]",
            "outputs": outputs,
        },
    }
    if classes:
        from model.serving.postprocess import CLASSES

        data["serving"]["classes"] = list(CLASSES)
    if neutral:
        data["neutral"] = neutral
    return data


CITATIONS = {
    "imdb": "IMDB Large Movie Review Dataset: Maas, Daly, Pham, Huang, Ng and Potts (2011), "
    "Learning Word Vectors for Sentiment Analysis, ACL 2011",
    "sst2_train": "SST-2: Socher et al. (2013), Recursive Deep Models for Semantic "
    "Compositionality Over a Sentiment Treebank, EMNLP 2013 (GLUE SST-2 train)",
    "sentiment140_train_sample": "Sentiment140: Go, Bhayani and Huang (2009), Twitter Sentiment "
    "Classification using Distant Supervision (labels from emoticons; a sample)",
    "amazon_polarity_sample": "Amazon review polarity: Zhang, Zhao and LeCun (2015), "
    "Character-level Convolutional Networks for Text Classification, NeurIPS 2015 (a sample)",
    "yelp_reviews_sample": "Yelp Open Dataset (a sample; 3 stars counted as negative)",
    "amazon_alexa_reviews": 'Kaggle "Amazon Alexa Reviews"',
    "amazon_finefood_sample": "Amazon Fine Food Reviews: McAuley and Leskovec (2013), From "
    "Amateurs to Connoisseurs, WWW 2013 (a sample)",
    "airline_tweets": 'CrowdFlower / Kaggle "Twitter US Airline Sentiment" (2015)',
    "tweeteval_sentiment_val": "TweetEval sentiment (SemEval-2017 Task 4A) validation split: "
    "Barbieri et al. (2020), TweetEval, Findings of EMNLP 2020",
    "goemotions_reddit_train": "GoEmotions: Demszky, Movshovitz-Attias, Ko, Cowen, Nemade and "
    "Ravi (2020), GoEmotions: A Dataset of Fine-Grained Emotions, ACL 2020 (train split, mapped "
    "to positive / negative / neutral by the dataset's sentiment grouping)",
    "senti4sd_stackoverflow_train": "Senti4SD: Calefato, Lanubile, Maiorano and Novielli (2018), "
    "Sentiment Polarity Detection for Software Development, Empirical Software Engineering "
    "(train partition, MIT licence)",
    "negation_templates": "synthetic rows made at training time: strong VADER lexicon words in "
    'negated templates ("not the worst", "can\'t complain"), labelled as VADER\'s negation '
    "rule reads them (model/training/augment.py)",
}

LEXICON_CITATION = (
    "VADER lexicon: Hutto and Gilbert (2014), VADER: A Parsimonious Rule-based Model for "
    "Sentiment Analysis of Social Media Text, ICWSM 2014 (MIT licence)"
)


def _data_section(cfg: dict) -> str:
    corpora = cfg.get("data", {}).get("corpora") or {}
    lines = [
        "| corpus | training rows | validation rows | weight | source |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for name, size in corpora.items():
        if size.get("user_data"):
            source = "your own labelled file (`--data`)"
        else:
            source = CITATIONS.get(name, size.get("source", ""))
        lines.append(
            f"| {name} | {size.get('train', 0):,} | {size.get('validation', 0):,} | "
            f"{size.get('weight', 1):g} | {source} |"
        )
    imdb = corpora.get("imdb")
    notes = []
    if imdb:
        notes.append(
            "IMDB via tensorflow-datasets `imdb_reviews`: "
            + "; ".join(f"{k}: `{v}`" for k, v in imdb["splits"].items())
            + f". The IMDB test split ({imdb['test']:,} reviews) is never trained on."
        )
    if cfg.get("neutral_design") == "classes":
        notes.append(
            "Corpora without a neutral class (IMDB, SST-2, Sentiment140, reviews) teach polarity "
            "only: their rows are scored on P(label | positive or negative)."
        )
    frozen = (cfg.get("embedding_module") or {}).get("frozen_columns")
    if frozen:
        notes.append(
            f"The embedding module's frozen lexicon channel: {LEXICON_CITATION}; "
            f"{frozen['lexicon_tokens_added']:,} lexicon words (and negated forms) were added to "
            "the vocabulary."
        )
    notes.append(
        "Validation is carved out of every text corpus (seeded, stratified); any training row "
        "whose text also appears in a validation or test split is dropped "
        f"({sum(s.get('dropped_held_out', 0) for s in corpora.values())} rows)."
    )
    if cfg.get("pseudo_neutral_rows"):
        notes.append(
            f"{cfg['pseudo_neutral_rows']:,} polar training rows of "
            + ", ".join(cfg["recipe_definition"]["pseudo_neutral"]["corpora"])
            + " carry no sentiment words by the VADER lexicon (Hutto and Gilbert (2014), VADER, "
            'ICWSM 2014) and also train the "has sentiment" output as 0 (training time only).'
        )
    return "\n".join(lines) + "\n\n" + "\n".join(f"- {n}" for n in notes)


def _offsets_section(rule: dict, metrics: dict) -> str:
    figures = metrics.get("neutral") or {}
    offsets = ", ".join(f"{k} {v:+.2f}" for k, v in rule["offsets"].items())
    text = (
        "The network gives P(negative), P(positive) and P(no clear sentiment). The label shown "
        f"is the class with the largest log P + offset, offsets {offsets}, searched on "
        "validation data to maximise the mean 3-class macro recall over "
        f"{', '.join(figures.get('fitted_on', [])) or 'the corpora with a neutral class'}"
    )
    if figures.get("validation_objective") is None:
        return text + "."
    return text + (
        f": {figures['validation_objective']:.3f} (plain argmax: "
        f"{figures['validation_objective_plain_argmax']:.3f})."
    )


def _neutral_section(manifest_data: dict, metrics: dict) -> str:
    rule = manifest_data.get("neutral")
    if not rule:
        return "This model never answers neutral: every text is called positive or negative."
    if rule.get("method") == "offsets":
        return _offsets_section(rule, metrics)
    figures = metrics.get("neutral") or {}
    how = (
        "|P(positive) - 0.5| is below the threshold"
        if rule["method"] == "band"
        else "the presence output, P(the text carries any sentiment), is below the threshold"
    )
    text = f"A text is called **neutral** (no clear sentiment) when {how}: {rule['threshold']:.4f}"
    if not figures:
        return text + "."
    groups = figures.get("groups") or {}
    where = (
        "in each group of validation corpora ("
        + "; ".join(f"{g}: {', '.join(m)}" for g, m in groups.items())
        + ")"
        if len(groups) > 1
        else f"on the validation rows of {', '.join(figures.get('fitted_on', []))}"
    )
    return text + (
        f", the largest threshold that flags at most {figures.get('max_polar_flagged', 0):.0%} "
        f"of the texts that do carry sentiment {where}. Over those rows it recalls "
        f"{figures['neutral_recall']:.0%} of the neutral texts and flags "
        f"{figures['polar_flagged_rate']:.1%} of the polar ones."
    )


def _embedding_line(cfg: dict) -> str:
    module = cfg.get("embedding_module")
    if not module:
        return f"`{cfg['embedding']}` (hub.KerasLayer, trainable)"
    return (
        f"a hub-format module built for this run (hub.KerasLayer, trainable): "
        f"{module['vocabulary']:,} tokens ({module['bigrams']:,} of them word pairs) + "
        f"{module['oov_buckets']:,} OOV hash buckets x {module['dim']} dims, vocabulary by "
        f"{module['vocabulary_from']}, starting from {module['init']}"
    )


def model_card(manifest_data: dict, metrics: dict) -> str:
    """A short model card (Mitchell et al. 2019): what it is, how it was made, how well, limits."""
    from model.training.domains import markdown_table

    cfg = manifest_data["config"]
    cal = manifest_data["calibration"]
    portable = manifest_data["portable"]
    recipe = cfg.get("recipe_definition", {})
    test = metrics.get("test")
    test_section = ""
    if test:
        cm = test["confusion_matrix"]["matrix"]
        test_section = f"""
## IMDB test ({test["examples"]:,} reviews)
| metric | value |
| --- | --- |
| accuracy | {test["accuracy"]:.4f} |
| loss | {test["loss"]:.4f} |
| precision / recall / F1 | {test["precision"]:.4f} / {test["recall"]:.4f} / {test["f1"]:.4f} |
| ROC-AUC | {test["roc_auc"]:.4f} |
| ECE before / after calibration | {test["ece_before_calibration"]:.4f} / \
{test["ece_after_calibration"]:.4f} |

Confusion matrix (rows true, columns predicted; negative, positive): {cm}
"""
    return f"""# Model card: Slack sentiment classifier {manifest_data["version"]}

## What it does
Scores English text as **positive**, **negative**{
        " or **neutral**" if manifest_data.get("neutral") else ""
    } and gives calibrated probabilities; the app reports the label and its confidence{
        " (the probability of that label)"
        if cfg.get("neutral_design") == "classes"
        else " (max(p, 1 - p))"
    }.

## Intended use
Quick, indicative sentiment of short English messages in Slack. Not for decisions about people
(hiring, moderation, performance reviews) and not a substitute for reading the message.

## Recipe `{cfg.get("recipe", "tutorial")}`
{recipe.get("description", "")}
- Embedding: {_embedding_line(cfg)}
- Dense({recipe.get("hidden_units", 16)}, relu) -> {
        "Dense(3) softmax (negative, positive, neutral)"
        if cfg.get("neutral_design") == "classes"
        else "Dense(1, sigmoid)"
    }{
        " + Dense(1, sigmoid) presence output" if cfg.get("neutral_design") == "presence" else ""
    }; adam, {cfg.get("loss", "binary cross-entropy")}
- {cfg["epochs"]} epochs, batch {cfg["batch_size"]}, shuffle buffer {cfg["shuffle_buffer"]:,}, \
seed {cfg["seed"]}
- Weights kept from epoch {cfg.get("kept_epoch") or cfg["epochs"]} \
({"lowest validation loss" if cfg["keep_best"] else "last epoch"})
- Calibration: temperature {cal["temperature"]:.3f} \
({"fitted on validation" if cal["applied"] else "not needed"}; ECE threshold \
{cal["ece_threshold"]})

## Training data
{_data_section(cfg)}

## Neutral answer
{_neutral_section(manifest_data, metrics)}

## Per domain
Validation split of every corpus, and the IMDB test split (never tuned on). {
        "Macro recall and macro F1 over the classes present (3 where the corpus has a neutral "
        "class), the share answered right (neutral answers on polar rows count as wrong), and "
        "polar accuracy by the side the model leans to; VADER's figures (compound >= 0.05 "
        "positive, <= -0.05 negative, else neutral) on the same rows are beside each."
        if cfg.get("neutral_design") == "classes"
        else "Accuracy, F1 and ECE on the polar rows (by the side the model leans to); "
        '"neutral (polar)" is the share of polar rows answered neutral, "neutral recall" the '
        "share of truly neutral rows answered neutral."
    }

{markdown_table(metrics.get("domains") or {})}

![per-domain figures](plots/per_domain.png)
{test_section}
## Runtimes
TensorFlow SavedModel (`saved_model/`, signature `serving_default`). Portable NumPy form:
{
        f"certified, largest |dP| {portable['max_abs_diff_p_positive']:.2g}"
        if portable.get("certified")
        else "not certified: " + portable.get("reason", "")
    }.

## Limits
- English only; other languages and scripts fall back to the model's prior (the bot says "I
  can only read English" when a language identifier is sure a message is not English).
- A bag of words (and word pairs where the embedding has them): word order is mostly ignored
  beyond the tokenizer's negation scope (three words after "not", "never", "don't", ...) and
  its weighting of the clause after "but"; sarcasm and long-distance negation are hard.
- Training text is movie reviews, product reviews and tweets; workplace jargon is seen little.
  Check the per-domain table for the kind of text closest to yours, and add your own labelled
  messages with `--data` when it matters.
- Some labels are noisy: Sentiment140 is labelled by emoticons, Yelp counts 3 stars as negative.
- Confidence is calibrated on the pooled validation data; on other text it is a guide, not a
  guarantee.
"""
