"""``python -m model.evaluate``: score the test data with the model as served."""

from model.training.evaluate import main

if __name__ == "__main__":
    raise SystemExit(main())
