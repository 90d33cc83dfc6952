"""User-facing errors: one clear paragraph instead of a traceback."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from typing import TypeVar

F = TypeVar("F", bound=Callable[..., int | None])


class ModelError(Exception):
    """An error whose message is meant for the person at the terminal (and names the fix)."""


class ModelNotFoundError(ModelError):
    """No trained model at the configured location."""


class DataUnavailableError(ModelError):
    """The IMDB dataset is not prepared locally and cannot be downloaded."""


class EmbeddingUnavailableError(ModelError):
    """The text-embedding module cannot be resolved (e.g. tfhub.dev unreachable)."""


def exit_on_model_error(main: F) -> F:
    """Wrap a CLI ``main`` so ModelError prints its paragraph and exits with status 2."""

    @wraps(main)
    def wrapper(*args, **kwargs):
        try:
            return main(*args, **kwargs)
        except ModelError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        except KeyboardInterrupt:
            print("interrupted", file=sys.stderr)
            return 130

    return wrapper  # type: ignore[return-value]
