"""Text to answer, whatever the surface: verdict, help line, English only, apology."""

from __future__ import annotations

import logging

import pytest

from bot.analysis import Analyzer
from bot.answers import answer_text
from bot.markup import MAX_TEXT_CHARS

LOG = logging.getLogger("test.answers")


@pytest.fixture
def analyzer(fake_classifier) -> Analyzer:
    return Analyzer(fake_classifier, 0.6)


def test_a_readable_english_text_gets_its_verdict(analyzer):
    answer = answer_text(analyzer, "<@U1> a great day", request_id="r1", logger=LOG)
    assert answer.kind == "result" and answer.label == "positive"
    assert answer.analysis is not None and answer.analysis.text == "a great day"
    assert not answer.truncated


@pytest.mark.parametrize("raw", ["", None, 42, "<@U1> <https://x.y>", "\u200b\x00\u202e"])
def test_nothing_readable_gets_the_help_line_and_is_not_scored(analyzer, fake_classifier, raw):
    answer = answer_text(analyzer, raw, request_id="r2", logger=LOG)
    assert (answer.kind, answer.label, answer.analysis) == ("help", "help", None)
    assert fake_classifier.calls == []


def test_text_that_is_not_english_gets_no_label(analyzer):
    answer = answer_text(analyzer, "Das ist ein sehr guter Film", request_id="r3", logger=LOG)
    assert answer.kind == "not_english" and answer.label == "not_english"


def test_a_scoring_failure_is_logged_with_the_request_id(analyzer, caplog):
    answer = answer_text(analyzer, "boom", request_id="Ev77", logger=LOG, surface="message")
    assert (answer.kind, answer.label, answer.request_id) == ("failed", "error", "Ev77")
    assert "id=Ev77 surface=message" in caplog.text and "boom" not in caplog.messages[0]


def test_a_text_over_the_limit_is_scored_from_its_start_and_says_so(analyzer):
    answer = answer_text(analyzer, "great " * (MAX_TEXT_CHARS // 5), request_id="r4", logger=LOG)
    assert answer.kind == "result" and answer.truncated
