"""The three ways to run the bot, sharing one lifecycle (``base.Runner``).

* ``http.HttpRunner``: waitress serving ``/slack/events``, ``/healthz`` and the OAuth routes;
  ``WEB_CONCURRENCY`` processes share the port;
* ``socket.SocketRunner``: a Socket Mode WebSocket to Slack, no public URL;
* ``console.ConsoleRunner``: answers lines of stdin, no Slack at all.

``run(runner)`` is the lifecycle: ``start()`` (bind or connect, load the model, open the
database), ``wait()`` (serve until SIGTERM/SIGINT or end of input), ``stop()`` (drain the replies
in flight, release resources), always in that order.
"""

from __future__ import annotations

from bot.runners.base import Runner, RunnerError, run

__all__ = ["Runner", "RunnerError", "run", "runner_for"]


def runner_for(mode: str, settings, load_classifier) -> Runner:
    """The runner of ``mode`` ("http", "socket" or "console")."""
    if mode == "http":
        from bot.runners.http import HttpRunner

        return HttpRunner(settings, load_classifier)
    if mode == "socket":
        from bot.runners.socket import SocketRunner

        return SocketRunner(settings, load_classifier)
    if mode == "console":
        from bot.runners.console import ConsoleRunner

        return ConsoleRunner(settings, load_classifier)
    raise ValueError(f"no runner for mode {mode!r}")
