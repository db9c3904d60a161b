# inference-autotuner: `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3.12 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
STORE  ?= runs
MODEL  := examples/models/tiny-llama
PYTEST_ARGS ?=

.PHONY: help setup demo test lint bench ui clean

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/autotune: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[bench,demo,dev]'
	@touch $@

$(VENV)/.llama-server: third_party/llama-server.sh
	PYTHON=$(BIN)/python bash third_party/llama-server.sh | tail -n 1 > $@.tmp && mv $@.tmp $@
	@echo "llama-server: $$(cat $@)"

$(MODEL)/model.gguf: $(BIN)/autotune
	$(BIN)/autotune setup-model --out $(MODEL) --seed 0

setup: $(BIN)/autotune $(VENV)/.llama-server $(MODEL)/model.gguf ## Install everything: venv, llama-server (built once, cached), demo model

demo: setup ## Tune llama-server on the demo model (examples/cpu-demo.yaml); report in $(STORE)/
	$(BIN)/autotune run examples/cpu-demo.yaml --store $(STORE)

test: setup ## Run the whole test suite (unit, contract, end to end)
	LLAMA_SERVER="$$(cat $(VENV)/.llama-server)" $(BIN)/pytest -q $(PYTEST_ARGS)

lint: $(BIN)/autotune ## ruff (lint + format check) and mypy
	$(BIN)/ruff check steps pipelines ui tests
	$(BIN)/ruff format --check steps pipelines ui tests
	$(BIN)/mypy

bench: setup ## Orchestration overhead, suggest latency, compile time and size (benchmarks, not tests)
	LLAMA_SERVER="$$(cat $(VENV)/.llama-server)" $(BIN)/python -m pipelines.bench

ui: setup ## Start the Streamlit app
	$(BIN)/autotune ui --store $(STORE)

clean: ## Remove the venv, the demo model and local runs (the llama-server cache stays)
	rm -rf $(VENV) $(MODEL) $(STORE) .mypy_cache .ruff_cache .pytest_cache

.PHONY: cluster-up cluster-check

cluster-up: $(BIN)/autotune ## kind cluster (CLUSTER=k3d|existing) + Argo, OME, KEDA, MinIO, RBAC
	AUTOTUNE="$(abspath $(BIN))/autotune" bash third_party/cluster-up.sh

cluster-check: ## Report what the cluster path is missing, with fixes (read-only)
	bash third_party/cluster-check.sh
