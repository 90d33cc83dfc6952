"""``python tests/bot/fake_bot.py [mode]``: the real ``python -m bot`` with the keyword classifier.

Everything is the real process (settings, runners, waitress, database, OAuth, dedupe) except
the model, which is bot_helpers.FakeClassifier: the multi-process tests are about delivery, not
scoring, and need no trained model. ``FAKE_SCORING_DELAY`` (seconds) slows each prediction.
"""

from __future__ import annotations

import os
import sys
import time

from bot_helpers import FakeClassifier

import model
from bot.__main__ import main


class SlowFakeClassifier(FakeClassifier):
    def predict(self, texts):
        time.sleep(float(os.environ.get("FAKE_SCORING_DELAY") or 0))
        return super().predict(texts)


def load(path=None, runtime=None) -> FakeClassifier:
    return SlowFakeClassifier()


model.load = load

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
