"""Channel watching: live mood counts from message events, alerts, reactions, a weekly digest.

A watched channel's new messages are scored on arrival and only *counts* are kept (per
workspace, channel and hour). Modules, one job each:

* ``tables``: the SQLAlchemy tables (on ``bot.db.schema.metadata``, so ``python -m bot
  migrate`` creates them);
* ``store``: watching on/off, channel settings, and counting one message exactly once;
* ``periods``: ``24h`` / ``7d`` / ``30d`` windows and the counts in them;
* ``summaries``: the mood reply and the digest text built from counts (pure);
* ``digest``: ``python -m bot digest``, one post per watched channel per week.

What is stored and why is written up in docs/mood.md.
"""
