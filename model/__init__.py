"""The sentiment model: train, evaluate, export and load it.

Importing this package is cheap: it never imports TensorFlow. ``load`` picks the runtime.
"""

from model.serving.errors import ModelError, ModelNotFoundError
from model.serving.prediction import Classifier, ModelInfo, Prediction


def load(path=None, runtime=None) -> Classifier:
    """Load a trained model directory once; see ``model.serving.loading.load``."""
    from model.serving.loading import load as _load

    return _load(path, runtime=runtime)


__all__ = ["Classifier", "ModelError", "ModelInfo", "ModelNotFoundError", "Prediction", "load"]
