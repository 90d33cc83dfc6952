"""Console mode: try the bot without a Slack workspace.

With no Slack credentials, ``python -m bot`` explains how to connect (on stderr) and answers each
line of stdin on stdout the way ``/sentiment`` would, in plain text. Piped input works:
``echo "great movie" | python -m bot`` prints one answer and exits 0 at end of input.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any, TextIO

from bot.analysis import Analyzer
from bot.replies import console_usage, plain_answer
from bot.runners.base import Runner
from bot.settings import Settings

log = logging.getLogger(__name__)

INTRO = """\
No Slack credentials found (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_APP_TOKEN), so this is
the console: each line you type is answered the way /sentiment answers it in Slack.
To connect to Slack, create the app from manifest.yml, put its tokens in .env (see .env.example)
and run `python -m bot` (HTTP) or `python -m bot socket` (Socket Mode); docs/slack-setup.md has
the walkthrough."""

HELP_WORDS = frozenset({"help", "?", "-h", "--help"})


def answer_line(analyzer: Analyzer, line: str) -> str | None:
    """The console's answer to one input line (None for a blank line)."""
    text = analyzer.clean(line)
    if not text:
        return None
    if text.lower() in HELP_WORDS:
        return console_usage()
    return plain_answer(analyzer.analyse(text))


def model_line(analyzer: Analyzer) -> str:
    """Which model answers: its version, runtime and directory (the bundled one by default)."""
    info = getattr(analyzer.classifier, "info", None)
    version = getattr(info, "version", None) or "unknown"
    runtime = getattr(info, "runtime", None) or "unknown"
    return f"Model {version} ({runtime} runtime) from {getattr(info, 'path', '?')}"


def run(
    analyzer: Analyzer,
    stdin: TextIO,
    stdout: TextIO,
    stderr: TextIO,
    *,
    interactive: bool = False,
    intro: bool = True,
) -> int:
    """Answer stdin line by line until end of input; return the exit status (0)."""
    if intro:
        print(INTRO, file=stderr)
        print(model_line(analyzer), file=stderr)
        if interactive:
            print(console_usage(), file=stderr)
    while True:
        if interactive:
            print("> ", end="", file=stderr, flush=True)
        line = stdin.readline()
        if not line:
            if interactive:
                print(file=stderr)
            return 0
        try:
            answer = answer_line(analyzer, line)
        except Exception as error:
            log.debug("scoring failed", exc_info=True)
            print(f"error: could not score that line ({type(error).__name__})", file=stderr)
            continue
        if answer is not None:
            print(answer, file=stdout, flush=True)


class ConsoleRunner(Runner):
    """Load the model, then answer stdin until end of input (no Slack, no database)."""

    def __init__(
        self,
        settings: Settings,
        load_classifier: Callable[[], Any],
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
    ):
        super().__init__(settings, load_classifier)
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr
        self.analyzer: Analyzer | None = None

    def start(self) -> None:
        if hasattr(self.stdout, "reconfigure"):
            self.stdout.reconfigure(errors="replace")
        self.analyzer = Analyzer(self.load_classifier(), self.settings.confidence_threshold)

    def wait(self) -> int:
        assert self.analyzer is not None
        interactive = hasattr(self.stdin, "isatty") and self.stdin.isatty()
        return run(self.analyzer, self.stdin, self.stdout, self.stderr, interactive=interactive)

    def stop(self) -> None:
        """Nothing to release."""
