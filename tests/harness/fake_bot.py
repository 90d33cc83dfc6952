"""``python -m tests.harness.fake_bot [mode]``: the real ``python -m bot``, keyword classifier.

Everything is the real process (settings, runners, server, database, OAuth, dedupe) except the
model, which is tests.harness.bots.FakeClassifier: the multi-process tests are about delivery,
not scoring, and need no trained model. ``FAKE_SCORING_DELAY`` (seconds) slows each prediction.
"""

from __future__ import annotations

import os
import sys
import time

import model
from bot.__main__ import main
from tests.harness.bots import FakeClassifier


class SlowFakeClassifier(FakeClassifier):
    def predict(self, texts):
        time.sleep(float(os.environ.get("FAKE_SCORING_DELAY") or 0))
        return super().predict(texts)


def load(path=None, runtime=None) -> FakeClassifier:
    return SlowFakeClassifier()


model.load = load

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
