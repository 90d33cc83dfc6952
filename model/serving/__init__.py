"""Serving: what ``pip install .`` needs to load a model directory and score texts.

Imports only NumPy, pyfarmhash and the standard library (``tf_runtime`` imports TensorFlow
lazily, when a model must be served with it). Nothing here may import ``model.training`` or
``model.embedding``.
"""
