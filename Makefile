# Two commands on a fresh machine:  `make run` (the product)  and  `make test` (the tests).
# Everything else is a step those two take when it is missing.
#
# Two installs, two stamps: `make run` needs only the serving set (`pip install -e .`: NumPy,
# Bolt, waitress; no TensorFlow) and serves the model bundled in the package. Training,
# bundling and the tests need the dev set (`-e .[dev]`: TensorFlow and friends, ~600 MB).

PYTHON      ?= python3
VENV        ?= .venv
BIN         := $(VENV)/bin
PIP         := $(BIN)/python -m pip --disable-pip-version-check
SERVE_STAMP := $(VENV)/.installed-serve
DEV_STAMP   := $(VENV)/.installed-dev
# The team's prepared IMDB copy; override with TFDS_DATA_DIR=... (empty = tfds default + download).
TFDS_DATA_DIR ?= $(if $(wildcard ../shared/data/tfds),$(abspath ../shared/data/tfds),)
EMBEDDING_DIR ?= artifacts/embedding
# Where `make model` writes. Not exported: `make run` serves $MODEL_DIR only when you set it,
# else ./artifacts/model when it holds a model, else the bundled model.
MODEL_DIR   ?= artifacts/model
export TFDS_DATA_DIR
export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: run test install install-serve lint format embedding model bundle bench clean config-docs

run: $(SERVE_STAMP)  ## Start the bot (console mode when no Slack credentials are configured)
	@$(BIN)/python -m bot $(ARGS)

test: $(DEV_STAMP)  ## Lint, type-check, then the whole test suite (offline)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest $(PYTEST_ARGS)

install: $(DEV_STAMP)
install-serve: $(SERVE_STAMP)

$(VENV)/bin/python:
	@echo "creating $(VENV) with $(PYTHON)" >&2
	@$(PYTHON) -m venv $(VENV)

# A venv that already has the dev set (newer than pyproject.toml) serves as is.
$(SERVE_STAMP): pyproject.toml | $(VENV)/bin/python
	@if [ ! $(DEV_STAMP) -nt pyproject.toml ]; then \
		echo "installing the serving dependencies into $(VENV) (no TensorFlow)..." >&2; \
		$(PIP) install --quiet -e . >&2; \
	fi
	@touch $@

$(DEV_STAMP): pyproject.toml | $(VENV)/bin/python
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e ".[dev]"
	touch $@ $(SERVE_STAMP)

embedding: $(EMBEDDING_DIR)/saved_model.pb

$(EMBEDDING_DIR)/saved_model.pb: | $(DEV_STAMP)
	$(BIN)/python -m model.embedding --out $(EMBEDDING_DIR)

model: $(MODEL_DIR)/manifest.json  ## Train the default recipe into artifacts/model

# The recipe builds the embedding module it needs on first use (artifacts/embedding-chat).
$(MODEL_DIR)/manifest.json: | $(DEV_STAMP)
	$(BIN)/python -m model.train --out $(MODEL_DIR) $(TRAIN_ARGS)

# Trains the default recipe into $(MODEL_DIR) unless it already holds that recipe's model.
bundle: $(DEV_STAMP)  ## Regenerate the bundled default model (then commit model/serving/bundled_model)
	$(BIN)/python -m model.bundle --model $(MODEL_DIR) $(BUNDLE_ARGS)

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(DEV_STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(SERVE_STAMP)  ## Print runtime and bot benchmarks (the bundled model unless MODEL_DIR is set)
	$(BIN)/python scripts/bench_runtimes.py
	$(BIN)/python -m scripts.bench_bot

config-docs: $(SERVE_STAMP)  ## Regenerate .env.example, app.json's env and docs/configuration.md from bot/settings.py
	$(BIN)/python -m bot.settings_docs

clean:
	rm -rf artifacts $(VENV) .pytest_cache .ruff_cache .mypy_cache *.egg-info
