"""Channel mood (``/sentiment mood``), unit level: parsing, summary, message and the listener
with fakes; the same flows over signed HTTP requests are in
tests/bot/listeners/test_surfaces_over_http.py."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot import channel_mood as mood
from bot.analysis import Analyzer
from bot.channel_mood import (
    DEFAULT_COUNT,
    MAX_COUNT,
    ChannelMessage,
    MoodRequest,
    MoodUsageError,
    human_texts,
    parse_mood_command,
    summarise,
    whole_percentages,
)
from bot.listeners import mood as mood_listener
from bot.listeners.deps import Deps
from model import Prediction
from tests.bot.listener_doubles import (
    FakeClient,
    NeutralClassifier,
    api_error,
    context_for,
    make_deps,
)


@pytest.fixture
def deps(fake_classifier) -> Deps:
    return make_deps(Analyzer(fake_classifier, 0.6))


@pytest.fixture
def context(deps: Deps) -> dict[str, Any]:
    return context_for(deps, bot_user_id="UBOT")


@pytest.fixture
def neutral_deps() -> Deps:
    return make_deps(Analyzer(NeutralClassifier(), 0.6))


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    slept: list[float] = []
    monkeypatch.setattr(mood_listener, "sleep", slept.append)
    return slept


# -- mood: parsing -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mood", MoodRequest("CHERE", DEFAULT_COUNT)),
        ("MOOD 45", MoodRequest("CHERE", 45)),
        ("mood 30d", MoodRequest("CHERE", DEFAULT_COUNT, period="30d")),
        ("mood 24H <#C0OTHER1>", MoodRequest("C0OTHER1", DEFAULT_COUNT, period="24h")),
        ("mood <#C0OTHER1|support>", MoodRequest("C0OTHER1", DEFAULT_COUNT)),
        ("mood 20 <#C0OTHER1>", MoodRequest("C0OTHER1", 20)),
        ("mood #general 30", MoodRequest("CHERE", 30)),
        ("mood 5000", MoodRequest("CHERE", MAX_COUNT, capped_from=5000)),
    ],
)
def test_mood_command_parsing(text: str, expected: MoodRequest):
    assert parse_mood_command(text, "CHERE", "general") == expected


@pytest.mark.parametrize(
    "text", ["", "great day", "mood swings are awful", "moody", "mood 5 5", "mood is 20"]
)
def test_text_that_is_not_a_mood_command_is_scored_instead(text: str):
    assert parse_mood_command(text, "CHERE", "general") is None


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("mood 0", "between 1 and 60"),
        ("mood #x", "#x"),
        ("mood C0PRIVATE1 5", "autocomplete"),  # a typed id could name a channel you can't see
    ],
)
def test_mood_usage_errors_explain_the_fix(text: str, needle: str):
    with pytest.raises(MoodUsageError) as caught:
        parse_mood_command(text, "CHERE", "general")
    assert needle in str(caught.value)
    assert mood_listener.is_mood_command(text)


# -- mood: selection, summary, rendering ---------------------------------------------------------


def _msg(ts: float, text: str, **extra: Any) -> dict:
    return {"type": "message", "user": "U1", "text": text, "ts": f"{ts:.6f}", **extra}


def test_only_people_with_text_count_oldest_first():
    history = [  # newest first, as conversations.history returns them
        _msg(9, "newest great"),
        _msg(8, "joined", subtype="channel_join"),
        _msg(7, "a bot says great", bot_id="B1"),
        _msg(6, "my own reply", user="UBOT"),
        _msg(5, ":tada: <@U2>"),  # nothing left after removing markup
        _msg(4, "edited", subtype="message_changed"),
        _msg(3, "shared a file, awful", subtype="file_share"),
        _msg(2, "no user", user=None),
        _msg(1, "oldest good"),
    ]
    texts = human_texts(history, bot_user_id="UBOT")
    assert [m.text for m in texts] == ["oldest good", "shared a file, awful", "newest great"]
    newest_two = human_texts(history, bot_user_id="UBOT", limit=2)
    assert [m.text for m in newest_two] == ["shared a file, awful", "newest great"]


def test_messages_without_ts_still_count_but_get_no_link(context):
    history = [{"type": "message", "user": "U1", "text": t} for t in ("great", "awful")]
    client = FakeClient(history=[_page(history)])
    mood_listener.answer_mood(command=_command(), client=client, context=context)
    [(_, reply)] = context["deps"].send_response.sent
    assert "50% positive, 50% negative" in reply["text"]
    assert client.called("chat.getPermalink") == []
    assert "link unavailable" in json.dumps(reply["blocks"])


@pytest.mark.parametrize(
    ("counts", "total"),
    [
        ({"positive": 1, "negative": 1, "unclear": 1}, 3),
        ({"positive": 2, "negative": 1}, 3),
        ({"positive": 1, "negative": 5, "unclear": 1}, 7),
    ],
)
def test_whole_percentages_add_up_to_100(counts: dict, total: int):
    shares = whole_percentages(counts, total)
    assert sum(shares.values()) == 100
    assert all(abs(shares[k] - 100 * counts.get(k, 0) / total) < 1 for k in shares)


def _messages(n: int) -> list[ChannelMessage]:
    return [ChannelMessage(ts=f"{i}.000100", text=f"m{i}") for i in range(n)]


def test_summary_shares_extremes_and_trend():
    # older half negative, newer half positive; one neutral and one unsure in between
    ps = [0.05, 0.1, 0.02, 0.5, 0.55, 0.9, 0.95, 0.99]
    predictions = [Prediction.from_probability(p) for p in ps]
    predictions[3] = Prediction.from_probability(0.5, neutral=True)
    summary = summarise(_messages(8), predictions, threshold=0.6)
    assert summary.counts == {"positive": 3, "negative": 3, "unclear": 2}
    assert summary.most_positive.ts == "7.000100" and summary.most_negative.ts == "2.000100"
    assert summary.trend.direction == "up"
    assert (summary.trend.older.positive, summary.trend.older.negative) == (0.0, 0.75)
    assert (summary.trend.newer.positive, summary.trend.newer.negative) == (0.75, 0.0)
    assert summary.trend.sparkline[0] < summary.trend.sparkline[-1]  # ▁ sorts before █

    falling = summarise(_messages(8), list(reversed(predictions)), threshold=0.6)
    assert falling.trend.direction == "down"
    flat = summarise(_messages(6), [Prediction.from_probability(0.9)] * 6, threshold=0.6)
    assert flat.trend.direction == "steady" and flat.most_negative is None


def test_few_messages_give_no_trend():
    summary = summarise(_messages(3), [Prediction.from_probability(0.9)] * 3, threshold=0.6)
    assert summary.trend is None
    with pytest.raises(ValueError):
        summarise(_messages(2), [], threshold=0.6)


def test_mood_message_has_shares_chart_trend_and_permalinks_not_quotes():
    messages = [ChannelMessage(f"{i}.1", f"secret words {i}") for i in range(6)]
    ps = [0.1, 0.2, 0.3, 0.7, 0.8, 0.95]
    summary = summarise(messages, [Prediction.from_probability(p) for p in ps], 0.6)
    links = {"5.1": "https://x/p5", "0.1": None}
    message = mood.mood_message("C1", summary, links, requested=50)
    text = message["text"]
    for needle in ("% positive", "% negative", "% no clear sentiment", "Trend", "<#C1>"):
        assert needle in text
    blocks = json.dumps(message["blocks"], ensure_ascii=False)
    assert "█" in blocks and "░" in blocks and "<https://x/p5|view message>" in blocks
    assert "link unavailable" in blocks  # the most negative one had no permalink
    assert "secret words" not in blocks and "secret words" not in text
    assert "Only 6 recent messages" in blocks and "you asked for 50" in blocks
    assert "older half 0% positive, 100% negative; newer half 100% positive, 0% negative" in text


def test_mood_message_when_nothing_to_score():
    summary = summarise([], [], 0.6)
    message = mood.mood_message("C1", summary, {}, requested=50)
    assert "nothing to score" in message["text"] and len(message["blocks"]) == 1


@pytest.mark.parametrize(
    ("code", "needle"),
    [
        ("not_in_channel", "/invite @sentiment"),
        ("channel_not_found", "private"),
        ("missing_scope", "groups:history"),
        ("ratelimited", "try again in a minute"),
        ("fatal_error", "fatal_error"),
    ],
)
def test_history_errors_are_explained(code: str, needle: str):
    assert needle in mood.explain_history_error(code, "C1")


# -- mood: listener ------------------------------------------------------------------------------


def _command(text: str = "mood", channel: str = "C1") -> dict:
    return {
        "command": "/sentiment",
        "text": text,
        "channel_id": channel,
        "channel_name": "general",
        "response_url": "https://hooks/mood",
        "trigger_id": "trig-1",
    }


def _page(messages: list[dict], cursor: str | None = None) -> dict:
    return {
        "ok": True,
        "messages": messages,
        "has_more": bool(cursor),
        "response_metadata": {"next_cursor": cursor or ""},
    }


def test_mood_reads_history_scores_once_and_answers_ephemerally(context, fake_classifier):
    page = [_msg(10 - i, w) for i, w in enumerate(["great", "awful", "love it", "meh", "bad"])]
    page.append(_msg(1, "a bot", bot_id="B1"))
    client = FakeClient(history=[_page(page)])
    mood_listener.answer_mood(command=_command("mood 5"), client=client, context=context)
    # each text scored once, through the Analyzer, oldest first
    assert fake_classifier.calls == [["bad"], ["meh"], ["love it"], ["awful"], ["great"]]
    [(url, reply)] = context["deps"].send_response.sent
    assert url == "https://hooks/mood" and reply["response_type"] == "ephemeral"
    assert "40% positive, 40% negative, 20% no clear sentiment" in reply["text"]
    assert [kw["channel"] for kw in client.called("conversations.history")] == ["C1"]
    assert len(client.called("chat.getPermalink")) == 2


def test_mood_pages_until_enough_people_messages(context):
    first = _page([_msg(9, "joined", subtype="channel_join")] * 3 + [_msg(8, "great")], "next1")
    second = _page([_msg(5, "awful"), _msg(4, "good")])
    client = FakeClient(history=[first, second])
    mood_listener.answer_mood(command=_command("mood 3"), client=client, context=context)
    cursors = [kw.get("cursor") for kw in client.called("conversations.history")]
    assert cursors == [None, "next1"]
    [(_, reply)] = context["deps"].send_response.sent
    assert "last 3 messages" in reply["text"]


def test_mood_rate_limit_is_retried_after_retry_after_and_announced(context, no_sleep):
    client = FakeClient(
        history=[_page([_msg(1, "great")])], errors=[api_error("h", "ratelimited", 429)]
    )
    mood_listener.answer_mood(command=_command(), client=client, context=context)
    assert no_sleep == [7.0]  # the Retry-After header
    sent = [m["text"] for _, m in context["deps"].send_response.sent]
    assert "rate-limiting" in sent[0] and "7 s" in sent[0]
    assert "100% positive" in sent[-1]


def test_mood_rate_limit_that_persists_is_explained(context, no_sleep):
    errors = [api_error("h", "ratelimited", 429) for _ in range(5)]
    client = FakeClient(errors=errors)
    mood_listener.answer_mood(command=_command(), client=client, context=context)
    assert len(client.called("conversations.history")) == mood_listener.MAX_ATTEMPTS
    assert len(no_sleep) == mood_listener.MAX_ATTEMPTS - 1
    last = context["deps"].send_response.sent[-1][1]
    assert "rate-limiting" in last["text"] and "try again in a minute" in last["text"]
    assert last["response_type"] == "ephemeral"


def test_mood_uses_what_it_read_when_a_later_page_stays_rate_limited(context):
    first = _page([_msg(9, "great"), _msg(8, "awful")], "next1")
    client = FakeClient(history=[first])
    limited = [api_error("h", "ratelimited", 429) for _ in range(3)]
    original = client.conversations_history

    def history(**kwargs: Any) -> dict:
        if kwargs.get("cursor"):
            client.calls.append(("conversations.history", kwargs))
            raise limited.pop(0)
        return original(**kwargs)

    client.conversations_history = history
    mood_listener.answer_mood(command=_command("mood 10"), client=client, context=context)
    (_, waiting), (_, reply) = context["deps"].send_response.sent
    assert "try again in 7 s" in waiting["text"]  # told once, not on every retry
    assert "50% positive, 50% negative" in reply["text"]
    assert "covers the messages read so far" in json.dumps(reply["blocks"])


def test_mood_does_not_wait_longer_than_its_bound(context, no_sleep, monkeypatch):
    monkeypatch.setattr(mood_listener, "MAX_WAIT_SECONDS", 5.0)  # Retry-After is 7 s
    client = FakeClient(errors=[api_error("h", "ratelimited", 429)])
    mood_listener.answer_mood(command=_command(), client=client, context=context)
    assert no_sleep == [] and len(client.called("conversations.history")) == 1
    [(_, reply)] = context["deps"].send_response.sent
    assert "asks me to wait 7 s" in reply["text"] and "try again" in reply["text"]


@pytest.mark.parametrize(
    ("error", "needle"),
    [
        (api_error("h", "not_in_channel"), "/invite"),
        (api_error("h", "missing_scope", needed="groups:history"), "groups:history"),
        (api_error("h", "channel_not_found"), "can't see"),
    ],
)
def test_mood_history_errors_reach_the_user(context, error, needle):
    client = FakeClient(errors=[error])
    mood_listener.answer_mood(command=_command(), client=client, context=context)
    [(_, reply)] = context["deps"].send_response.sent
    assert needle in reply["text"] and reply["response_type"] == "ephemeral"


def test_mood_in_a_dm_and_bad_usage(context):
    client = FakeClient()
    mood_listener.answer_mood(command=_command(channel="D123"), client=client, context=context)
    mood_listener.answer_mood(command=_command("mood 0"), client=client, context=context)
    texts = [m["text"] for _, m in context["deps"].send_response.sent]
    assert "direct messages" in texts[0] and "between 1 and 60" in texts[1]
    assert client.calls == []


def test_rate_limit_retries_are_taken_off_the_history_client():
    from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

    from bot.outgoing.web_client import make_web_client

    client = make_web_client(None, "https://slack.com/api/")
    clone = mood_listener.without_rate_limit_retries(client)
    assert clone.retry_handlers  # the other retries are kept
    assert not any(isinstance(h, RateLimitErrorRetryHandler) for h in clone.retry_handlers)
    assert any(isinstance(h, RateLimitErrorRetryHandler) for h in client.retry_handlers)


def test_mood_is_acked_privately_even_in_in_channel_mode(context):
    from bot.listeners import commands

    context["deps"].response_type = "in_channel"
    acks: list[dict] = []
    for text in ("mood", "mood 0", "great"):
        command = {"command": "/sentiment", "text": text, "channel_id": "C1"}
        commands.ack_sentiment(ack=lambda **kw: acks.append(kw), command=command, context=context)
    assert acks == [{}, {}, {"response_type": "in_channel"}]


def test_mood_counts_neutral_as_no_clear_sentiment(neutral_deps: Deps):
    context = context_for(neutral_deps)
    client = FakeClient(history=[_page([_msg(2, "noon"), _msg(1, "lunch")])])
    mood_listener.answer_mood(command=_command(), client=client, context=context)
    [(_, reply)] = neutral_deps.send_response.sent
    assert "0% positive, 0% negative, 100% no clear sentiment" in reply["text"]
    assert client.called("chat.getPermalink") == []  # no extremes to link
