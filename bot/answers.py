"""What the bot answers to one text, whatever surface it came from: clean, score, decide.

:func:`answer_text` is the one place a surface's text becomes an answer. It never raises: a
text with nothing readable (empty, only mentions or links, only zero-width, bidi, control or
NUL characters) gets the help line, never a score; a text that does not look like English gets
"I can only read English" and no label; a scoring failure is logged with the request id and
becomes an apology quoting it. Rendering the answer (a message, the Home tab, a workflow step's
outputs) is the surface's business, see :mod:`bot.replies`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

from bot.analysis import Analysis, Analyzer
from bot.markup import is_over_limit

#: What kind of answer it is: a verdict, the help line, "I can only read English", an apology.
AnswerKind = Literal["result", "help", "not_english", "failed"]


@dataclass(frozen=True)
class Answer:
    """The outcome for one text; ``analysis`` is set for ``result`` and ``not_english``."""

    kind: AnswerKind
    request_id: str
    analysis: Analysis | None = None
    #: The text was longer than what is scored, so the reply must say only its start was read.
    truncated: bool = False

    @property
    def label(self) -> str:
        """What the reply's log line records: the verdict, or the kind of non-answer."""
        if self.kind == "result" and self.analysis is not None:
            return self.analysis.label
        return {"help": "help", "not_english": "not_english"}.get(self.kind, "error")


def answer_text(
    analyzer: Analyzer,
    raw_text: object,
    *,
    request_id: str,
    logger: logging.Logger,
    surface: str = "other",
) -> Answer:
    """The answer to ``raw_text`` as a person sent it (Slack markup and all); never raises."""
    raw = raw_text if isinstance(raw_text, str) else ""
    text = analyzer.clean(raw)
    if not text:
        return Answer("help", request_id)
    try:
        analysis = analyzer.analyse(text)
    except Exception:
        logger.exception("scoring failed id=%s surface=%s", request_id, surface)
        return Answer("failed", request_id)
    if analysis.non_english:
        return Answer("not_english", request_id, analysis)
    return Answer("result", request_id, analysis, truncated=is_over_limit(raw))
