"""Building the offline TF Hub-format text embedding: ``python -m model.embedding``.

Needs the training install (TensorFlow, SciPy). Importing this package is cheap; the builder,
vectors and hub module import their heavy dependencies themselves.
"""
