# Two commands on a fresh machine:  `make run` (the product)  and  `make test` (the tests).
# Everything else is a step those two take when it is missing.

PYTHON      ?= python3
VENV        ?= .venv
BIN         := $(VENV)/bin
# The team's prepared IMDB copy; override with TFDS_DATA_DIR=... (empty = tfds default + download).
TFDS_DATA_DIR ?= $(if $(wildcard ../shared/data/tfds),$(abspath ../shared/data/tfds),)
EMBEDDING_DIR ?= artifacts/embedding
MODEL_DIR   ?= artifacts/model
export TFDS_DATA_DIR MODEL_DIR
export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: run test install lint format embedding model bench clean

run: model  ## Start the bot (console mode when no Slack credentials are configured)
	$(BIN)/python -m bot $(ARGS)

test: $(VENV)/.installed  ## Lint, then the whole test suite (offline)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest $(PYTEST_ARGS)

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

embedding: $(EMBEDDING_DIR)/saved_model.pb

$(EMBEDDING_DIR)/saved_model.pb: | $(VENV)/.installed
	$(BIN)/python -m model.embedding --out $(EMBEDDING_DIR)

model: $(MODEL_DIR)/manifest.json

$(MODEL_DIR)/manifest.json: | $(VENV)/.installed $(EMBEDDING_DIR)/saved_model.pb
	$(BIN)/python -m model.train --out $(MODEL_DIR)

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: model  ## Print runtime and bot benchmarks
	$(BIN)/python scripts/bench_runtimes.py --model $(MODEL_DIR)
	$(BIN)/python scripts/bench_bot.py --model $(MODEL_DIR)

clean:
	rm -rf artifacts $(VENV) .pytest_cache .ruff_cache *.egg-info
