"""The analyzer's caveats: low confidence and the not-English hint."""

from __future__ import annotations

import pytest

from bot.analysis import Analyzer
from bot.language import looks_non_english


@pytest.mark.parametrize(
    "text",
    [
        "what a wonderful day",
        "great movie",
        "Absolutely fantastic performance tonight",
        "Die Hard was great",
        "the café was lovely",
        "12345 !!!",
        "",
    ],
)
def test_english_is_not_flagged(text: str):
    assert not looks_non_english(text)


@pytest.mark.parametrize(
    "text",
    [
        "Das ist ein sehr guter Film",
        "C'est un très bon film",
        "Qué película más aburrida",
        "il film è molto bello",
        "Это отличный фильм",
        "素晴らしい映画でした",
    ],
)
def test_other_languages_are_flagged(text: str):
    assert looks_non_english(text)


def test_analyzer_flags(fake_classifier):
    analyzer = Analyzer(fake_classifier, confidence_threshold=0.6)
    sure = analyzer.analyse("great")
    assert (sure.label, sure.low_confidence, sure.non_english) == ("positive", False, False)
    unsure = analyzer.analyse("meh")
    assert unsure.low_confidence and unsure.confidence == pytest.approx(0.55)
    assert Analyzer(fake_classifier, confidence_threshold=0.95).analyse("great").low_confidence
    assert analyzer.analyse("Das ist sehr gut").non_english
