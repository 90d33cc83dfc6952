"""Slack markup back to the words a person wrote: mentions, links, emoji, entities, invisible
characters."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.analysis import Analyzer
from bot.markup import clean_text, escape_mrkdwn
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
    "raw",
    [
        "\u200b\u200c\u200d\u2060",  # zero-width space, (non-)joiners, word joiner
        "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f",  # bidi
        "\x00\x00\x00",  # NUL
        "\x01\x02\x1b\x7f\x85\x9f",  # C0 and C1 controls
        "\ufeff\u00ad\U000e0041",  # BOM, soft hyphen, a tag character
        "\u200b <@U1> \x00 :partyparrot: \u202e",
    ],
)
def test_a_text_of_only_invisible_characters_is_empty(raw: str):
    assert clean_text(raw) == ""


def test_invisible_characters_are_dropped_from_words():
    assert clean_text("gr\u200beat\x00 \u202eday\u202c\tnow") == "great day now"
