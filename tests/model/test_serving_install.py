"""The serving install (`pip install .`, no extras) answers without TensorFlow in the venv."""

import json
import subprocess
import venv
from pathlib import Path

import pytest

from tests.conftest import BAR_TEXTS, ROOT, assert_positive_then_negative


@pytest.fixture(scope="module")
def serving_venv(tmp_path_factory):
    """A fresh virtual environment with only the serving dependencies (network: PyPI only)."""
    where = tmp_path_factory.mktemp("serving-venv")
    venv.EnvBuilder(with_pip=True).create(where)
    python = where / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", str(ROOT)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    return python


def run_in(python, *args, stdin: str | None = None, cwd=None, **env: str):
    """Run the venv's python with a minimal environment (nothing leaks in from this process)."""
    return subprocess.run(
        [str(python), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", "HOME": "/tmp", **env},
    )


def test_no_tensorflow_in_the_serving_install(serving_venv):
    result = run_in(serving_venv, "-c", "import tensorflow")
    assert result.returncode != 0 and "No module named 'tensorflow'" in result.stderr


def test_bundled_model_answers_right_after_pip_install(serving_venv, tmp_path):
    """The issue's bar: no MODEL_DIR, no artifacts/, no TensorFlow; the package's own model."""
    script = (
        "import json, model\n"
        "c = model.load()\n"
        "p = c.predict(['not bad at all', 'what a wonderful day'])\n"
        "print(json.dumps({'path': c.info.path, 'runtime': c.info.runtime,\n"
        "    'version': c.info.version, 'labels': [x.label for x in p]}))\n"
    )
    result = run_in(serving_venv, "-c", script, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    served = json.loads(result.stdout)
    assert "site-packages" in served["path"] and served["runtime"] == "lite"
    assert served["labels"][1] == "positive"
    bundled = json.loads((ROOT / "model/serving/bundled_model/manifest.json").read_text())
    assert served["version"] == bundled["version"]


def test_installed_package_is_small(serving_venv, tmp_path):
    """The installed `model` and `bot` packages, bundled model included, fit in 25 MB."""
    code = "import model, bot; print(model.__file__, bot.__file__)"
    where = run_in(serving_venv, "-c", code, cwd=tmp_path)
    assert where.returncode == 0, where.stderr
    packages = [Path(p).parent for p in where.stdout.split()]
    assert all("site-packages" in str(p) for p in packages), "not a regular (non-editable) install"
    size = sum(f.stat().st_size for p in packages for f in p.rglob("*") if f.is_file())
    assert size <= 25 * 1024 * 1024, f"{size / 1e6:.1f} MB"


def test_console_bot_serves_the_bundled_model(serving_venv, tmp_path):
    result = run_in(serving_venv, "-m", "bot", stdin="what a wonderful day\n", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "positive" in result.stdout.lower() and "%" in result.stdout
    bundled = json.loads((ROOT / "model/serving/bundled_model/manifest.json").read_text())
    assert bundled["version"] in result.stderr, "the banner names the model it serves"


def test_predict_without_tensorflow(serving_venv, trained_model_dir, tmp_path):
    result = run_in(
        serving_venv,
        "-m",
        "model.predict",
        "--model",
        str(trained_model_dir),
        *BAR_TEXTS,
        cwd=tmp_path,
    )
    assert_positive_then_negative(result)


def test_console_bot_without_tensorflow(serving_venv, trained_model_dir, tmp_path):
    result = run_in(
        serving_venv,
        "-m",
        "bot",
        stdin="what a wonderful day\n",
        cwd=tmp_path,
        MODEL_DIR=str(trained_model_dir),
    )
    assert result.returncode == 0, result.stderr
    assert "positive" in result.stdout.lower() and "%" in result.stdout


def test_serving_install_refuses_tensorflow_only_model(serving_venv, trained_model_dir, tmp_path):
    """Forcing the TensorFlow runtime without TensorFlow installed is explained, not a trace."""
    result = run_in(
        serving_venv,
        "-m",
        "model.predict",
        "--model",
        str(trained_model_dir),
        "--runtime",
        "tensorflow",
        "hello",
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "pip install" in result.stderr
