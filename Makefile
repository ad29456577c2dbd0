# Every command this project needs. `make test` is what CI runs (.ci/run).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
COLLECTIONS := $(VENV)/collections
OUTPUT := $(CURDIR)/tests/output
MODULES := $(basename $(notdir $(wildcard plugins/modules/*.py)))
ROLES := $(notdir $(wildcard roles/*))

# The working tree is the installed collection: edits are live without a rebuild.
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH := false
export PATH := $(BIN):$(PATH)
export ANSIBLE_NOCOLOR := 1
export PY_COLORS := 0

.PHONY: help venv demo test sanity units lint molecule build reliability soak bench constraints clean

help:  ## List the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

venv: $(VENV)/.stamp  ## Create .venv with the pinned toolchain and the collection linked in

$(VENV)/.stamp: requirements.txt requirements-dev.txt constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade 'pip>=24'
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt -c constraints.txt
	mkdir -p $(COLLECTIONS)/ansible_collections/azureai
	ln -sfn $(CURDIR) $(COLLECTIONS)/ansible_collections/azureai/foundry
	echo '$(COLLECTIONS)' > $$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/azureai_foundry_dev.pth
	touch $@

demo: venv  ## Run the main job (setup, rerun, teardown) against the local Azure emulator
	$(BIN)/python tools/demo.py

test: sanity units lint molecule build  ## Everything CI runs, in order, stopping at the first failure

sanity: venv  ## ansible-test sanity on a copy of the tracked tree, offline-safe
	mkdir -p $(HOME)/.ansible/test/cache
	pip_version=$$($(BIN)/python -c 'from ansible_test._internal.python_requirements import get_venv_packages as g; print(g(type("P", (), {"version": "3.11"})())["pip"])'); \
	  cache=$(HOME)/.ansible/test/cache/get_pip_$${pip_version//./_}.py; \
	  test -f $$cache || cp tools/get_pip_offline.py $$cache
	rm -rf $(OUTPUT)/sanity-tree && mkdir -p $(OUTPUT)/sanity-tree/ansible_collections/azureai/foundry
	git ls-files -z --cached --others --exclude-standard | \
	  xargs -0 -I{} cp --parents -P {} $(OUTPUT)/sanity-tree/ansible_collections/azureai/foundry/ 2>/dev/null || true
	cd $(OUTPUT)/sanity-tree/ansible_collections/azureai/foundry && \
	  ansible-test sanity --venv --python 3.11 --color no

units: venv  ## Unit and emulator contract tests (pytest)
	$(BIN)/python -m pytest tests/unit

lint: venv  ## ansible-lint (production profile, offline) and yamllint
	$(BIN)/yamllint --strict .
	$(BIN)/ansible-lint --offline

molecule: venv  ## Every molecule scenario against the emulator
	@if ls extensions/molecule/*/molecule.yml >/dev/null 2>&1; then $(BIN)/molecule test --all; \
	 else echo "molecule: no scenarios under extensions/molecule yet"; fi

build: venv  ## Build the tarball, install it elsewhere, render every doc from the installed copy, run galaxy-importer
	rm -rf $(OUTPUT)/build && mkdir -p $(OUTPUT)/build/install
	ansible-galaxy collection build --force --output-path $(OUTPUT)/build
	ansible-galaxy collection install --offline -p $(OUTPUT)/build/install $(OUTPUT)/build/azureai-foundry-*.tar.gz
	@set -e; export ANSIBLE_COLLECTIONS_PATH=$(OUTPUT)/build/install; \
	  for m in $(MODULES); do ansible-doc -t module azureai.foundry.$$m > /dev/null; echo "ansible-doc module $$m: ok"; done; \
	  for r in $(ROLES); do ansible-doc -t role azureai.foundry.$$r > /dev/null; echo "ansible-doc role $$r: ok"; done
	test -x $(VENV)/importer/bin/python || $(PYTHON) -m venv $(VENV)/importer
	$(VENV)/importer/bin/python -m pip install --quiet 'galaxy-importer==0.4.44'
	cd $(OUTPUT)/build && $(VENV)/importer/bin/python -m galaxy_importer.main azureai-foundry-*.tar.gz
	@grep -q '"error' $(OUTPUT)/build/importer_result.json && { echo "galaxy-importer reported errors"; exit 1; } || true

constraints:  ## Re-resolve the toolchain to the newest versions and rewrite constraints.txt
	rm -rf $(OUTPUT)/constraints-venv && $(PYTHON) -m venv $(OUTPUT)/constraints-venv
	$(OUTPUT)/constraints-venv/bin/pip install --quiet -r requirements-dev.txt
	{ echo '# Exact versions of the development toolchain, tested together on Python 3.11.'; \
	  echo '# Regenerate with: make constraints'; \
	  $(OUTPUT)/constraints-venv/bin/pip freeze --exclude pip --exclude setuptools --exclude wheel; } > constraints.txt

clean:  ## Remove the virtual environment and all generated output
	rm -rf $(VENV) $(OUTPUT) .pytest_cache
