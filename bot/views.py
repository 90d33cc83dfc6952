"""Block Kit views: the App Home tab (how to use the app, what the model is, a try-it box).

Built from the loaded model's own ``info`` (version, recipe, measured accuracy per domain), read
defensively because older model directories carry fewer fields. Pure functions: no Slack calls.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.answers import Answer
from bot.markup import with_truncation_note
from bot.replies import NOT_ENGLISH, result_message

#: Ids the try-it box and its button use; the listeners match on them.
TRY_BLOCK_ID = "try_sentiment"
TRY_INPUT_ACTION = "try_text"
TRY_BUTTON_ACTION = "try_analyze"
TRY_MAX_CHARS = 3000  # Slack's limit for a plain_text_input value

SHORTCUT_NAME = "Analyze sentiment"
WORKFLOW_STEP_NAME = "Analyze sentiment"

EMPTY_TRY = "Type a sentence in the box first, then press Enter or *Analyze*."
FAILED_TRY = "Sorry, something went wrong while analysing that text. Please try again."

View = dict[str, Any]


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": text}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def _fraction(value: Any) -> str:
    """0.8797 → "88.0%"; anything that is not a number → "n/a"."""
    try:
        return f"{float(value) * 100:.1f}%"
    except (TypeError, ValueError):
        return "n/a"


def _count(value: Any) -> str:
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return "?"


def domain_lines(domains: Mapping[str, Any] | None) -> list[str]:
    """One line per domain of the artifact's own validation metrics, best-known fields only."""
    lines = []
    for name, metrics in sorted((domains or {}).items()):
        if not isinstance(metrics, Mapping):
            continue
        parts = [f"accuracy {_fraction(metrics.get('accuracy'))}"]
        if metrics.get("f1") is not None:
            parts.append(f"F1 {_fraction(metrics.get('f1'))}")
        if metrics.get("neutral_rate") is not None:
            parts.append(f"no clear sentiment {_fraction(metrics.get('neutral_rate'))}")
        if metrics.get("examples") is not None:
            parts.append(f"{_count(metrics.get('examples'))} examples")
        lines.append(f"• *{name}*: " + ", ".join(parts))
    return lines


def model_section(info: Any) -> list[dict[str, Any]]:
    """What the model is, from its own metadata: version, recipe, accuracy, per-domain metrics."""
    version = getattr(info, "version", None) or "unknown"
    runtime = getattr(info, "runtime", None) or "unknown"
    recipe = getattr(info, "recipe", None)
    test_accuracy = getattr(info, "test_accuracy", None)
    domains = getattr(info, "domains", None) or {}
    extra = getattr(info, "extra", None) or {}
    neutral = getattr(info, "neutral", None)

    facts = [f"*Version* `{version}` (runtime: {runtime})"]
    facts.append(f"*Recipe* {recipe}" if recipe else "*Recipe* the TensorFlow Hub tutorial")
    training_data = extra.get("training_data") if isinstance(extra, Mapping) else None
    if training_data:
        if isinstance(training_data, (list, tuple)):
            training_data = ", ".join(str(t) for t in training_data)
        facts.append(f"*Training data* {training_data}")
    elif not domains:
        facts.append("*Training data* IMDB movie reviews (English)")
    if test_accuracy is not None:
        facts.append(f"*Test accuracy* {_fraction(test_accuracy)} (on its held-out test set)")
    blocks = [_header("The model"), _mrkdwn("\n".join(facts))]
    lines = domain_lines(domains)
    if lines:
        blocks.append(
            _mrkdwn("*Measured accuracy per domain* (held-out data)\n" + "\n".join(lines))
        )
    else:
        blocks.append(_context("This model has no per-domain measurements."))
    if neutral:
        blocks.append(
            _context(
                "When a text carries no clear sentiment the answer says so, with where it leans "
                "(e.g. “No clear sentiment (54% positive)”)."
            )
        )
    else:
        blocks.append(
            _context(
                "This model always picks positive or negative; when it is unsure the answer says "
                "so with a low-confidence note."
            )
        )
    return blocks


