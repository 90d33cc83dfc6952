"""``python -m model.bundle``: regenerate the bundled default model (see model.training.bundle)."""

from model.training.bundle import main

if __name__ == "__main__":
    raise SystemExit(main())
