"""``model.load``: pick the runtime for a model directory and load it once."""

from __future__ import annotations

import json
import os
from pathlib import Path

from model.serving.artifact import PORTABLE, SAVED_MODEL, read_manifest, read_metrics
from model.serving.config import requested_runtime, serving_model_dir
from model.serving.errors import ModelError
from model.serving.postprocess import CLASSES, DecisionRule, NeutralRule
from model.serving.prediction import Classifier, ModelInfo
from model.serving.tokenizer import TOKENIZER_FILENAME, TokenizerSpec, shortcodes_read

RUNTIMES = ("lite", "tensorflow")


def choose_runtime(manifest: dict, requested: str | None) -> str:
    """Lite when the portable form is certified, TensorFlow otherwise; MODEL_RUNTIME forces one."""
    requested = requested_runtime(requested)
    if requested in ("tf",):
        requested = "tensorflow"
    if requested and requested not in RUNTIMES:
        raise ModelError(f"MODEL_RUNTIME={requested!r} is not one of: {', '.join(RUNTIMES)}")
    certified = bool(manifest.get("portable", {}).get("certified"))
    if requested == "lite" and not certified:
        reason = manifest.get("portable", {}).get("reason", "no portable form was exported")
        raise ModelError(
            f"MODEL_RUNTIME=lite, but this model has no certified portable form "
            f"({reason}). Unset MODEL_RUNTIME to serve it with TensorFlow."
        )
    return requested or ("lite" if certified else "tensorflow")


def read_emoji_codes(model_dir: Path) -> frozenset[str]:
    """The ``:shortcode:`` emoji the model's tokenizer reads (portable form, else SavedModel)."""
    for candidate in (model_dir / PORTABLE, model_dir / SAVED_MODEL / "assets"):
        spec_path = candidate / TOKENIZER_FILENAME
        if spec_path.is_file():
            data = json.loads(spec_path.read_text(encoding="utf-8"))
            return shortcodes_read(TokenizerSpec.from_json_dict(data))
    return frozenset()


def load(path: str | os.PathLike | None = None, runtime: str | None = None) -> Classifier:
    """Load the model in ``path`` (default: env MODEL_DIR, else artifacts/model, else bundled)."""
    model_dir = Path(path) if path else serving_model_dir()
    manifest = read_manifest(model_dir)
    chosen = choose_runtime(manifest, runtime)
    metrics = read_metrics(model_dir)
    rule: NeutralRule | DecisionRule | None = DecisionRule.from_json(
        manifest.get("neutral")
    ) or NeutralRule.from_json(manifest.get("neutral"))
    three_class = manifest.get("serving", {}).get("classes") == list(CLASSES)
    info = ModelInfo(
        path=str(model_dir),
        version=str(manifest.get("version", "unknown")),
        runtime=chosen,
        test_accuracy=metrics.get("test", {}).get("accuracy"),
        temperature=float(manifest.get("calibration", {}).get("temperature", 1.0)),
        recipe=manifest.get("config", {}).get("recipe"),
        domains=dict(metrics.get("domains") or {}),
        neutral=rule.to_json() if rule else None,
        extra={"embedding": manifest.get("config", {}).get("embedding")},
        emoji_codes=read_emoji_codes(model_dir),
        classes=CLASSES if three_class else ("positive",),
    )
    if chosen == "lite":
        from model.serving.lite import LiteClassifier

        return LiteClassifier(model_dir / PORTABLE, info, rule)
    from model.serving.tf_runtime import TensorFlowClassifier

    return TensorFlowClassifier(model_dir / SAVED_MODEL, info, rule)
