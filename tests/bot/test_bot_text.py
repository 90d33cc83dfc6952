"""Markup cleaning, the English-likeness hint and reply formatting."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from bot.analysis import Analysis, Analyzer
from bot.language import looks_non_english
from bot.markup import clean_text, escape_mrkdwn
from bot.replies import (
    apology,
    fallback_text,
    mention_help,
    percent,
    plain_answer,
    result_message,
    shorten,
    usage_message,
)
from tests.harness import FakeClassifier


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("<@U024BE7LH> great movie", "great movie"),
        ("<@U024BE7LH|ada> hi <@W123>", "hi"),
        ("see <#C012AB3CD|general> and <#C012AB3CD>", "see and"),
        ("<!here> <!channel> <!everyone> ok", "ok"),
        ("<!subteam^SAZ94GDB8|@team> <!date^1392734382^{date}|Feb 18> fine", "fine"),
        ("read <https://example.com|this lovely post>", "read this lovely post"),
        ("read <https://example.com> now", "read now"),
        ("<http://example.com|example.com> is down", "is down"),
        ("<mailto:ada@example.com|ada@example.com> wrote", "wrote"),
        ("so happy :tada: :+1: :skin-tone-2: :thumbsup::skin-tone-3:", "so happy"),
        ("meeting at 10:30:45 went well", "meeting at 10:30:45 went well"),
        ("fish &amp; chips &lt;3 &gt;", "fish & chips <3 >"),
        ("  lots\n\nof   space ", "lots of space"),
        ("", ""),
    ],
)
def test_clean_text(raw: str, clean: str):
    assert clean_text(raw) == clean


def test_clean_text_keeps_the_emoji_the_model_reads():
    keep = frozenset({":tada:", ":+1:"})
    raw = "so happy :TADA: :+1::skin-tone-2: :partyparrot: at 10:30:45"
    assert clean_text(raw, keep_emoji=keep) == "so happy :tada: :+1: at 10:30:45"


def test_analyzer_cleans_with_its_models_emoji(fake_classifier):
    fake_classifier.info = replace(fake_classifier.info, emoji_codes=frozenset({":tada:"}))
    analyzer = Analyzer(fake_classifier)
    assert analyzer.clean("<@U1> :tada: :shipit:") == ":tada:"
    assert Analyzer(FakeClassifier()).clean("<@U1> :tada:") == ""  # a model that reads none


def test_escape_mrkdwn_round_trip():
    assert escape_mrkdwn("a < b & c > d") == "a &lt; b &amp; c &gt; d"


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


def _analysis(**kw) -> Analysis:
    values = dict(
        text="great movie",
        label="positive",
        confidence=0.937,
        low_confidence=False,
        non_english=False,
        threshold=0.6,
    )
    values.update(kw)
    return Analysis(**values)


def test_percent_rounds_down_and_handles_float_noise():
    assert percent(0.937) == "93%"
    assert percent(0.6) == "60%"
    assert percent(0.999) == "99%"
    assert percent(1.0) == "100%"
    assert percent(0.5) == "50%"


def test_shorten_cuts_long_text_at_a_word():
    text = "word " * 200
    short = shorten(text, 50)
    assert len(short) <= 50 and short.endswith("…")
    assert shorten("short", 50) == "short"


def test_result_message_has_label_confidence_quote_and_fallback():
    message = result_message(_analysis())
    assert message["text"].startswith("Sentiment: positive (93% confident)")
    assert "great movie" in message["text"]
    blocks = json.dumps(message["blocks"])
    assert "*Positive*" in blocks and "93%" in blocks and ">great movie" in blocks
    assert [b["type"] for b in message["blocks"]] == ["section", "section", "actions"]  # no caveats


def test_long_text_is_quoted_shortened():
    message = result_message(_analysis(text="so good " * 200))
    quote = message["blocks"][1]["text"]["text"]
    assert len(quote) <= 302 and quote.endswith("…")
    assert len(message["text"]) < 400


def test_markup_in_quote_is_escaped():
    message = result_message(_analysis(text="a <b> & c"))
    assert "a &lt;b&gt; &amp; c" in message["blocks"][1]["text"]["text"]


def test_caveats_appear_in_blocks_and_fallback():
    message = result_message(_analysis(confidence=0.55, low_confidence=True, non_english=True))
    assert "Low confidence" in message["text"] and "English" in message["text"]
    [context] = [b for b in message["blocks"] if b["type"] == "context"]
    assert context["type"] == "context" and len(context["elements"]) == 2
    assert "55%" in context["elements"][0]["text"] and "60%" in context["elements"][0]["text"]


def test_plain_answer_for_the_console():
    assert plain_answer(_analysis()) == 'positive (93% confident): "great movie"'
    low = plain_answer(_analysis(low_confidence=True, confidence=0.55))
    assert low.splitlines()[1].startswith("  note: Low confidence")


def test_fallback_text_escapes():
    assert "&lt;" in fallback_text(_analysis(text="<b>"))


def test_usage_help_and_apology():
    usage = usage_message("/sentiment-dev")
    assert "/sentiment-dev <text>" in usage["text"] and usage["blocks"]
    assert "<@UBOT>" in mention_help("UBOT")["text"]
    assert "me" in mention_help(None)["text"]
    assert "Ev1" in apology("Ev1")["text"]


def test_analyzer_flags(fake_classifier):
    analyzer = Analyzer(fake_classifier, confidence_threshold=0.6)
    sure = analyzer.analyse("great")
    assert (sure.label, sure.low_confidence, sure.non_english) == ("positive", False, False)
    unsure = analyzer.analyse("meh")
    assert unsure.low_confidence and unsure.confidence == pytest.approx(0.55)
    assert Analyzer(fake_classifier, confidence_threshold=0.95).analyse("great").low_confidence
    assert analyzer.analyse("Das ist sehr gut").non_english
