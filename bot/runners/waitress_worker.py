"""A gunicorn worker that serves with waitress: gunicorn manages processes, waitress talks HTTP.

Why not gunicorn's own ``gthread`` worker: it hands a connection to a thread as soon as it is
readable and that thread blocks reading the rest of the request, so a few clients that send half
a request and stop hold every thread (measured: 150 half-open sockets, then ``/healthz`` timed
out after 5 s with ``--threads 8``). gunicorn expects a buffering proxy in front for that;
waitress buffers whole requests in its event loop and gives threads only complete ones. So
gunicorn does what it is good at (binding ``$PORT``, ``WEB_CONCURRENCY`` workers, SIGTERM, the
graceful timeout, restarting a dead worker) and each worker runs waitress on the sockets gunicorn
bound, through gunicorn's documented extension point (a ``gunicorn.workers.base.Worker``
subclass as ``worker_class``) and waitress's public ``create_server(sockets=...)``.

Shutdown is idempotent: gunicorn's SIGTERM handler only clears ``alive``, however often it comes
(Heroku signals every process of the dyno, and the arbiter forwards it again). Then the worker
stops accepting, lets waitress finish the requests it holds, and drains the bot's replies
(:meth:`bot.app.BotApp.shutdown`) before it exits; the arbiter waits ``graceful_timeout``.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import Any

from gunicorn.workers.base import Worker

log = logging.getLogger("bot.http")

#: How long the HTTP side may take to finish requests already received, at shutdown.
HTTP_DRAIN_SECONDS = 5.0


class WaitressWorker(Worker):
    """Serve ``self.wsgi`` with waitress on the listeners gunicorn bound; drain on SIGTERM."""

    def run(self) -> None:
        from bot.runners.http import server_options
        from bot.web import create_server

        runner = self.app.runner  # bot.runners.http.GunicornApp's
        sockets = [listener.sock for listener in self.sockets]
        server = create_server(self.wsgi, sockets=sockets, **server_options(runner.settings))
        loop = threading.Thread(target=server.run, name="waitress", daemon=True)
        loop.start()
        log.info("worker %s (pid %s) serving", self.age, os.getpid())
        while self.alive and loop.is_alive():
            self.notify()
            if self.ppid != os.getppid():
                log.warning("the arbiter (pid %s) is gone; stopping", self.ppid)
                break
            time.sleep(0.5)
        log.info("worker pid %s shutting down", os.getpid())
        self.notify()
        _finish_requests(server)
        runner.drain()

    def handle_quit(self, sig: int, frame: Any) -> None:
        """SIGQUIT/SIGINT: gunicorn's default exits at once; drain like SIGTERM instead."""
        self.alive = False


def _finish_requests(server: Any) -> None:
    """Stop accepting; wait (bounded) for requests being handled, then stop waitress's threads."""
    server.trigger.pull_trigger(server.close)  # the listener, from inside waitress's own loop
    dispatcher = server.task_dispatcher
    deadline = time.monotonic() + HTTP_DRAIN_SECONDS
    while (dispatcher.queue or dispatcher.active_count) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)  # let the loop flush the last responses
    dispatcher.shutdown(cancel_pending=True, timeout=1)
