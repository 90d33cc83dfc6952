"""Workflow Builder step "Analyze sentiment" (a custom function, declared in manifest.yml).

Input ``text``; outputs ``label`` ("positive", "negative" or "neutral"), ``confidence`` (0.5-1,
how sure the model is of the side the text leans to) and ``p_positive`` (0-1), so a workflow can
branch on sentiment with no code. Slack sends ``function_executed``; the ack is immediate, the
lazy listener scores and calls ``complete(outputs=...)``, or ``fail(error=...)`` with a reason a
workflow owner can act on.
"""

from __future__ import annotations

import uuid
from typing import Any

from bot.listeners.deps import deps_of

CALLBACK_ID = "analyze_sentiment"

EMPTY_INPUT = (
    "The step's `text` input is empty (or only links, mentions and emoji), so there is nothing "
    "to score. Map it to a form answer or message text that has words in it."
)


def step_outputs(prediction: Any) -> dict[str, Any]:
    """The step's three outputs from one Prediction (numbers rounded to 4 decimals)."""
    return {
        "label": str(prediction.label),
        "confidence": round(float(prediction.confidence), 4),
        "p_positive": round(float(prediction.p_positive), 4),
    }


def ack_step(ack: Any) -> None:
    """Empty ack before any work."""
    ack()


def run_step(complete: Any, fail: Any, context: Any, inputs: dict[str, Any] | None = None) -> None:
    """Lazy listener: score ``inputs["text"]`` and complete the step, or fail it with a reason."""
    deps = deps_of(context)
    raw = (inputs or {}).get("text")
    text = deps.analyzer.clean(raw if isinstance(raw, str) else "")
    if not text:
        _finish(deps, fail, error=EMPTY_INPUT)
        return
    try:
        [prediction] = deps.analyzer.classifier.predict([text])
        outputs = step_outputs(prediction)
    except Exception:
        ref = uuid.uuid4().hex[:12]
        deps.logger.exception("scoring failed for the workflow step (request id %s)", ref)
        _finish(
            deps, fail, error=f"The sentiment model failed on this text; try again (ref {ref})."
        )
        return
    _finish(deps, complete, outputs=outputs)


def _finish(deps: Any, call: Any, **kwargs: Any) -> None:
    """complete()/fail() are Web API calls too; a failure is logged, not raised."""
    try:
        call(**kwargs)
    except Exception as error:
        deps.logger.warning("finishing the workflow step failed: %s", type(error).__name__)


def register(app: Any) -> None:
    """Wire the custom function ``analyze_sentiment``."""
    app.function(CALLBACK_ID)(ack=ack_step, lazy=[run_step])
