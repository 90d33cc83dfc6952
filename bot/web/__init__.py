"""The HTTP edge: what happens to a request before Bolt sees it, and the waitress options.

``guard`` wraps the whole WSGI app (body-size cap, ``GET /metrics``, request counting);
``SlackEventsHandler`` replaces Bolt's WSGI adapter for ``POST /slack/events`` (signature check
on the raw bytes, a body parser without Bolt's ``payload`` bug, 400/401 instead of 500s, one
structured log line per request); ``waitress_options`` sets the limits that keep slow or idle
clients from exhausting the server.
"""

from bot.web.events import SlackEventsHandler
from bot.web.guard import guard
from bot.web.server_options import create_server, waitress_options

__all__ = ["SlackEventsHandler", "create_server", "guard", "waitress_options"]
