"""Training: data, network, fit loop, calibration, export and reports (``pip install '.[train]'``).

May import ``model.serving`` (the artifact it writes must load there) and ``model.embedding``.
"""
