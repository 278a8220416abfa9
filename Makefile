# The README's two commands: `make run` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
EXAMPLE ?= I spent six years running go-to-market launches and writing case studies for a SaaS product, and I work with sales on enablement and messaging.

.PHONY: run test install lint bench clean

$(BIN)/rolematch: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	$(BIN)/python scripts/check_torch.py
	touch $(BIN)/rolematch

install: $(BIN)/rolematch

run: install
	$(BIN)/rolematch match "$(EXAMPLE)" --top 3

test: install
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check matcher tests bench scripts

bench: install
	$(BIN)/python bench/match_latency.py

clean:
	rm -rf $(VENV) .pytest_cache tests/artifacts
