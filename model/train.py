"""``python -m model.train``: train, calibrate, evaluate and export (see model.training)."""

from model.training.train_cli import main

if __name__ == "__main__":
    raise SystemExit(main())
