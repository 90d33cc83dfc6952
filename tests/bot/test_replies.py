"""What the bot says: verdicts, caveats, fallback text, usage and help lines, apologies."""

from __future__ import annotations

import json
from types import SimpleNamespace

from bot.analysis import Analysis
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


def test_three_class_answers_show_all_three_shares():
    values = {"p_positive": 0.81, "p_negative": 0.04, "p_neutral": 0.15}
    analysis = _analysis(confidence=0.81)
    three_way = SimpleNamespace(**{**analysis.__dict__, **values})
    message = result_message(three_way)  # type: ignore[arg-type]
    assert "positive 81% · no clear sentiment 15% · negative 4%" in json.dumps(
        message["blocks"], ensure_ascii=False
    )
    assert message["text"].startswith("Sentiment: positive (81% confident)")


def test_two_output_models_show_no_shares_line():
    message = result_message(_analysis(p_positive=0.93))
    assert "no clear sentiment" not in json.dumps(message["blocks"])


def test_not_english_answer_has_no_label_and_no_confidence():
    from bot.answers import Answer
    from bot.replies import NOT_ENGLISH, answer_message

    answer = Answer("not_english", "r1", _analysis(non_english=True))
    message = answer_message(answer, {"text": "help"})
    assert message["text"] == NOT_ENGLISH and "I can only read English" in NOT_ENGLISH
    blocks = json.dumps(message["blocks"])
    assert "confident" not in blocks and "Positive" not in blocks and "Why?" not in blocks
