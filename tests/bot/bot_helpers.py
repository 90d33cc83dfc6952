"""Old import path of the shared test harness: use ``from tests.harness import ...``."""

from tests.harness import *  # noqa: F403
from tests.harness import __all__  # noqa: F401
