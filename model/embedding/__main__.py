"""``python -m model.embedding``: build the offline text-embedding module."""

from model.embedding.build import main

if __name__ == "__main__":
    raise SystemExit(main())
