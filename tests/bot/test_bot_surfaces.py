"""The new Slack surfaces, unit level: mood logic, Home view, and listeners with fakes.

Message shortcut, App Home (+ try-it box), Workflow Builder step and channel mood; the same flows
over signed HTTP requests against the Web API stand-in are in test_bot_surfaces_http.py.
"""

from __future__ import annotations

import json
import logging
import re
from types import SimpleNamespace
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot import mood
from bot.analysis import Analyzer
from bot.listeners import home, shortcut, workflow
from bot.listeners import mood as mood_listener
from bot.listeners.deps import Deps
from bot.mood import (
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
from bot.views import TRY_BLOCK_ID, TRY_INPUT_ACTION, home_view, submitted_text
from model import ModelInfo, Prediction

# -- fakes ---------------------------------------------------------------------------------------


class FakeSender:
    def __init__(self, ok: bool = True) -> None:
        self.sent: list[tuple[str, dict]] = []
        self.ok = ok

    def __call__(self, url: str, message: dict) -> bool:
        self.sent.append((url, message))
        return self.ok


def api_error(method: str, error: str, status: int = 200, **extra: Any) -> SlackApiError:
    response = SlackResponse(
        client=None,
        http_verb="POST",
        api_url=method,
        req_args={},
        data={"ok": False, "error": error, **extra},
        headers={"Retry-After": "7"} if status == 429 else {},
        status_code=status,
    )
    return SlackApiError("failed", response)


class FakeClient:
    """Records Web API calls; ``history`` pages are served in order, errors raised first."""

    def __init__(self, history: list[dict] | None = None, errors: list[SlackApiError] = ()):
        self.calls: list[tuple[str, dict]] = []
        self.history_pages = list(history or [])
        self.history_errors = list(errors)
        self.dm_error: str | None = None

    def chat_postMessage(self, **kwargs: Any) -> dict:
        self.calls.append(("chat.postMessage", kwargs))
        if self.dm_error:
            raise api_error("chat.postMessage", self.dm_error)
        return {"ok": True}

    def views_publish(self, **kwargs: Any) -> dict:
        self.calls.append(("views.publish", kwargs))
        return {"ok": True}

    def conversations_history(self, **kwargs: Any) -> dict:
        self.calls.append(("conversations.history", kwargs))
        if self.history_errors:
            raise self.history_errors.pop(0)
        return self.history_pages.pop(0)

    def chat_getPermalink(self, **kwargs: Any) -> dict:
        self.calls.append(("chat.getPermalink", kwargs))
        return {
            "ok": True,
            "permalink": f"https://standin.slack.com/archives/{kwargs['message_ts']}",
        }

    def called(self, method: str) -> list[dict]:
        return [kw for name, kw in self.calls if name == method]


class Recorder:
    """A fake complete()/fail()."""

    def __init__(self) -> None:
        self.calls: list[dict] = []

    def __call__(self, **kwargs: Any) -> None:
        self.calls.append(kwargs)


@pytest.fixture
def deps(fake_classifier) -> Deps:
    return Deps(analyzer=Analyzer(fake_classifier, 0.6), send_response=FakeSender())


@pytest.fixture
def context(deps: Deps) -> dict[str, Any]:
    return {"deps": deps, "bot_user_id": "UBOT"}


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
        ("MOOD 120", MoodRequest("CHERE", 120)),
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
        ("mood 0", "between 1 and 200"),
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
    assert fake_classifier.calls == [["bad", "meh", "love it", "awful", "great"]]  # one batch
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
    assert "direct messages" in texts[0] and "between 1 and 200" in texts[1]
    assert client.calls == []


def test_rate_limit_retries_are_taken_off_the_history_client():
    from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

    from bot.slack_api import make_web_client

    client = make_web_client(None, "https://slack.com/api/")
    clone = mood_listener.without_rate_limit_retries(client)
    assert clone.retry_handlers  # the other retries are kept
    assert not any(isinstance(h, RateLimitErrorRetryHandler) for h in clone.retry_handlers)
    assert any(isinstance(h, RateLimitErrorRetryHandler) for h in client.retry_handlers)


# -- message shortcut ----------------------------------------------------------------------------


def _shortcut(text: str | None, extra: dict | None = None) -> dict:
    msg = {"type": "message", "user": "UAUTHOR", "ts": "1.2", **(extra or {})}
    if text is not None:
        msg["text"] = text
    return {
        "type": "message_action",
        "callback_id": "analyze_sentiment",
        "trigger_id": "trig-s",
        "user": {"id": "UCLICKER"},
        "channel": {"id": "C1"},
        "message": msg,
        "response_url": "https://hooks/shortcut",
    }


def test_shortcut_answers_ephemerally_with_label_and_author(context):
    client = FakeClient()
    shortcut.answer_shortcut(body=_shortcut("what a great launch"), client=client, context=context)
    [(url, reply)] = context["deps"].send_response.sent
    assert url == "https://hooks/shortcut" and reply["response_type"] == "ephemeral"
    assert reply["replace_original"] is False
    assert "positive" in reply["text"] and "what a great launch" in reply["text"]
    assert "<@UAUTHOR>" in json.dumps(reply["blocks"])
    assert client.calls == []


@pytest.mark.parametrize(
    "message",
    [
        {"files": [{"id": "F1"}]},  # a file only
        {"text": "", "blocks": [{"type": "divider"}]},  # Block Kit only
        {"text": ":tada: <https://example.com>"},  # nothing left after removing markup
    ],
)
def test_shortcut_on_a_message_without_text(context, message):
    body = _shortcut(None, message)
    shortcut.answer_shortcut(body=body, client=FakeClient(), context=context)
    [(_, reply)] = context["deps"].send_response.sent
    assert reply["text"] == shortcut.NO_TEXT
    assert context["deps"].analyzer.classifier.calls == []


def test_shortcut_falls_back_to_a_dm_when_response_url_fails(context):
    context["deps"].send_response.ok = False
    client = FakeClient()
    shortcut.answer_shortcut(body=_shortcut("awful"), client=client, context=context)
    [posted] = client.called("chat.postMessage")
    assert posted["channel"] == "UCLICKER" and "negative" in posted["text"]


def test_shortcut_dm_failure_is_logged(context, caplog):
    context["deps"].send_response.ok = False
    client = FakeClient()
    client.dm_error = "cannot_dm_bot"
    shortcut.answer_shortcut(body=_shortcut("awful"), client=client, context=context)
    assert "cannot_dm_bot" in caplog.text


def test_shortcut_scoring_failure_apologises_with_reference(context, caplog):
    caplog.set_level(logging.ERROR)
    shortcut.answer_shortcut(body=_shortcut("boom"), client=FakeClient(), context=context)
    [(_, reply)] = context["deps"].send_response.sent
    assert "trig-s" in reply["text"] and "trig-s" in caplog.text
    assert "boom" not in caplog.text  # no message text in logs


# -- App Home ------------------------------------------------------------------------------------


def _info(**kw: Any) -> ModelInfo:
    values: dict[str, Any] = dict(path="/m", version="v-42", runtime="lite", test_accuracy=0.8797)
    values.update(kw)
    return ModelInfo(**values)


def test_home_view_describes_surfaces_model_and_privacy():
    info = _info(
        recipe="chat-v2",
        domains={
            "tweets": {"accuracy": 0.81, "f1": 0.8, "neutral_rate": 0.12, "examples": 2000},
            "reviews": {"accuracy": 0.9},
        },
        neutral={"method": "band", "threshold": 0.1},
    )
    view = home_view(info)
    assert view["type"] == "home" and len(view["blocks"]) <= 100
    text = json.dumps(view, ensure_ascii=False)
    for needle in (
        "v-42",
        "chat-v2",
        "88.0%",
        "*tweets*: accuracy 81.0%, F1 80.0%, no clear sentiment 12.0%, 2,000 examples",
        "*reviews*: accuracy 90.0%",
        "/sentiment mood",
        "Analyze sentiment",
        "Workflow Builder",
        "Nothing of your messages is stored",
        "English only",
    ):
        assert needle in text, needle
    assert TRY_BLOCK_ID in text


def test_home_view_reads_old_model_info_defensively():
    old = SimpleNamespace(version="old-1")  # no runtime, recipe, accuracy or domains
    text = json.dumps(home_view(old), ensure_ascii=False)
    assert "old-1" in text and "no per-domain measurements" in text
    assert "always picks positive or negative" in text
    assert "v" in json.dumps(home_view(None))  # even with no info at all


def test_home_opened_publishes_the_tab(context):
    client = FakeClient()
    home.publish_home(event={"user": "U1", "tab": "home"}, client=client, context=context)
    home.publish_home(event={"user": "U1", "tab": "messages"}, client=client, context=context)
    [published] = client.called("views.publish")
    assert published["user_id"] == "U1" and "fake-1" in json.dumps(published["view"])


def _try_body(value: str | None) -> dict:
    state = {"values": {TRY_BLOCK_ID: {TRY_INPUT_ACTION: {"type": "plain_text_input"}}}}
    if value is not None:
        state["values"][TRY_BLOCK_ID][TRY_INPUT_ACTION]["value"] = value
    return {"type": "block_actions", "user": {"id": "U1"}, "view": {"id": "V1", "state": state}}


def test_try_it_box_republishes_home_with_the_answer(context):
    client = FakeClient()
    home.answer_try(body=_try_body("I love this"), client=client, context=context)
    home.answer_try(body=_try_body(None), client=client, context=context)
    first, second = client.called("views.publish")
    assert "Positive" in json.dumps(first["view"]) and "I love this" in json.dumps(first["view"])
    assert home.EMPTY_TRY in json.dumps(second["view"])
    assert submitted_text(None) == ""


def test_enter_in_the_try_it_box_uses_the_action_value(context):
    client = FakeClient()
    body = _try_body(None)
    body["actions"] = [{"type": "plain_text_input", "action_id": TRY_INPUT_ACTION, "value": "bad"}]
    home.answer_try(body=body, client=client, context=context)
    assert "Negative" in json.dumps(client.called("views.publish")[0]["view"])


def test_mood_is_acked_privately_even_in_in_channel_mode(context):
    from bot.listeners import commands

    context["deps"].response_type = "in_channel"
    acks: list[dict] = []
    for text in ("mood", "mood 0", "great"):
        command = {"command": "/sentiment", "text": text, "channel_id": "C1"}
        commands.ack_sentiment(ack=lambda **kw: acks.append(kw), command=command, context=context)
    assert acks == [{}, {}, {"response_type": "in_channel"}]


# -- Workflow Builder step -----------------------------------------------------------------------


def test_step_completes_with_three_outputs(context):
    complete, fail = Recorder(), Recorder()
    workflow.run_step(complete=complete, fail=fail, context=context, inputs={"text": "great"})
    assert fail.calls == []
    [call] = complete.calls
    assert call["outputs"] == {"label": "positive", "confidence": 0.93, "p_positive": 0.93}


@pytest.mark.parametrize("inputs", [{}, {"text": ""}, {"text": "<@U1> :tada:"}, {"text": 5}, None])
def test_step_fails_readably_on_empty_input(context, inputs):
    complete, fail = Recorder(), Recorder()
    workflow.run_step(complete=complete, fail=fail, context=context, inputs=inputs)
    assert complete.calls == [] and fail.calls == [{"error": workflow.EMPTY_INPUT}]


def test_step_fails_readably_when_the_model_fails(context):
    complete, fail = Recorder(), Recorder()
    workflow.run_step(complete=complete, fail=fail, context=context, inputs={"text": "boom"})
    [call] = fail.calls
    assert "model failed" in call["error"] and "boom" not in call["error"]


def test_step_complete_failure_is_logged_not_raised(context, caplog):
    def broken(**kwargs: Any) -> None:
        raise RuntimeError("network down")

    workflow.run_step(complete=broken, fail=Recorder(), context=context, inputs={"text": "great"})
    assert "finishing the workflow step failed" in caplog.text


# -- registration --------------------------------------------------------------------------------


class FakeApp:
    def __init__(self) -> None:
        self.registered: list[tuple[str, Any, dict]] = []

    def __getattr__(self, kind: str):
        def decorator(name: Any, *args: Any, **kwargs: Any):
            return lambda *a, **kw: self.registered.append((kind, name, kw))

        return decorator


def test_each_surface_registers_ack_and_lazy_listeners():
    app = FakeApp()
    for module in (shortcut, home, workflow):
        module.register(app)
    kinds = {(kind, name) for kind, name, _ in app.registered}
    assert {
        ("shortcut", "analyze_sentiment"),
        ("event", "app_home_opened"),
        ("action", "try_analyze"),
        ("action", "try_text"),
        ("function", "analyze_sentiment"),
    } <= kinds
    assert all(kw.get("ack") and kw.get("lazy") for _, _, kw in app.registered)


# -- "neutral" (no clear sentiment) on every surface ---------------------------------------------


class NeutralClassifier:
    """A model with a neutral rule that finds no clear sentiment in anything (54% positive)."""

    info = ModelInfo(path="/m", version="n-1", runtime="fake", neutral={"method": "band"})

    def predict(self, texts: list[str]) -> list[Prediction]:
        return [Prediction.from_probability(0.548, neutral=True) for _ in texts]


@pytest.fixture
def neutral_deps() -> Deps:
    return Deps(analyzer=Analyzer(NeutralClassifier(), 0.6), send_response=FakeSender())


def test_neutral_is_rendered_as_no_clear_sentiment_with_its_leaning(neutral_deps: Deps):
    from bot.replies import plain_answer, result_message

    analysis = neutral_deps.analyzer.analyse("the meeting is at noon")
    assert analysis.p_positive == pytest.approx(0.548) and analysis.low_confidence
    message = result_message(analysis)
    assert message["text"].startswith("Sentiment: no clear sentiment (54% positive) for")
    assert "Low confidence" not in message["text"]  # "no clear sentiment" already says it
    blocks = json.dumps(message["blocks"])
    assert "*No clear sentiment* \\u00b7 54% positive" in blocks and "confident" not in blocks
    assert plain_answer(analysis) == 'no clear sentiment (54% positive): "the meeting is at noon"'


def test_neutral_reaches_command_shortcut_home_and_step(neutral_deps: Deps):
    from bot.listeners import commands

    context = {"deps": neutral_deps}
    command = {"command": "/sentiment", "text": "noon", "response_url": "https://hooks/c"}
    commands.answer_sentiment(body={}, command=command, context=context)
    shortcut.answer_shortcut(body=_shortcut("noon"), client=FakeClient(), context=context)
    texts = [m["text"] for _, m in neutral_deps.send_response.sent]
    assert all("no clear sentiment (54% positive)" in t for t in texts) and len(texts) == 2
    client = FakeClient()
    home.answer_try(body=_try_body("noon"), client=client, context=context)
    assert "No clear sentiment" in json.dumps(client.called("views.publish")[0]["view"])
    complete = Recorder()
    workflow.run_step(complete=complete, fail=Recorder(), context=context, inputs={"text": "x"})
    assert complete.calls[0]["outputs"]["label"] == "neutral"


def test_mood_counts_neutral_as_no_clear_sentiment(neutral_deps: Deps):
    context = {"deps": neutral_deps}
    client = FakeClient(history=[_page([_msg(2, "noon"), _msg(1, "lunch")])])
    mood_listener.answer_mood(command=_command(), client=client, context=context)
    [(_, reply)] = neutral_deps.send_response.sent
    assert "0% positive, 0% negative, 100% no clear sentiment" in reply["text"]
    assert client.called("chat.getPermalink") == []  # no extremes to link


# -- manifest and README agree with the code -----------------------------------------------------


def _manifest() -> str:
    from tests.harness import REPO

    return (REPO / "manifest.yml").read_text()


def manifest_bot_scopes(text: str) -> set[str]:
    block = re.search(r"^    bot:\n((?:      - .*\n)+)", text, re.M)
    assert block, "no oauth_config.scopes.bot list"
    return set(re.findall(r"- ([a-z_.:]+)", block.group(1)))


def test_manifest_declares_the_surfaces_the_code_listens_for():
    text = _manifest()
    shortcut_entry = re.search(r"^  shortcuts:\n(?:    .*\n)+", text, re.M).group(0)
    assert "type: message" in shortcut_entry
    assert f"callback_id: {shortcut.CALLBACK_ID}" in shortcut_entry
    functions = text[text.index("\nfunctions:") :]
    assert f"\n  {workflow.CALLBACK_ID}:\n" in functions
    inputs = functions[functions.index("input_parameters") : functions.index("output_parameters")]
    assert "\n        text:\n" in inputs
    outputs = functions[functions.index("output_parameters") :]
    for name in workflow.step_outputs(Prediction.from_probability(0.9)):
        assert f"\n        {name}:\n" in outputs, name
    for event in ("app_mention", "message.im", "app_home_opened", "function_executed"):
        assert re.search(rf"^      - {re.escape(event)}$", text, re.M), event
    for setting in (
        "home_tab_enabled: true",
        "function_runtime: remote",
        "org_deploy_enabled: true",
        "should_escape: true",  # mood needs channel links, not bare names
    ):
        assert setting in text, setting
    assert re.search(r"interactivity:\n    is_enabled: true", text)
    assert text.count("https://YOUR-APP.example.com/slack/events") == 3


def test_every_scope_is_needed_and_justified_in_the_readme():
    from tests.harness import REPO

    scopes = manifest_bot_scopes(_manifest())
    assert scopes == {
        "commands",
        "app_mentions:read",
        "chat:write",
        "im:history",
        "channels:history",
        "groups:history",
    }
    privacy = (REPO / "docs" / "privacy.md").read_text()
    privacy = privacy[privacy.index("## Permissions") :]
    privacy = privacy[: privacy.index("\n## ")]
    for scope in scopes:
        assert re.search(rf"^\| `{re.escape(scope)}` \| \S", privacy, re.M), scope
    readme = (REPO / "README.md").read_text()
    assert "Slack surfaces" in readme and "/sentiment mood" in readme


def test_oauth_scope_examples_match_the_manifest():
    """OAuth installs request SLACK_SCOPES: the documented value must be the manifest's scopes."""
    from tests.harness import REPO

    scopes = manifest_bot_scopes(_manifest())
    example = re.search(r"^SLACK_SCOPES=(.*)$", (REPO / ".env.example").read_text(), re.M)
    assert example and set(example.group(1).split(",")) == scopes
    app_json = json.loads((REPO / "app.json").read_text())
    described = re.search(r"\(([a-z_:.,]+)\)", app_json["env"]["SLACK_SCOPES"]["description"])
    assert described and set(described.group(1).split(",")) == scopes
