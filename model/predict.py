"""``python -m model.predict``: score texts from the command line (serving install only)."""

from model.serving.predict_cli import main

if __name__ == "__main__":
    raise SystemExit(main())
