"""The served default model on everyday workplace messages, and the scorer itself."""

from __future__ import annotations

from collections import Counter

import model
from model.serving.bundle import bundled_model_dir
from model.serving.prediction import Prediction
from tests.model.everyday_messages import (
    CASES,
    NEG,
    NEU,
    NON_ENGLISH,
    PASS_BAR,
    POS,
    Case,
    describe_failures,
)
from tests.model.everyday_messages import score as score_cases


class FakeClassifier:
    """Answers a fixed label per text (unknown texts: positive)."""

    def __init__(self, answers: dict[str, str]) -> None:
        self.answers = answers
        self.calls: list[list[str]] = []

    def predict(self, texts):
        self.calls.append(list(texts))
        out = []
        for text in texts:
            label = self.answers.get(text, POS)
            p = {POS: 0.9, NEG: 0.1, NEU: 0.55}[label]
            out.append(Prediction(label=label, confidence=max(p, 1 - p), p_positive=p))
        return out


def test_scorer_counts_accepted_answers_only():
    cases = [
        Case("meh", (NEG, NEU), "lukewarm"),
        Case("great", (POS,), "praise"),
        Case("broken", (NEG,), "complaint"),
        Case("at 3pm", (NEU,), "neutral fact"),
    ]
    fake = FakeClassifier({"meh": NEU, "great": POS, "broken": POS, "at 3pm": NEG})
    rate, outcomes = score_cases(fake, cases)
    assert rate == 0.5
    assert [o.passed for o in outcomes] == [True, True, False, False]
    assert fake.calls == [["meh", "great", "broken", "at 3pm"]]  # one batch
    report = describe_failures(outcomes)
    assert "'broken': got positive, expected negative" in report
    assert "meh" not in report


def test_scorer_fails_a_classifier_that_always_says_positive():
    rate, _ = score_cases(FakeClassifier({}))
    assert rate < PASS_BAR


def test_scorer_passes_a_classifier_that_gives_the_first_accepted_answer():
    # The model never says "non-english" itself: the bot's language check does, whatever the
    # model answered (here: neutral).
    answers = {c.text: NEU if c.accepted[0] == NON_ENGLISH else c.accepted[0] for c in CASES}
    rate, outcomes = score_cases(FakeClassifier(answers))
    assert rate == 1.0 and len(outcomes) == len(CASES)


def test_a_foreign_message_is_answered_as_the_bot_would():
    cases = [Case("la réunion est annulée", (NON_ENGLISH,), "non-english")]
    cases += [Case("great job", (POS,), "praise")]
    rate, outcomes = score_cases(FakeClassifier({"great job": POS}), cases)
    assert rate == 1.0 and [o.label for o in outcomes] == [NON_ENGLISH, POS]


def test_the_list_covers_every_kind_of_message():
    kinds = Counter(c.kind for c in CASES)
    for kind in (
        "negation",
        "intensifier",
        "praise",
        "complaint",
        "neutral fact",
        "emoji",
        "contrast",
        "question",
        "non-english",
    ):
        assert kinds[kind] >= 5, kind
    assert len(CASES) >= 80
    assert any(":tada:" in c.text for c in CASES) and any(":disappointed:" in c.text for c in CASES)
    assert len({c.text for c in CASES}) == len(CASES)


def test_served_default_model_passes_the_everyday_messages():
    """The bundled model (what `model.load()` serves on a fresh install) answers >= 90%."""
    classifier = model.load(bundled_model_dir())
    rate, outcomes = score_cases(classifier)
    assert rate >= PASS_BAR, (
        f"{rate:.0%} of {len(outcomes)} everyday messages answered as expected (bar "
        f"{PASS_BAR:.0%}); model {classifier.info.version} (recipe {classifier.info.recipe}) "
        f"got wrong:\n{describe_failures(outcomes)}"
    )
