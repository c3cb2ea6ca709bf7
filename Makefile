# Two commands on a fresh machine: `make demo` (set up, index the seeds, answer a question) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
QUESTION ?= What did Iraq say about US troops?

.PHONY: setup demo test lint screenshots

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# The CPU build of torch that lies on disk; an unpinned torch pulls a multi-GB CUDA build.
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev]'
	# The default int8 embedding model, exported once from the bundled weights (otherwise on first use).
	$(BIN)/python -m index.quantized
	touch $@

demo: setup
	$(BIN)/sitroom index seeds
	$(BIN)/sitroom ask "$(QUESTION)"

test: setup
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

# Every UI page as a PNG in docs/screenshots/, from the seeds (needs Debian's chromium).
screenshots: setup
	$(BIN)/sitroom index seeds --rebuild --index-dir build/screenshots-index
	$(BIN)/python -m ui.screenshots --index-dir build/screenshots-index --out docs/screenshots
