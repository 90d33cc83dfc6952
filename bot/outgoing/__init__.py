"""Everything that goes out to Slack, one job per module.

* :mod:`bot.outgoing.slack_errors`: what a failed call's error was (``slack_error_code``,
  ``describe``, ``is_timeout``);
* :mod:`bot.outgoing.retry`: bounded retry handlers and the one ``Retry-After`` reader;
* :mod:`bot.outgoing.web_client`: the process's Web API client and per-attempt copies of it;
* :mod:`bot.outgoing.response_url`: posting to a slash command's or an action's ``response_url``;
* :mod:`bot.outgoing.reply_meta`: what a reply's log line says about it (never its text);
* :mod:`bot.outgoing.destinations`: where a reply goes (a channel, a response_url, a Home tab,
  a workflow step's result);
* :mod:`bot.outgoing.outbox`: sends replies off the listener threads, per destination, each
  within its deadline, with one log line per reply.
"""
