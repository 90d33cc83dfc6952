"""Fitting the network: seeded, with progress lines and best-validation-epoch weights kept."""

from __future__ import annotations

import math
import sys
import time

import numpy as np
import tf_keras


class EpochProgress(tf_keras.callbacks.Callback):
    """One readable line per epoch with elapsed time and an ETA (CI logs stay short)."""

    def __init__(self, epochs: int, stream=sys.stdout) -> None:
        super().__init__()
        self.epochs = epochs
        self.stream = stream
        self.started = 0.0

    def on_train_begin(self, logs=None) -> None:
        self.started = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        logs = dict(logs or {})
        for prefix in ("", "val_"):  # a two-output network reports its polarity head's accuracy
            logs.setdefault(f"{prefix}accuracy", logs.get(f"{prefix}output_accuracy", math.nan))
        elapsed = time.perf_counter() - self.started
        eta = elapsed / (epoch + 1) * (self.epochs - epoch - 1)
        accuracy = (
            f"acc {logs['accuracy']:.4f}  val_acc {logs.get('val_accuracy', math.nan):.4f}  "
            if not math.isnan(logs.get("accuracy", math.nan))
            else ""  # a three-class network reports its loss only
        )
        print(
            f"epoch {epoch + 1:>3}/{self.epochs}  loss {logs.get('loss', math.nan):.4f}  "
            f"val_loss {logs.get('val_loss', math.nan):.4f}  {accuracy}"
            f"[{elapsed:5.1f} s, ETA {eta:4.0f} s]",
            file=self.stream,
            flush=True,
        )


class KeepBestEpoch(tf_keras.callbacks.Callback):
    """Remember the weights of the epoch with the lowest validation loss; restore them at the end.

    The tutorial's model overfits after about ten epochs; its last epoch is not its best.
    """

    def __init__(self, monitor: str = "val_loss") -> None:
        super().__init__()
        self.monitor = monitor
        self.best_value = math.inf
        self.best_epoch: int | None = None
        self.best_weights = None

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        value = (logs or {}).get(self.monitor)
        if value is not None and value < self.best_value:
            self.best_value, self.best_epoch = value, epoch + 1
            self.best_weights = self.model.get_weights()

    def on_train_end(self, logs=None) -> None:
        if self.best_weights is not None:
            self.model.set_weights(self.best_weights)


def fit(
    model,
    train,
    validation,
    epochs: int,
    batch_size: int,
    seed: int,
    keep_best: bool,
    shuffle_buffer: int = 10_000,
) -> tuple[dict, int | None, float]:
    """Train; returns (history, kept epoch or None for the last, seconds).

    ``shuffle_buffer`` is the tutorial's 10,000; a mix of corpora (stored one corpus after the
    other) needs a buffer as large as the data, or early batches would all come from one corpus.
    """
    keeper = KeepBestEpoch()
    callbacks = [EpochProgress(epochs)] + ([keeper] if keep_best else [])
    started = time.perf_counter()
    history = model.fit(
        train.shuffle(shuffle_buffer, seed=seed, reshuffle_each_iteration=True).batch(batch_size),
        epochs=epochs,
        validation_data=validation.batch(batch_size),
        callbacks=callbacks,
        verbose=0,
    )
    seconds = time.perf_counter() - started
    return history.history, (keeper.best_epoch if keep_best else None), seconds


def train_network(recipe, prepared, args, seed: int):
    """Step 2, fit: build the network for the recipe and train it.

    Returns (keras model, history, kept epoch or None, seconds, the settings used).
    """
    import tensorflow as tf

    from model.training import recipes, targets
    from model.training.network import build_model
    from model.training.prepare import polar_only_rows

    data = prepared.data
    epochs = args.epochs or recipe.epochs
    batch_size = args.batch_size or recipe.batch_size
    keep_best = recipe.keep_best if args.keep_best is None else args.keep_best
    tf_keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()
    model = build_model(
        prepared.handle,
        presence=recipe.neutral == recipes.NEUTRAL_PRESENCE,
        hidden_units=recipe.hidden_units,
        classes=recipe.neutral == recipes.NEUTRAL_CLASSES,
        skip=recipe.skip_connection,
    )
    tf_keras.backend.set_value(model.optimizer.learning_rate, recipe.learning_rate)
    pooled = data.pooled_validation()
    three = recipe.neutral == recipes.NEUTRAL_CLASSES
    train_ds = targets.dataset(
        data.train.texts,
        data.train.labels,
        data.weights,
        recipe,
        data.pseudo_neutral,
        polar_only=polar_only_rows(data) if three else None,
    )
    val_polar_only = None
    if three:
        from model.training.prepare import has_neutral_class

        val_polar_only = np.concatenate(
            [
                np.full(len(rows), not has_neutral_class(data, name), np.float32)
                for name, rows in data.validation.items()
            ]
        )
    val_ds = targets.dataset(pooled.texts, pooled.labels, None, recipe, polar_only=val_polar_only)
    buffer = recipe.shuffle_buffer or max(len(data.train), 1)
    print(
        f"Training for {epochs} epochs on {len(data.train):,} rows "
        f"(batch {batch_size}, seed {seed})"
        + ("; keeping the epoch with the lowest validation loss" if keep_best else ""),
        flush=True,
    )
    history, kept, seconds = fit(
        model, train_ds, val_ds, epochs, batch_size, seed, keep_best, buffer
    )
    settings = {
        "epochs": epochs,
        "batch_size": batch_size,
        "keep_best": keep_best,
        "shuffle_buffer": buffer,
    }
    return model, history, kept, seconds, settings
