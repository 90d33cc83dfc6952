"""The test suite; ``tests.harness`` is importable by the tests and by ``scripts/``."""
