"""The serving install (`pip install .`, no extras) answers without TensorFlow in the venv."""

import subprocess
import venv

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
