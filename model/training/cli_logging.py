"""Logging for the command lines: our progress lines, without tensorflow-datasets' chatter."""

from __future__ import annotations

import logging
import os


def setup_logging() -> None:
    """Timestamped INFO lines from our modules; absl/tfds/tensorflow only from WARNING up."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    for noisy in ("absl", "tensorflow", "tensorflow_datasets", "h5py", "matplotlib"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
