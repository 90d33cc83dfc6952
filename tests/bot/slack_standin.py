"""Old import path of the Slack stand-in: use ``from tests.harness import ...``
(``python -m tests.harness.standin --port 8900`` runs it by hand)."""

from tests.harness.standin import *  # noqa: F403
from tests.harness.standin import Call, SlackStandin  # noqa: F401
