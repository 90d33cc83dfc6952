"""A file's folder says which install it needs: serving code imports only NumPy, pyfarmhash,
the standard library and other serving modules (TensorFlow only lazily, in tf_runtime)."""

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVING_DEPENDENCIES = {"numpy", "farmhash"}


def imported_modules(path: Path) -> list[tuple[str, bool]]:
    """(module, imported at module level?) for every import in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top_level = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, id(node) in top_level) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, id(node) in top_level))
    return found


def test_serving_imports_only_serving_numpy_farmhash_and_stdlib():
    offenders = []
    for path in sorted((ROOT / "model" / "serving").glob("*.py")):
        for module, top_level in imported_modules(path):
            root = module.split(".")[0]
            if module == "model" or module.startswith("model.serving") or root == "__future__":
                continue  # the package root imports only serving (next test)
            if root in SERVING_DEPENDENCIES or root in sys.stdlib_module_names:
                continue
            if root == "tensorflow" and path.name == "tf_runtime.py" and not top_level:
                continue
            offenders.append(f"{path.name}: {module}")
    assert offenders == []


def test_the_package_root_imports_only_serving():
    modules = [m for m, _ in imported_modules(ROOT / "model" / "__init__.py")]
    assert modules and all(m.startswith("model.serving") or m == "__future__" for m in modules)
