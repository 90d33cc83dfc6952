"""The Slack app: `/sentiment`, @-mentions and DMs answered by the sentiment model.

Run it with ``python -m bot`` (HTTP), ``python -m bot socket`` (Socket Mode) or, with no Slack
credentials, ``python -m bot`` drops into a console. Importing this package is cheap: Slack Bolt
and the model are imported by the modules that need them, not here.
"""
