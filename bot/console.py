"""Console mode: try the bot without a Slack workspace.

With no Slack credentials, ``python -m bot`` explains how to connect (on stderr) and answers each
line of stdin on stdout the way ``/sentiment`` would, in plain text. Piped input works:
``echo "great movie" | python -m bot`` prints one answer and exits 0 at end of input.
"""

from __future__ import annotations

import logging
from typing import TextIO

from bot.analysis import Analyzer
from bot.markup import clean_text
from bot.replies import console_usage, plain_answer

log = logging.getLogger(__name__)

INTRO = """\
No Slack credentials found (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_APP_TOKEN), so this is
the console: each line you type is answered the way /sentiment answers it in Slack.
To connect to Slack, create the app from manifest.yml, put its tokens in .env (see .env.example)
and run `python -m bot` (HTTP) or `python -m bot socket` (Socket Mode); README.md has
the walkthrough."""

HELP_WORDS = frozenset({"help", "?", "-h", "--help"})


def answer_line(analyzer: Analyzer, line: str) -> str | None:
    """The console's answer to one input line (None for a blank line)."""
    text = clean_text(line)
    if not text:
        return None
    if text.lower() in HELP_WORDS:
        return console_usage()
    return plain_answer(analyzer.analyse(text))


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
