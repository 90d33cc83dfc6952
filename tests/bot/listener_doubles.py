"""Test doubles for calling listeners directly: ack, response_url sender, Web API client, and a
synchronous outbox (the real :class:`bot.outgoing.outbox.Outbox` on an executor that sends at
once), so a listener's reply has gone out, and been logged, when the listener returns."""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any

from slack_bolt import BoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.analysis import Analyzer
from bot.listeners.deps import Deps
from bot.outgoing.outbox import Outbox
from model import ModelInfo, Prediction


class InlineExecutor(Executor):
    """Runs each submitted call at once, on the caller's thread."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:  # pragma: no cover - the outbox catches its own errors
            future.set_exception(error)
        return future


class FakeAck:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def __call__(self, text: str = "", **kwargs: Any) -> None:
        self.calls.append({"text": text, **kwargs})


class FakeSender:
    """A response_url sender: records (url, message); ``ok=False`` makes every post fail."""

    def __init__(self, ok: bool = True) -> None:
        self.sent: list[tuple[str, dict]] = []
        self.ok = ok

    def __call__(self, url: str, message: dict) -> bool:
        self.sent.append((url, message))
        return self.ok

    def send(self, url: str, message: dict, deadline: float | None = None) -> str | None:
        self.sent.append((url, message))
        return None if self.ok else "response_url answered HTTP 404 'expired_url'"


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
    """Records Web API calls; ``history`` pages are served in order, errors raised first.

    ``error`` makes chat.postMessage fail with that Slack error code."""

    def __init__(
        self,
        history: list[dict] | None = None,
        errors: list[SlackApiError] = (),  # type: ignore[assignment]
        error: str | None = None,
    ):
        self.calls: list[tuple[str, dict]] = []
        self.history_pages = list(history or [])
        self.history_errors = list(errors)
        self.dm_error: str | None = error
        # what bot.outgoing.web_client.client_until sets on its per-attempt copy
        self.timeout: float = 10.0
        self.retry_handlers: list[Any] = []

    @property
    def posted(self) -> list[dict]:
        return self.called("chat.postMessage")

    def chat_postMessage(self, **kwargs: Any) -> dict:
        self.calls.append(("chat.postMessage", kwargs))
        if self.dm_error:
            raise api_error("chat.postMessage", self.dm_error)
        return {"ok": True}

    def chat_postEphemeral(self, **kwargs: Any) -> dict:
        self.calls.append(("chat.postEphemeral", kwargs))
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


def sync_outbox(sender: FakeSender) -> Outbox:
    """The real outbox, sending at once on the listener's thread, posting response_urls to
    ``sender``."""
    return Outbox(executor=InlineExecutor(), response_sender=sender)  # type: ignore[arg-type]


def make_deps(analyzer: Analyzer | Any, sender: FakeSender | None = None, **extra: Any) -> Deps:
    """Deps for direct listener calls: ``sender`` receives response_url posts, both the
    outbox's and the immediate ones (``deps.send_response``)."""
    sender = sender or FakeSender()
    return Deps(analyzer=analyzer, outbox=sync_outbox(sender), send_response=sender, **extra)


def context_for(deps: Deps, **extra: Any) -> BoltContext:
    """What Bolt hands a listener: the deps middleware put them at ``context["deps"]``."""
    return BoltContext({"deps": deps, **extra})


_VERDICT = re.compile(r"^Sentiment: (positive|negative|no clear sentiment)(?: \(| for )")


def label_of(text: str) -> str | None:
    """The label a reply's fallback text states ("Sentiment: positive (93% confident) for …"),
    as the label name ("positive", "negative", "neutral"); None when it states none."""
    found = _VERDICT.match(text or "")
    if found is None:
        return None
    return "neutral" if found.group(1) == "no clear sentiment" else found.group(1)


class NeutralClassifier:
    """A model with a neutral rule that finds no clear sentiment in anything (54% positive)."""

    info = ModelInfo(path="/m", version="n-1", runtime="fake", neutral={"method": "band"})

    def predict(self, texts: list[str]) -> list[Prediction]:
        return [Prediction.from_probability(0.548, neutral=True) for _ in texts]
