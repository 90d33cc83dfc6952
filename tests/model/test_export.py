"""Export: the serving signature applies the temperature; the portable form is certified or not."""

import dataclasses

import numpy as np
import pytest
import tensorflow as tf
import tf_keras

from model.serving.lite import LiteNetwork
from model.serving.tf_runtime import SavedModelScorer
from model.training import export
from model.training.calibration import sigmoid
from model.training.network import build_model

TEXTS = ["good fun movie", "awful boring mess", "", "unknown zzz words", "The PLOT!!"]


@pytest.fixture(scope="module")
def untrained_network(tiny_module_dir):
    tf_keras.utils.set_random_seed(0)
    return build_model(str(tiny_module_dir))


def test_serving_signature_applies_the_temperature(untrained_network, tmp_path):
    export.save_serving_model(untrained_network, temperature=2.0, out_dir=tmp_path)
    logits = export.keras_logits(untrained_network, tf.constant(TEXTS)).numpy()
    served = SavedModelScorer(tmp_path / "saved_model").p_positive(TEXTS)
    np.testing.assert_allclose(served, sigmoid(logits / 2.0), atol=1e-6)


def test_portable_form_is_certified_and_matches(untrained_network, tiny_module_dir, tmp_path):
    export.save_serving_model(untrained_network, temperature=2.0, out_dir=tmp_path)
    certificate = export.export_portable(untrained_network, tiny_module_dir, 2.0, tmp_path, TEXTS)
    assert certificate["certified"] is True
    assert certificate["max_abs_diff_p_positive"] <= 1e-5
    assert (tmp_path / "portable" / "weights.npz").is_file()
    lite = LiteNetwork(export.extract_portable(untrained_network, tiny_module_dir, 2.0))
    tf_p = SavedModelScorer(tmp_path / "saved_model").p_positive(TEXTS)
    np.testing.assert_allclose(lite.p_positive(TEXTS), tf_p, atol=1e-5)


def test_a_diverging_portable_form_is_not_written(
    untrained_network, tiny_module_dir, tmp_path, monkeypatch
):
    export.save_serving_model(untrained_network, temperature=1.0, out_dir=tmp_path)
    real_extract = export.extract_portable

    def off_by_a_little(*args, **kwargs):
        network = real_extract(*args, **kwargs)
        return dataclasses.replace(network, output_bias=network.output_bias + 1e-3)

    monkeypatch.setattr(export, "extract_portable", off_by_a_little)
    certificate = export.export_portable(untrained_network, tiny_module_dir, 1.0, tmp_path, TEXTS)
    assert certificate["certified"] is False
    assert "largest |dP|" in certificate["reason"]
    assert not (tmp_path / "portable").exists()
