"""The Workflow Builder step: three outputs, or a failure a workflow owner can act on."""

from __future__ import annotations

from typing import Any

import pytest

from bot.analysis import Analyzer
from bot.listeners import workflow
from tests.bot.listener_doubles import Recorder, context_for, make_deps


@pytest.fixture
def context(fake_classifier):
    return context_for(make_deps(Analyzer(fake_classifier, 0.6)))


BODY = {"event_id": "EvStep", "event": {"function_execution_id": "Fx1"}}


def run(context, inputs: Any, complete: Any = None, fail: Any = None) -> None:
    workflow.run_step(
        body=BODY,
        complete=complete or Recorder(),
        fail=fail or Recorder(),
        context=context,
        inputs=inputs,
    )


def test_step_completes_with_three_outputs(context):
    complete, fail = Recorder(), Recorder()
    run(context, {"text": "great"}, complete, fail)
    assert fail.calls == []
    [call] = complete.calls
    assert call["outputs"] == {"label": "positive", "confidence": 0.93, "p_positive": 0.93}


@pytest.mark.parametrize(
    "inputs", [{}, {"text": ""}, {"text": "<@U1> :tada:"}, {"text": 5}, None, {"text": "\u200b"}]
)
def test_step_fails_readably_on_empty_input(context, inputs):
    complete, fail = Recorder(), Recorder()
    run(context, inputs, complete, fail)
    assert complete.calls == [] and fail.calls == [{"error": workflow.EMPTY_INPUT}]


def test_step_fails_readably_on_text_that_is_not_english(context):
    complete, fail = Recorder(), Recorder()
    run(context, {"text": "Das ist nicht gut, aber wir haben keine Zeit"}, complete, fail)
    assert complete.calls == [] and fail.calls == [{"error": workflow.NOT_ENGLISH_INPUT}]


def test_step_fails_readably_when_the_model_fails(context):
    complete, fail = Recorder(), Recorder()
    run(context, {"text": "boom"}, complete, fail)
    [call] = fail.calls
    assert "model failed" in call["error"] and "boom" not in call["error"]
    assert "EvStep" in call["error"]


def test_step_complete_failure_is_logged_not_raised(context, caplog):
    def broken(**kwargs: Any) -> None:
        raise RuntimeError("network down")

    run(context, {"text": "great"}, complete=broken)
    [line] = [r.getMessage() for r in caplog.records if r.name == "bot.outbox"]
    assert "id=EvStep" in line and "outcome=failed" in line and "RuntimeError" in line
