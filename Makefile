# Every command this project needs. `make test` is what CI runs (.ci/run).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
IMPORTER := $(VENV)/importer
COLLECTIONS := $(VENV)/collections
OUTPUT := $(CURDIR)/tests/output
SANITY_TREE := $(OUTPUT)/sanity-tree/ansible_collections/azureai/foundry
BUILD := $(OUTPUT)/build
VERSION := $(shell sed -n 's/^version: *//p' galaxy.yml)
TARBALL := $(BUILD)/azureai-foundry-$(VERSION).tar.gz
MODULES := $(sort $(filter-out __init__,$(basename $(notdir $(wildcard plugins/modules/*.py)))))
ROLES := $(sort $(notdir $(patsubst %/,%,$(wildcard roles/*/))))

# The working tree is the installed collection: edits are live without a rebuild.
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH := false
export PATH := $(BIN):$(PATH)
export ANSIBLE_NOCOLOR := 1
export NO_COLOR := 1
export PY_COLORS := 0

.PHONY: help venv demo test sanity sanity-locked units lint molecule build build-locked reliability soak bench constraints clean

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

test: sanity units lint molecule build reliability  ## Everything CI runs, in order, stopping at the first failure

sanity: venv  ## ansible-test sanity, every test, on a copy of the files git tracks (ignore files must stay empty)
	@if grep -Hn . tests/sanity/ignore-*.txt 2>/dev/null; then \
	  echo "sanity: tests/sanity/ignore-*.txt must stay empty; fix the findings instead"; exit 1; fi
	@# One run at a time in a work tree: a second run would replace the copy under the first.
	@mkdir -p $(OUTPUT) && flock $(OUTPUT)/.sanity.lock $(MAKE) --no-print-directory sanity-locked

sanity-locked:
	$(BIN)/python tools/ansible_test_tree.py $(OUTPUT)/sanity-tree
	cd $(SANITY_TREE) && ansible-test sanity --venv --python 3.11 --color no 2>&1 | tee $(OUTPUT)/sanity.log
	@# ansible-test exits 0 when it tests nothing, or skips a test whose tool (shellcheck, pwsh) is missing.
	@if grep -q 'All targets skipped' $(OUTPUT)/sanity.log; then echo "sanity: ansible-test found nothing to test"; exit 1; fi
	@if grep 'Required program' $(OUTPUT)/sanity.log; then echo "sanity: a test was skipped, install the program"; exit 1; fi

units: venv  ## Unit and emulator contract tests (pytest)
	$(BIN)/python -m pytest -p no:cacheprovider -n 2 tests/unit

lint: venv  ## yamllint, black on plugins/, ansible-lint (production profile, offline, see .ansible-lint), the action group
	yamllint --strict .
	black --check --quiet plugins/
	ansible-lint
	$(BIN)/python tools/check_action_group.py

molecule: venv  ## Every molecule scenario under extensions/molecule against the emulator
	@if ! ls extensions/molecule/*/molecule.yml >/dev/null 2>&1; then \
	  echo "molecule: NOT RUN: there are no scenarios under extensions/molecule/ yet"; exit 0; fi; \
	  set -x; molecule --base-config extensions/molecule/config.yml test --all

build: venv $(IMPORTER)/.stamp  ## Build the tarball, document every module and role from an installed copy, run galaxy-importer
	@mkdir -p $(OUTPUT) && flock $(OUTPUT)/.build.lock $(MAKE) --no-print-directory build-locked

build-locked:
	rm -rf $(BUILD) && mkdir -p $(BUILD)/install
	ansible-galaxy collection build --force --output-path $(BUILD)
	@# Only the installed copy is visible from here on, never the working tree.
	@export ANSIBLE_COLLECTIONS_PATH=$(BUILD)/install; set -x; \
	  ansible-galaxy collection install --offline --no-deps --force -p $(BUILD)/install $(TARBALL); set +x; \
	  found=$$(ansible-galaxy collection list azureai.foundry --format json | \
	    $(BIN)/python -c 'import json, sys; print(" ".join(json.load(sys.stdin)))'); \
	  test "$$found" = "$(BUILD)/install/ansible_collections" || { echo "build: ansible-doc would read $$found"; exit 1; }; \
	  for m in $(MODULES); do ansible-doc -t module azureai.foundry.$$m > /dev/null; echo "ansible-doc module $$m: ok"; done; \
	  for r in $(ROLES); do ansible-doc -t role azureai.foundry.$$r > /dev/null; echo "ansible-doc role $$r: ok"; done
	@# galaxy-importer logs problems as WARNING/ERROR lines but exits 0 for most of them, so those lines fail the build.
	cd $(BUILD) && env -u ANSIBLE_COLLECTIONS_PATH PATH=$(IMPORTER)/bin:$(PATH) \
	  $(IMPORTER)/bin/python -m galaxy_importer.main $(TARBALL) | tee importer.log
	@if grep -E '^(WARNING|ERROR|CRITICAL):' $(BUILD)/importer.log; then echo "build: galaxy-importer reported the problems above"; exit 1; fi

$(IMPORTER)/.stamp: tools/importer-requirements.txt
	test -x $(IMPORTER)/bin/python || $(PYTHON) -m venv $(IMPORTER)
	$(IMPORTER)/bin/python -m pip install --quiet -r tools/importer-requirements.txt
	touch $@

reliability: venv  ## Faults, crashes, concurrency, bad input, auth and secrets against the emulator (a few minutes)
	$(BIN)/python -m pytest -p no:cacheprovider -n 2 -rP tests/reliability

soak: venv  ## make reliability with ten times the seeded trials (about 16 minutes)
	RELIABILITY_TRIALS=10 $(BIN)/python -m pytest -p no:cacheprovider -n 2 -rP tests/reliability

bench: venv  ## Benchmarks side by side with azure.azcollection on the local emulator (tests/output/bench/report.md)
	$(BIN)/python -m tests.bench

constraints:  ## Re-resolve the toolchain to the newest versions and rewrite constraints.txt
	rm -rf $(OUTPUT)/constraints-venv && $(PYTHON) -m venv $(OUTPUT)/constraints-venv
	$(OUTPUT)/constraints-venv/bin/pip install --quiet -r requirements-dev.txt
	{ echo '# Exact versions of the development toolchain, tested together on Python 3.11.'; \
	  echo '# Regenerate with: make constraints'; \
	  $(OUTPUT)/constraints-venv/bin/pip freeze --exclude pip --exclude setuptools --exclude wheel; } > constraints.txt

clean:  ## Remove the virtual environments and all generated output
	rm -rf $(VENV) $(OUTPUT) .pytest_cache .ansible
