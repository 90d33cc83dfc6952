"""Listeners grouped by Slack surface, one module each, found and registered from here.

A surface is a module in this package with a ``register(app: slack_bolt.App)`` function; it is
found by :func:`surface_modules` (no list to edit), so adding a surface is adding its module
(plus its lines in manifest.yml, see CONTRIBUTING.md). Surfaces are registered in name order,
then the modules that set ``CATCH_ALL = True`` (acks for whatever nothing else handled), since
Bolt runs the first listener that matches. Helper modules (``deps``, ``reply_path``) have no
``register`` and are skipped.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

from slack_bolt import App

from bot.listeners.deps import Deps, make_deps_middleware


def surface_modules() -> list[ModuleType]:
    """Every listener module of this package, in registration order (catch-alls last)."""
    found = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        if callable(getattr(module, "register", None)):
            found.append(module)
    return sorted(found, key=lambda module: bool(getattr(module, "CATCH_ALL", False)))


def register(app: App) -> list[str]:
    """Attach every surface's listeners to ``app``; returns the module names, in order."""
    modules = surface_modules()
    for module in modules:
        module.register(app)
    return [module.__name__.rsplit(".", 1)[-1] for module in modules]


__all__ = ["Deps", "make_deps_middleware", "register", "surface_modules"]
