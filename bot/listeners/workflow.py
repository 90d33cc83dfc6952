"""Workflow Builder step "Analyze sentiment" (a custom function, declared in manifest.yml).

Input ``text``; outputs ``label`` ("positive", "negative" or "neutral"), ``confidence`` (0.5-1,
how sure the model is of the side the text leans to) and ``p_positive`` (0-1), so a workflow can
branch on sentiment with no code. Slack sends ``function_executed``; the ack is immediate, the
lazy listener scores and completes the step with its outputs, or fails it with a reason a
workflow owner can act on (empty input, not English, the model failed).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from slack_bolt import Ack, App, BoltContext, Complete, Fail

from bot.analysis import Analysis
from bot.answers import Answer
from bot.listeners.deps import deps_of
from bot.listeners.reply_path import meta_for, reply
from bot.outgoing.destinations import Payload, StepResult

CALLBACK_ID = "analyze_sentiment"
SURFACE = "workflow"

EMPTY_INPUT = (
    "The step's `text` input is empty (or only links, mentions and emoji), so there is nothing "
    "to score. Map it to a form answer or message text that has words in it."
)
NOT_ENGLISH_INPUT = (
    "The step's `text` input does not look like English, and the model can only read English, "
    "so it gives no label for it."
)


def step_outputs(analysis: Analysis) -> dict[str, Any]:
    """The step's three outputs from one Analysis (numbers rounded to 4 decimals)."""
    p_positive = analysis.p_positive if analysis.p_positive is not None else 0.0
    return {
        "label": str(analysis.label),
        "confidence": round(float(analysis.confidence), 4),
        "p_positive": round(float(p_positive), 4),
    }


def step_result(answer: Answer) -> Payload:
    """``{"outputs": ...}`` for a verdict, ``{"error": ...}`` (a readable reason) otherwise."""
    if answer.kind == "result" and answer.analysis is not None:
        return {"outputs": step_outputs(answer.analysis)}
    if answer.kind == "help":
        return {"error": EMPTY_INPUT}
    if answer.kind == "not_english":
        return {"error": NOT_ENGLISH_INPUT}
    return {
        "error": f"The sentiment model failed on this text; try again (ref {answer.request_id})."
    }


def ack_step(ack: Ack) -> None:
    """Empty ack before any work."""
    ack()


def run_step(
    body: dict[str, Any],
    complete: Complete,
    fail: Fail,
    context: BoltContext,
    inputs: dict[str, Any] | None = None,
) -> None:
    """Lazy listener: score ``inputs["text"]`` and complete the step, or fail it with a reason."""
    deps = deps_of(context)
    meta = meta_for(context, body, SURFACE)
    event = body.get("event")
    execution = event.get("function_execution_id") if isinstance(event, Mapping) else None
    text = inputs.get("text") if isinstance(inputs, Mapping) else None
    destination = StepResult(complete, fail, str(execution or meta.request_id))
    reply(deps, text=text, meta=meta, destination=destination, render=step_result)


def register(app: App) -> None:
    """Wire the custom function ``analyze_sentiment``."""
    app.function(CALLBACK_ID)(ack=ack_step, lazy=[run_step])