USAGE_LINES = (
    "• `/sentiment <text>`: score any text; only you see the answer.",
    f"• *{SHORTCUT_NAME}* on a message (hover → ⋮ *More actions*): score someone's message "
    "without retyping it; only you see the answer.",
    "• `/sentiment mood [#channel] [count]`: the mood of a channel's recent messages (default "
    "50, at most 200): shares, trend and links to the most positive and negative ones. I must be "
    "in the channel.",
    "• @-mention me in a channel (I answer in the thread), or send me a direct message.",
    f"• Workflow Builder: add the *{WORKFLOW_STEP_NAME}* step to route form answers, tickets or "
    "survey replies by sentiment (outputs `label`, `confidence`, `p_positive`).",
)

LIMITS = (
    "• English only: other languages get a warning, not a verdict you should trust.",
    "• One message at a time, no thread context; sarcasm, irony and mixed feelings are hard.",
    "• Confidence is calibrated on held-out data, but any single answer can be wrong.",
)

PRIVACY = (
    "Nothing of your messages is stored. Texts are scored in memory and forgotten; logs hold ids "
    "and error codes, never message text. Channel mood reads recent messages only when you ask, "
    "and answers only you."
)


def answer_blocks(answer: Answer) -> list[dict[str, Any]]:
    """What the try-it box shows below itself for an answer (no Why button: a Home tab has no
    response_url to answer it through)."""
    if answer.kind == "result" and answer.analysis is not None:
        message = result_message(answer.analysis, why=False)
        if answer.truncated:
            message = with_truncation_note(message)
        return [*message["blocks"], _context("Only you see this. The text is not stored.")]
    if answer.kind == "help":
        return [_context(EMPTY_TRY)]
    if answer.kind == "not_english":
        return [_context(NOT_ENGLISH)]
    return [_context(f"{FAILED_TRY} (ref: {answer.request_id})")]


def try_it_blocks(answer: Answer | None = None) -> list[dict[str, Any]]:
    """The try-it box: an input (Enter submits) and a button; the last answer below it."""
    blocks: list[dict[str, Any]] = [
        _header("Try it"),
        {
            "type": "input",
            "block_id": TRY_BLOCK_ID,
            "dispatch_action": True,
            "label": {"type": "plain_text", "text": "A sentence to score"},
            "element": {
                "type": "plain_text_input",
                "action_id": TRY_INPUT_ACTION,
                "max_length": TRY_MAX_CHARS,
                "placeholder": {"type": "plain_text", "text": "e.g. The demo went really well"},
                "dispatch_action_config": {"trigger_actions_on": ["on_enter_pressed"]},
            },
        },
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": TRY_BUTTON_ACTION,
                    "text": {"type": "plain_text", "text": "Analyze"},
                    "style": "primary",
                }
            ],
        },
    ]
    if answer is not None:
        blocks += answer_blocks(answer)
    return blocks


def home_view(info: Any, answer: Answer | None = None) -> View:
    """The whole App Home tab for one user (``answer``: their last try-it answer)."""
    version = getattr(info, "version", None) or "unknown"
    blocks: list[dict[str, Any]] = [
        _mrkdwn(
            "I tell you whether a message is *positive*, *negative* or has *no clear sentiment*, "
            f"and how sure I am. Model version `{version}`."
        ),
        *try_it_blocks(answer),
        {"type": "divider"},
        _header("How to use it"),
        _mrkdwn("\n".join(USAGE_LINES)),
        {"type": "divider"},
        *model_section(info),
        _mrkdwn("*Limits*\n" + "\n".join(LIMITS)),
        {"type": "divider"},
        _header("What is stored"),
        _mrkdwn(PRIVACY),
    ]
    return {"type": "home", "blocks": blocks}


def submitted_text(view_state: Any) -> str:
    """The try-it box's value from a view's ``state``; "" when empty, missing or of another
    shape than the tab sent."""
    value: Any = view_state
    for key in ("values", TRY_BLOCK_ID, TRY_INPUT_ACTION, "value"):
        value = value.get(key) if isinstance(value, Mapping) else None
    return value if isinstance(value, str) else ""
