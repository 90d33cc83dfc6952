"""App Home tab: how to use each surface, what the model is, what is stored, and a try-it box.

``app_home_opened`` publishes the tab for that user (``views.publish``). The try-it box is an
input in the tab itself: pressing Enter or the *Analyze* button sends a ``block_actions``
payload; the ack is immediate and the lazy listener re-publishes the tab with the answer. The
text travels only in that user's own view; the bot keeps nothing.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackApiError

from bot.listeners.deps import deps_of
from bot.views import TRY_BUTTON_ACTION, TRY_INPUT_ACTION, home_view, submitted_text

EMPTY_TRY = "Type a sentence in the box first, then press Enter or *Analyze*."
FAILED_TRY = "Sorry, something went wrong while analysing that text. Please try again."


def ack_home(ack: Any) -> None:
    """Events and button clicks are acked with an empty 200 before any work."""
    ack()


def _model_info(deps: Any) -> Any:
    return getattr(getattr(deps.analyzer, "classifier", None), "info", None)


def _publish(deps: Any, client: Any, user: str, view: dict[str, Any]) -> None:
    try:
        client.views_publish(user_id=user, view=view)
    except SlackApiError as error:
        code = error.response.get("error") if error.response is not None else None
        deps.logger.warning("views.publish for the App Home failed: %s", code)
    except Exception as error:
        deps.logger.warning("views.publish for the App Home failed: %s", type(error).__name__)


def publish_home(event: dict[str, Any], client: Any, context: Any) -> None:
    """Lazy listener for ``app_home_opened``: publish the Home tab (not the Messages tab)."""
    if event.get("tab", "home") != "home" or not event.get("user"):
        return
    deps = deps_of(context)
    _publish(deps, client, event["user"], home_view(_model_info(deps)))


def try_it_view(deps: Any, raw_text: str) -> dict[str, Any]:
    """The Home tab with the answer (or a hint) for what the user typed in the try-it box."""
    info = _model_info(deps)
    text = deps.analyzer.clean(raw_text)
    if not text:
        return home_view(info, note=EMPTY_TRY)
    try:
        return home_view(info, result=deps.analyzer.analyse(text))
    except Exception:
        deps.logger.exception("scoring failed for the App Home try-it box")
        return home_view(info, note=FAILED_TRY)


def answer_try(body: dict[str, Any], client: Any, context: Any) -> None:
    """Lazy listener for the try-it box: re-publish the user's Home tab with the answer."""
    user = (body.get("user") or {}).get("id")
    if not user:
        return
    deps = deps_of(context)
    text = submitted_text((body.get("view") or {}).get("state"))
    if not text:  # Enter in the box: the action itself carries the value
        action = (body.get("actions") or [{}])[0]
        if action.get("type") == "plain_text_input":
            text = str(action.get("value") or "")
    _publish(deps, client, user, try_it_view(deps, text))


def register(app: Any) -> None:
    """Wire ``app_home_opened`` and the try-it box (Enter in the input, or the button)."""
    app.event("app_home_opened")(ack=ack_home, lazy=[publish_home])
    app.action(TRY_BUTTON_ACTION)(ack=ack_home, lazy=[answer_try])
    app.action(TRY_INPUT_ACTION)(ack=ack_home, lazy=[answer_try])
